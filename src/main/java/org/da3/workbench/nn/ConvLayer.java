package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;

/** A 2-D convolution without bias (as every conv in a ResNet), weight {@code (out, in/g, k, k)}. */
public final class ConvLayer extends Layer {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int groups;
    private final Parameter weight;

    /**
     * Creates the layer (arrays come later from {@link #allocate}).
     *
     * @param path the torchvision path, for example {@code layer1.0.conv1}
     * @param in input channels
     * @param out output channels
     * @param kernel kernel side
     * @param stride stride
     * @param padding zero padding
     * @param groups groups (1 for a dense conv)
     */
    public ConvLayer(String path, int in, int out, int kernel, int stride, int padding, int groups) {
        super(path);
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optRequiresGrad(false).build());
    }

    /**
     * Allocates the weight with He (fan-out) initialisation, as torchvision does.
     *
     * @param manager the manager that owns the weights
     * @param rnd the initialisation stream
     */
    public void allocate(NDManager manager, SplittableRandom rnd) {
        int n = outChannels * (inChannels / groups) * kernel * kernel;
        float[] w = new float[n];
        double std = Math.sqrt(2.0 / (outChannels * kernel * kernel));
        for (int i = 0; i < n; i++) {
            w[i] = (float) (Gaussian.next(rnd) * std);
        }
        weight.setArray(manager.create(w, weightShape()));
    }

    /** @return the weight's shape */
    public Shape weightShape() {
        return new Shape(outChannels, inChannels / groups, kernel, kernel);
    }

    /** @return the weight parameter */
    public Parameter weight() {
        return weight;
    }

    /** @return input channels */
    public int inChannels() {
        return inChannels;
    }

    /** @return output channels */
    public int outChannels() {
        return outChannels;
    }

    /** @return kernel side */
    public int kernel() {
        return kernel;
    }

    /** @return stride */
    public int stride() {
        return stride;
    }

    /** @return padding */
    public int padding() {
        return padding;
    }

    /** @return groups */
    public int groups() {
        return groups;
    }

    /**
     * The output side for an input side.
     *
     * @param inSide the input height or width
     * @return the output height or width
     */
    public int outSide(int inSide) {
        return (inSide + 2 * padding - kernel) / stride + 1;
    }

    /**
     * Multiply-accumulates per image for an input side.
     *
     * @param inSide the input height (= width)
     * @return MACs per image
     */
    public long macs(int inSide) {
        long o = outSide(inSide);
        return o * o * outChannels * (long) (inChannels / groups) * kernel * kernel;
    }

    /**
     * The plain convolution of {@code x} with a given weight, with this layer's geometry.
     *
     * @param x the input
     * @param w the weight
     * @return the output
     */
    public NDArray conv(NDArray x, NDArray w) {
        return Ops.conv2d(x, w, stride, padding, groups);
    }

    @Override
    public NDArray forward(NDArray x, Adaptation a, boolean training) {
        NDArray w = a.convWeight(this);
        NDArray y = conv(x, w);
        if (w != weight.getArray()) {
            a.releaseConvWeight(this, w);
        }
        return a.afterConv(this, x, y, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), outChannels, outSide((int) s.get(2)), outSide((int) s.get(3)))};
    }
}
