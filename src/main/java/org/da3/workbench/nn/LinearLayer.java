package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.util.SplittableRandom;

/** A fully connected layer {@code y = x W^T + b}, weight (out, in), as torchvision's {@code fc}. */
public final class LinearLayer extends Layer {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the layer.
     *
     * @param path the path, for example {@code fc}
     * @param in input features
     * @param out output features
     */
    public LinearLayer(String path, int in, int out) {
        super(path);
        this.in = in;
        this.out = out;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build());
    }

    /**
     * Allocates with PyTorch's default initialisation (uniform in +-1/sqrt(in)).
     *
     * @param manager the owner
     * @param rnd the stream
     */
    public void allocate(NDManager manager, SplittableRandom rnd) {
        double bound = 1.0 / Math.sqrt(in);
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[out];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        weight.setArray(manager.create(w, new Shape(out, in)));
        bias.setArray(manager.create(b, new Shape(out)));
    }

    /** @return the weight */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias */
    public Parameter bias() {
        return bias;
    }

    /** @return input features */
    public int inFeatures() {
        return in;
    }

    /** @return output features */
    public int outFeatures() {
        return out;
    }

    /**
     * Applies {@code x W^T + b} with the given arrays.
     *
     * @param x input (N, in)
     * @param w weight (out, in)
     * @param b bias (out)
     * @return output (N, out)
     */
    public static NDArray apply(NDArray x, NDArray w, NDArray b) {
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    public NDArray forward(NDArray x, Adaptation a, boolean training) {
        return apply(x, weight.getArray(), bias.getArray());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }
}
