package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A 2-D BatchNorm with torchvision names ({@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}). The backbone's own BN is frozen: it normalises with its running statistics
 * in every mode; methods that train BN supply per-domain copies through {@link Adaptation#bn}.
 */
public final class BatchNormLayer extends Layer {
    private final int channels;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * Creates the layer.
     *
     * @param path the torchvision path, for example {@code bn1}
     * @param channels the channels
     */
    public BatchNormLayer(String path, int channels) {
        super(path);
        this.channels = channels;
        gamma = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optRequiresGrad(false).build());
        beta = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optRequiresGrad(false).build());
        runningMean = addParameter(Parameter.builder().setName("running_mean")
                .setType(Parameter.Type.RUNNING_MEAN).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("running_var")
                .setType(Parameter.Type.RUNNING_VAR).optRequiresGrad(false).build());
    }

    /**
     * Allocates identity statistics and affine parameters.
     *
     * @param manager the owner
     * @param zeroGamma start with gamma = 0 (the last BN of a residual branch, for stable training
     *     from scratch)
     */
    public void allocate(NDManager manager, boolean zeroGamma) {
        gamma.setArray(zeroGamma ? manager.zeros(new Shape(channels)) : manager.ones(new Shape(channels)));
        beta.setArray(manager.zeros(new Shape(channels)));
        runningMean.setArray(manager.zeros(new Shape(channels)));
        runningVar.setArray(manager.ones(new Shape(channels)));
    }

    /** @return the number of channels */
    public int channels() {
        return channels;
    }

    /** @return the backbone's own arrays, frozen: running statistics, never updated */
    public BnParams frozen() {
        return new BnParams(gamma.getArray(), beta.getArray(), runningMean.getArray(),
                runningVar.getArray(), false);
    }

    @Override
    public NDArray forward(NDArray x, Adaptation a, boolean training) {
        return Ops.batchNorm(x, a.bn(this), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
