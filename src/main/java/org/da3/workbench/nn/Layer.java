package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A backbone layer: a DJL block whose parameters carry torchvision names ({@code
 * layer1.0.conv1.weight}) and whose arrays are allocated by {@link ResNet#allocate}, not by DJL's
 * shape inference.
 */
public abstract class Layer extends AbstractBlock {

    /** The torchvision-style path of this layer, for example {@code layer1.0.conv1}. */
    protected final String path;

    /**
     * Creates a layer.
     *
     * @param path the torchvision-style path
     */
    protected Layer(String path) {
        this.path = path;
    }

    /** @return the torchvision-style path of this layer */
    public String path() {
        return path;
    }

    /**
     * Adds this layer's parameters (and its children's) to a state dict, by full name.
     *
     * @param out the map to fill, in network order
     */
    public void collect(Map<String, Parameter> out) {
        for (Parameter p : parameters.values()) {
            out.put(path + "." + p.getName(), p);
        }
        for (ai.djl.util.Pair<String, ai.djl.nn.Block> c : children) {
            if (c.getValue() instanceof Layer) {
                ((Layer) c.getValue()).collect(out);
            }
        }
    }

    /** @return this layer's parameters (and its children's) by full name */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        collect(m);
        return m;
    }

    /**
     * Runs the layer with an adaptation.
     *
     * @param x the input
     * @param a the per-domain adaptation
     * @param training whether the step trains
     * @return the output
     */
    public abstract NDArray forward(NDArray x, Adaptation a, boolean training);

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow(), Adaptation.NONE, training));
    }
}
