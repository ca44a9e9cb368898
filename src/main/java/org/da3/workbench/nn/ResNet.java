package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A ResNet backbone without its classifier: stem, residual stages, global average pooling. Heads
 * are per domain and belong to the methods.
 *
 * <p>Parameter names follow torchvision ({@code conv1.weight}, {@code layer1.0.bn2.running_var},
 * {@code layer2.0.downsample.0.weight}), so torchvision state dicts import by name.
 */
public final class ResNet extends Layer {
    private final String arch;
    private final int width;
    private final ConvLayer conv1;
    private final BatchNormLayer bn1;
    private final boolean maxPool;
    private final List<ResidualBlock> blocks;
    private final int featureDim;

    private ResNet(String arch, int width, ConvLayer conv1, boolean maxPool, List<ResidualBlock> blocks) {
        super("");
        this.arch = arch;
        this.width = width;
        this.conv1 = addChildBlock("conv1", conv1);
        this.bn1 = addChildBlock("bn1", new BatchNormLayer("bn1", conv1.outChannels()));
        this.maxPool = maxPool;
        List<ResidualBlock> bs = new ArrayList<>();
        for (ResidualBlock b : blocks) {
            bs.add(addChildBlock(b.path(), b));
        }
        this.blocks = Collections.unmodifiableList(bs);
        this.featureDim = bs.get(bs.size() - 1).outChannels();
    }

    /**
     * ResNet-26 in the Visual Decathlon style (Rebuffi et al.): a 3x3 stem to {@code width/2}
     * channels, then three stages of four basic blocks with {@code width}, {@code 2 width} and
     * {@code 4 width} channels, each stage starting with stride 2; made for 64 px inputs. The
     * shortcuts that change shape are 1x1 conv + BN (torchvision's layout).
     *
     * @param width the first stage's width (64 in the standard network)
     * @return the backbone (arrays not yet allocated)
     */
    public static ResNet resnet26(int width) {
        int stem = Math.max(4, width / 2);
        ConvLayer conv1 = new ConvLayer("conv1", 3, stem, 3, 1, 1, 1);
        List<ResidualBlock> blocks = new ArrayList<>();
        int in = stem;
        for (int s = 0; s < 3; s++) {
            int out = width << s;
            for (int i = 0; i < 4; i++) {
                blocks.add(new BasicBlock("layer" + (s + 1) + "." + i, in, out, i == 0 ? 2 : 1));
                in = out;
            }
        }
        return new ResNet("resnet26", width, conv1, false, blocks);
    }

    /**
     * torchvision's ResNet-18: 7x7/2 stem, 3x3/2 max pool, four stages of two basic blocks.
     *
     * @param width the first stage's width (64 in torchvision)
     * @return the backbone
     */
    public static ResNet resnet18(int width) {
        ConvLayer conv1 = new ConvLayer("conv1", 3, width, 7, 2, 3, 1);
        List<ResidualBlock> blocks = new ArrayList<>();
        int in = width;
        int[] counts = {2, 2, 2, 2};
        for (int s = 0; s < 4; s++) {
            int out = width << s;
            for (int i = 0; i < counts[s]; i++) {
                blocks.add(new BasicBlock("layer" + (s + 1) + "." + i, in, out, i == 0 && s > 0 ? 2 : 1));
                in = out;
            }
        }
        return new ResNet("resnet18", width, conv1, true, blocks);
    }

    /**
     * torchvision's ResNet-50 (v1.5): 7x7/2 stem, max pool, stages of 3, 4, 6 and 3 bottlenecks.
     *
     * @param width the first stage's bottleneck width (64 in torchvision)
     * @return the backbone
     */
    public static ResNet resnet50(int width) {
        ConvLayer conv1 = new ConvLayer("conv1", 3, width, 7, 2, 3, 1);
        List<ResidualBlock> blocks = new ArrayList<>();
        int in = width;
        int[] counts = {3, 4, 6, 3};
        for (int s = 0; s < 4; s++) {
            int w = width << s;
            for (int i = 0; i < counts[s]; i++) {
                blocks.add(new Bottleneck("layer" + (s + 1) + "." + i, in, w, i == 0 && s > 0 ? 2 : 1));
                in = w * Bottleneck.EXPANSION;
            }
        }
        return new ResNet("resnet50", width, conv1, true, blocks);
    }

    /**
     * Builds a backbone by architecture name.
     *
     * @param arch resnet26, resnet18 or resnet50
     * @param width the first stage's width
     * @return the backbone
     */
    public static ResNet create(String arch, int width) {
        switch (arch) {
            case "resnet26": return resnet26(width);
            case "resnet18": return resnet18(width);
            case "resnet50": return resnet50(width);
            default: throw new IllegalArgumentException("unknown backbone '" + arch
                    + "'; allowed: resnet26, resnet18, resnet50");
        }
    }

    /**
     * Allocates every array with torchvision's initialisation, deterministically from a seed.
     *
     * @param manager the owner of the backbone's arrays
     * @param seed the initialisation seed
     */
    public void allocate(NDManager manager, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        conv1.allocate(manager, rnd);
        bn1.allocate(manager, false);
        for (ResidualBlock b : blocks) {
            b.allocate(manager, rnd);
        }
    }

    /** @return the architecture name */
    public String arch() {
        return arch;
    }

    /** @return the first stage's width */
    public int width() {
        return width;
    }

    /** @return the stem conv */
    public ConvLayer conv1() {
        return conv1;
    }

    /** @return the stem BN */
    public BatchNormLayer bn1() {
        return bn1;
    }

    /** @return whether the stem ends with a 3x3/2 max pool */
    public boolean hasMaxPool() {
        return maxPool;
    }

    /** @return the residual blocks in order */
    public List<ResidualBlock> blocks() {
        return blocks;
    }

    /** @return the feature dimension after pooling */
    public int featureDim() {
        return featureDim;
    }

    /** @return every parameter and running statistic by torchvision name, in network order */
    @Override
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        conv1.collect(m);
        bn1.collect(m);
        for (ResidualBlock b : blocks) {
            b.collect(m);
        }
        return m;
    }

    /**
     * The shape of every tensor of {@link #stateDict()}, known before anything is allocated (so a
     * weights file can be checked against it without the engine).
     *
     * @return shapes by torchvision name
     */
    public Map<String, Shape> stateShapes() {
        Map<String, Shape> m = new LinkedHashMap<>();
        for (ConvLayer c : convs()) {
            m.put(c.path() + ".weight", c.weightShape());
        }
        for (BatchNormLayer b : bns()) {
            Shape s = new Shape(b.channels());
            for (String n : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                m.put(b.path() + "." + n, s);
            }
        }
        return m;
    }

    /** @return every conv of the backbone, in network order */
    public List<ConvLayer> convs() {
        List<ConvLayer> l = new ArrayList<>();
        l.add(conv1);
        for (ResidualBlock b : blocks) {
            l.addAll(b.allConvs());
        }
        return l;
    }

    /** @return every BN of the backbone, in network order */
    public List<BatchNormLayer> bns() {
        List<BatchNormLayer> l = new ArrayList<>();
        l.add(bn1);
        for (ResidualBlock b : blocks) {
            l.addAll(b.bns());
            if (b.downBn() != null) {
                l.add(b.downBn());
            }
        }
        return l;
    }

    /**
     * The stem: conv, BN, ReLU (and max pool for the torchvision networks).
     *
     * @param x the images (N, 3, H, W)
     * @param a the adaptation
     * @param training whether the step trains
     * @return the stem output
     */
    public NDArray stem(NDArray x, Adaptation a, boolean training) {
        NDArray c = conv1.forward(x, a, training);
        NDArray b = bn1.forward(c, a, training);
        c.close();
        NDArray r = Activation.relu(b);
        b.close();
        if (!maxPool) {
            return r;
        }
        NDArray p = r.getNDArrayInternal().maxPool(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        r.close();
        return p;
    }

    /**
     * The side of the stem's output for an image side.
     *
     * @param imageSize the input side
     * @return the stem output side
     */
    public int stemOutSide(int imageSize) {
        int s = conv1.outSide(imageSize);
        return maxPool ? (s + 2 - 3) / 2 + 1 : s;
    }

    /**
     * Pooled features of a batch of images.
     *
     * @param x images (N, 3, H, W), normalised
     * @param a the adaptation
     * @param training whether the step trains
     * @return features (N, featureDim)
     */
    public NDArray features(NDArray x, Adaptation a, boolean training) {
        // channels-last through the whole graph: about 10% off an autograd training step on the CPU
        // (docs/benchmarks.md); the frozen path's graph-free convolutions gain nothing from it and
        // keep NCHW, which its packed ReLU masks read without a reorder
        NDArray h;
        try (NDArray cl = Ops.channelsLast(x)) {
            h = stem(cl, a, training);
        }
        for (ResidualBlock b : blocks) {
            NDArray next = b.forward(h, a, training);
            h.close();
            h = next;
        }
        NDArray f = Ops.gap(h);
        h.close();
        return f;
    }

    @Override
    public NDArray forward(NDArray x, Adaptation a, boolean training) {
        return features(x, a, training);
    }

    /**
     * Multiply-accumulates of a full forward pass per image (convs only; BN, ReLU, pooling and the
     * head are negligible).
     *
     * @param imageSize the input side
     * @return MACs per image
     */
    public long macs(int imageSize) {
        long total = conv1.macs(imageSize);
        int side = stemOutSide(imageSize);
        for (ResidualBlock b : blocks) {
            total += b.mainMacs(side) + b.shortcutMacs(side);
            side = b.outSide(side);
        }
        return total;
    }

    /** @return the number of scalars in the backbone's weights (running statistics excluded) */
    public long parameterCount() {
        long n = 0;
        for (Map.Entry<String, Parameter> e : stateDict().entrySet()) {
            if (!e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var")) {
                n += e.getValue().getArray().size();
            }
        }
        return n;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim)};
    }
}
