package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual block {@code y = relu(S(x) + F(x))}: a frozen main path F of conv/BN/ReLU layers and a
 * shortcut S (identity, or a strided 1x1 conv with BN). A {@link BlockAdapter} may gate F per
 * sample and add its own term; at inference a closed gate skips F for that sample.
 */
public abstract class ResidualBlock extends Layer {
    /** The shortcut conv, or null for identity. */
    protected final ConvLayer downConv;
    /** The shortcut BN, or null for identity. */
    protected final BatchNormLayer downBn;
    private final int inChannels;
    private final int outChannels;
    private final int stride;

    /**
     * Creates the block's shortcut.
     *
     * @param path the torchvision path, for example {@code layer2.0}
     * @param in input channels
     * @param out output channels
     * @param stride the block's stride
     */
    protected ResidualBlock(String path, int in, int out, int stride) {
        super(path);
        this.inChannels = in;
        this.outChannels = out;
        this.stride = stride;
        if (stride != 1 || in != out) {
            downConv = addChildBlock("downsample.0", new ConvLayer(path + ".downsample.0", in, out, 1, stride, 0, 1));
            downBn = addChildBlock("downsample.1", new BatchNormLayer(path + ".downsample.1", out));
        } else {
            downConv = null;
            downBn = null;
        }
    }

    /** @return input channels */
    public int inChannels() {
        return inChannels;
    }

    /** @return output channels */
    public int outChannels() {
        return outChannels;
    }

    /** @return the block's stride */
    public int stride() {
        return stride;
    }

    /** @return the shortcut conv, or null for identity */
    public ConvLayer downConv() {
        return downConv;
    }

    /** @return the shortcut BN, or null for identity */
    public BatchNormLayer downBn() {
        return downBn;
    }

    /** @return the main path's convs in order */
    public abstract List<ConvLayer> convs();

    /** @return the main path's BNs in order (one after each conv) */
    public abstract List<BatchNormLayer> bns();

    /** @return every conv of the block, main path first, then the shortcut's */
    public List<ConvLayer> allConvs() {
        List<ConvLayer> l = new ArrayList<>(convs());
        if (downConv != null) {
            l.add(downConv);
        }
        return l;
    }

    /**
     * Allocates the block's arrays.
     *
     * @param manager the owner
     * @param rnd the initialisation stream
     */
    public void allocate(NDManager manager, java.util.SplittableRandom rnd) {
        List<ConvLayer> convs = convs();
        List<BatchNormLayer> bns = bns();
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).allocate(manager, rnd);
            bns.get(i).allocate(manager, false);
        }
        if (downConv != null) {
            downConv.allocate(manager, rnd);
            downBn.allocate(manager, false);
        }
    }

    /**
     * The main path F(x): conv, BN, ReLU, ... ending with a BN (no final ReLU).
     *
     * @param x the block input
     * @param a the adaptation
     * @param training whether the step trains
     * @return F(x)
     */
    public NDArray main(NDArray x, Adaptation a, boolean training) {
        List<ConvLayer> convs = convs();
        List<BatchNormLayer> bns = bns();
        NDArray h = x;
        for (int i = 0; i < convs.size(); i++) {
            NDArray c = convs.get(i).forward(h, a, training);
            NDArray b = bns.get(i).forward(c, a, training);
            Ops.closeExcept(x, h == x ? null : h, c);
            if (i < convs.size() - 1) {
                h = Activation.relu(b);
                b.close();
            } else {
                h = b;
            }
        }
        return h;
    }

    /**
     * The shortcut S(x).
     *
     * @param x the block input
     * @param a the adaptation
     * @param training whether the step trains
     * @return S(x) (x itself for an identity shortcut)
     */
    public NDArray shortcut(NDArray x, Adaptation a, boolean training) {
        if (downConv == null) {
            return x;
        }
        NDArray c = downConv.forward(x, a, training);
        NDArray b = downBn.forward(c, a, training);
        c.close();
        return b;
    }

    @Override
    public NDArray forward(NDArray x, Adaptation a, boolean training) {
        BlockAdapter adapter = a.block(this);
        NDArray s = shortcut(x, a, training);
        NDArray sum;
        if (adapter == null) {
            NDArray m = main(x, a, training);
            sum = s.add(m);
            m.close();
        } else {
            NDArray gate = adapter.gate(x, training);
            NDArray m = !training && gate != null && adapter.skipClosed()
                    ? mainOpenOnly(x, gate, a)
                    : main(x, a, training);
            NDArray term = adapter.combine(x, m, gate, training);
            sum = s.add(term);
            Ops.closeExcept(null, m == term ? null : m, term, gate);
        }
        if (s != x) {
            s.close();
        }
        NDArray y = Activation.relu(sum);
        sum.close();
        return y;
    }

    /**
     * Inference with skipping: runs F only on the samples whose gate is open and returns zeros for
     * the others.
     *
     * @param x the block input (N, C, H, W)
     * @param gate hard gates (N)
     * @param a the adaptation
     * @return F(x) for open samples, zeros for closed ones
     */
    protected NDArray mainOpenOnly(NDArray x, NDArray gate, Adaptation a) {
        float[] g = gate.toFloatArray();
        int[] open = openRows(g);
        long n = x.getShape().get(0);
        long side = (x.getShape().get(2) + stride - 1) / stride;
        if (open.length == 0) {
            return x.getManager().zeros(new Shape(n, outChannels, side, side), x.getDataType());
        }
        if (open.length == n) {
            return main(x, a, false);
        }
        try (NDArray xo = Ops.gatherRows(x, open); NDArray mo = main(xo, a, false)) {
            return Ops.scatterRows(mo, open, (int) n);
        }
    }

    /**
     * The indices of the open gates.
     *
     * @param gates hard gates, 0 or 1
     * @return the indices where the gate is 1, ascending
     */
    public static int[] openRows(float[] gates) {
        int k = 0;
        for (float v : gates) {
            if (v > 0.5f) {
                k++;
            }
        }
        int[] open = new int[k];
        k = 0;
        for (int i = 0; i < gates.length; i++) {
            if (gates[i] > 0.5f) {
                open[k++] = i;
            }
        }
        return open;
    }

    /**
     * Multiply-accumulates of the main path per image.
     *
     * @param inSide the block input side
     * @return MACs of F
     */
    public long mainMacs(int inSide) {
        long total = 0;
        int side = inSide;
        for (ConvLayer c : convs()) {
            total += c.macs(side);
            side = c.outSide(side);
        }
        return total;
    }

    /**
     * Multiply-accumulates of the shortcut per image.
     *
     * @param inSide the block input side
     * @return MACs of S (0 for identity)
     */
    public long shortcutMacs(int inSide) {
        return downConv == null ? 0 : downConv.macs(inSide);
    }

    /**
     * The output side of the block for an input side.
     *
     * @param inSide input side
     * @return output side
     */
    public int outSide(int inSide) {
        int side = inSide;
        for (ConvLayer c : convs()) {
            side = c.outSide(side);
        }
        return side;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        int side = outSide((int) s.get(2));
        return new Shape[] {new Shape(s.get(0), outChannels, side, side)};
    }
}
