package org.da3.workbench.nn;

import java.util.List;

/** The two-conv residual block of ResNet-18 and ResNet-26: 3x3 conv, BN, ReLU, 3x3 conv, BN. */
public final class BasicBlock extends ResidualBlock {
    private final ConvLayer conv1;
    private final BatchNormLayer bn1;
    private final ConvLayer conv2;
    private final BatchNormLayer bn2;

    /**
     * Creates the block.
     *
     * @param path the torchvision path, for example {@code layer1.0}
     * @param in input channels
     * @param out output channels
     * @param stride stride of the first conv (and the shortcut)
     */
    public BasicBlock(String path, int in, int out, int stride) {
        super(path, in, out, stride);
        conv1 = addChildBlock("conv1", new ConvLayer(path + ".conv1", in, out, 3, stride, 1, 1));
        bn1 = addChildBlock("bn1", new BatchNormLayer(path + ".bn1", out));
        conv2 = addChildBlock("conv2", new ConvLayer(path + ".conv2", out, out, 3, 1, 1, 1));
        bn2 = addChildBlock("bn2", new BatchNormLayer(path + ".bn2", out));
    }

    @Override
    public List<ConvLayer> convs() {
        return List.of(conv1, conv2);
    }

    @Override
    public List<BatchNormLayer> bns() {
        return List.of(bn1, bn2);
    }
}
