package org.da3.workbench.nn;

import java.util.List;

/**
 * The bottleneck block of ResNet-50 (torchvision v1.5: the stride sits on the 3x3 conv): 1x1 conv
 * to {@code width}, 3x3 conv, 1x1 conv to {@code 4 * width}, each followed by BN.
 */
public final class Bottleneck extends ResidualBlock {
    /** Output channels per bottleneck width. */
    public static final int EXPANSION = 4;
    private final ConvLayer conv1;
    private final BatchNormLayer bn1;
    private final ConvLayer conv2;
    private final BatchNormLayer bn2;
    private final ConvLayer conv3;
    private final BatchNormLayer bn3;

    /**
     * Creates the block.
     *
     * @param path the torchvision path
     * @param in input channels
     * @param width bottleneck width (output is {@code 4 * width})
     * @param stride stride of the 3x3 conv (and the shortcut)
     */
    public Bottleneck(String path, int in, int width, int stride) {
        super(path, in, width * EXPANSION, stride);
        conv1 = addChildBlock("conv1", new ConvLayer(path + ".conv1", in, width, 1, 1, 0, 1));
        bn1 = addChildBlock("bn1", new BatchNormLayer(path + ".bn1", width));
        conv2 = addChildBlock("conv2", new ConvLayer(path + ".conv2", width, width, 3, stride, 1, 1));
        bn2 = addChildBlock("bn2", new BatchNormLayer(path + ".bn2", width));
        conv3 = addChildBlock("conv3", new ConvLayer(path + ".conv3", width, width * EXPANSION, 1, 1, 0, 1));
        bn3 = addChildBlock("bn3", new BatchNormLayer(path + ".bn3", width * EXPANSION));
    }

    @Override
    public List<ConvLayer> convs() {
        return List.of(conv1, conv2, conv3);
    }

    @Override
    public List<BatchNormLayer> bns() {
        return List.of(bn1, bn2, bn3);
    }
}
