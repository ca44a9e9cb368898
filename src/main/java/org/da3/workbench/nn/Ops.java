package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** The functional operations the layers and the frozen-path backward share. */
public final class Ops {
    private Ops() {}

    /**
     * An int64 tensor in memory that libtorch owns, holding a copy of the values.
     *
     * <p>DJL makes a tensor from Java data over a direct buffer that only the {@code NDArray}
     * object keeps alive: once it is closed, the garbage collector may free the buffer while
     * libtorch still reads it, for instance as an index that autograd saved for the backward pass.
     * Such reads return whatever the memory then holds. Every tensor made from Java data that can
     * outlive its {@code NDArray} (an index, a mask, a per-sample factor) goes through here.
     *
     * @param m the manager
     * @param values the values
     * @return the tensor
     */
    public static NDArray owned(NDManager m, long[] values) {
        try (NDArray borrowed = m.create(values)) {
            return borrowed.duplicate();
        }
    }

    /**
     * {@code x * v}, safe under autograd. DJL's {@code mul(Number)} makes the scalar over a Java
     * buffer and closes it at once, while autograd keeps that scalar for the backward pass, which
     * then may read freed memory (see {@link #owned(NDManager, long[])}); here the scalar lives in
     * memory that libtorch owns.
     *
     * @param x the array
     * @param v the factor
     * @return a new array
     */
    public static NDArray scale(NDArray x, float v) {
        try (NDArray k = x.getManager().full(new Shape(), v, x.getDataType())) {
            return x.mul(k);
        }
    }

    /**
     * {@code x / v}, safe under autograd; see {@link #scale}.
     *
     * @param x the array
     * @param v the divisor
     * @return a new array
     */
    public static NDArray divide(NDArray x, float v) {
        try (NDArray k = x.getManager().full(new Shape(), v, x.getDataType())) {
            return x.div(k);
        }
    }

    /**
     * A float tensor in memory that libtorch owns; see {@link #owned(NDManager, long[])}.
     *
     * @param m the manager
     * @param values the values
     * @param shape the shape
     * @return the tensor
     */
    public static NDArray owned(NDManager m, float[] values, Shape shape) {
        try (NDArray borrowed = m.create(values, shape)) {
            return borrowed.duplicate();
        }
    }

    /**
     * The same (N, C, H, W) values stored channels-last (NHWC in memory, strides (HWC, 1, WC,
     * C)). libtorch's CPU convolutions run on oneDNN, which works in NHWC: a channels-last input
     * spares the reorders in and out of every convolution, and the elementwise ops, batch norm and
     * pooling after it keep the layout, so converting the images once carries through the network.
     * DJL has no memory-format argument; a contiguous copy of the NHWC permutation, viewed back as
     * NCHW, is the same tensor PyTorch's {@code x.to(memory_format=torch.channels_last)} makes.
     * Differentiable (a permutation and a copy).
     *
     * @param x (N, C, H, W)
     * @return the same values, channels-last
     */
    public static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        try (NDArray nhwc = x.transpose(0, 2, 3, 1);
                // reshape of a permuted view cannot be a view: libtorch copies into NHWC order
                NDArray flat = nhwc.reshape(s.get(0) * s.get(2), s.get(3), s.get(1));
                NDArray dense = flat.reshape(s.get(0), s.get(2), s.get(3), s.get(1))) {
            return dense.transpose(0, 3, 1, 2);
        }
    }

    /** Inputs narrower than this take a strided 1x1 convolution in NCHW; see {@link #conv2d}. */
    private static final int NARROW_1X1_CHANNELS = 8;

    /**
     * The same values stored contiguously in NCHW order: a view when they already are, a copy of a
     * channels-last array otherwise (a reshape that cannot be a view copies in row-major order).
     * Differentiable.
     *
     * @param x (N, C, H, W)
     * @return the same values, NCHW-contiguous
     */
    private static NDArray nchw(NDArray x) {
        Shape s = x.getShape();
        try (NDArray flat = x.reshape(s.get(0), s.size() / s.get(0))) {
            return flat.reshape(s);
        }
    }

    /**
     * Zeros of an (N, C, H, W) shape, stored channels-last when asked (then elementwise ops and
     * concatenations with other channels-last arrays keep that layout), else contiguous.
     *
     * @param m the manager
     * @param shape the shape
     * @param type the data type
     * @param channelsLast whether to store them NHWC (for 4-D shapes)
     * @return the zeros
     */
    public static NDArray zeros(NDManager m, Shape shape, ai.djl.ndarray.types.DataType type, boolean channelsLast) {
        if (!channelsLast || shape.dimension() != 4) {
            return m.zeros(shape, type);
        }
        try (NDArray nhwc = m.zeros(new Shape(shape.get(0), shape.get(2), shape.get(3), shape.get(1)), type)) {
            return nhwc.transpose(0, 3, 1, 2);
        }
    }

    /**
     * A 2-D convolution without bias.
     *
     * @param x input (N, C, H, W)
     * @param w weight (O, C/g, k, k)
     * @param stride the stride
     * @param padding zero padding
     * @param groups groups
     * @return the output
     */
    public static NDArray conv2d(NDArray x, NDArray w, int stride, int padding, int groups) {
        Shape ws = w.getShape();
        // oneDNN's AVX2 kernel for the weight gradient of a strided 1x1 convolution over a
        // channels-last input of fewer than 8 channels (libtorch 2.7.1) writes past its buffer: the
        // process aborts with a corrupted heap, or hangs with two threads. Such inputs (a narrow
        // network's first downsampling shortcut) go in NCHW, where the kernel is sound;
        // OpsTest#narrowStridedPointwiseConvolutionTrainsOnAChannelsLastInput keeps it so.
        boolean narrow = stride > 1 && ws.get(2) == 1 && ws.get(3) == 1 && x.getShape().get(1) < NARROW_1X1_CHANNELS;
        NDArray in = narrow ? nchw(x) : x;
        try {
            return x.getNDArrayInternal()
                    .convolution(in, w, null, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1),
                            groups)
                    .singletonOrThrow();
        } finally {
            if (in != x) {
                in.close();
            }
        }
    }

    /**
     * Batch normalisation over channel axis 1.
     *
     * @param x input (N, C, H, W)
     * @param p the parameters and statistics
     * @param training use (and update) batch statistics if {@code p.batchStatistics()}
     * @return the output
     */
    public static NDArray batchNorm(NDArray x, BnParams p, boolean training) {
        boolean useBatch = training && p.batchStatistics();
        // DJL passes (1 - momentum) to PyTorch: 0.9 here is PyTorch's default momentum 0.1.
        // axis -1 selects PyTorch's own channel axis 1 without DJL's swapAxes detour.
        return x.getNDArrayInternal()
                .batchNorm(x, p.runningMean(), p.runningVar(), p.gamma(), p.beta(), -1, 0.9f, BnParams.EPS, useBatch)
                .singletonOrThrow();
    }

    /**
     * Global average pooling of (N, C, H, W) to (N, C).
     *
     * @param x input
     * @return pooled
     */
    public static NDArray gap(NDArray x) {
        // DJL's PyTorch mean takes one axis: flatten H and W first (a view, no copy).
        ai.djl.ndarray.types.Shape s = x.getShape();
        try (NDArray flat = x.reshape(s.get(0), s.get(1), -1)) {
            return flat.mean(new int[] {2});
        }
    }

    /**
     * Closes arrays unless they are the same object as one to keep.
     *
     * @param keep an array that must stay open (may be null)
     * @param arrays arrays to close (nulls ignored)
     */
    public static void closeExcept(NDArray keep, NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null && a != keep) {
                a.close();
            }
        }
    }

    /**
     * Average pooling with a square window equal to the stride, rounding the output size up
     * (a partial window averages what it covers).
     *
     * @param x input (N, C, H, W)
     * @param k the window and stride
     * @return (N, C, ceil(H/k), ceil(W/k))
     */
    public static NDArray avgPool(NDArray x, int k) {
        if (k == 1) {
            // a view keeps the autograd graph (duplicate() would copy the data and cut it)
            return x.reshape(x.getShape());
        }
        return x.getNDArrayInternal().avgPool(new Shape(k, k), new Shape(k, k), new Shape(0, 0), true, false);
    }

    /**
     * Nearest-neighbour upsampling by an integer factor, cropped to a target size.
     *
     * @param x input (N, C, h, w)
     * @param factor the factor
     * @param outH the target height (at most h * factor)
     * @param outW the target width (at most w * factor)
     * @return (N, C, outH, outW)
     */
    public static NDArray upsample(NDArray x, int factor, long outH, long outW) {
        NDArray up = factor > 1 ? spread(x, factor) : x;
        Shape s = up.getShape();
        if (s.get(2) == outH && s.get(3) == outW) {
            return up == x ? x.reshape(s) : up;
        }
        NDArray cropped = up.get(new ai.djl.ndarray.index.NDIndex(":, :, :{}, :{}", outH, outW));
        if (up != x) {
            up.close();
        }
        return cropped;
    }

    /**
     * The gradient of {@link #avgPool} with respect to its input: linear and independent of the
     * input's values, computed exactly (partial windows included) by differentiating the pooling
     * of a zero tensor.
     *
     * @param dOut the gradient of the pooled output
     * @param inShape the pooled input's shape
     * @param k the window and stride
     * @return the gradient of the input
     */
    public static NDArray avgPoolBackward(NDArray dOut, Shape inShape, int k) {
        if (k == 1) {
            return dOut.duplicate();
        }
        if (inShape.get(2) % k == 0 && inShape.get(3) % k == 0) {
            // every window is whole: spread each gradient evenly over its k x k window
            try (NDArray low = divide(dOut, (float) (k * k))) {
                return spread(low, k);
            }
        }
        NDArray dummy = dOut.getManager().zeros(inShape, dOut.getDataType());
        dummy.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            try (NDArray p = avgPool(dummy, k); NDArray prod = p.mul(dOut); NDArray s = prod.sum()) {
                gc.backward(s);
            }
        }
        NDArray g = dummy.getGradient();
        NDArray out = g.duplicate();
        g.close();
        dummy.close();
        return out;
    }

    /**
     * Nearest-neighbour upsampling by an integer factor in one copy: each value fills its k x k
     * window (a broadcast view made contiguous).
     *
     * @param x (N, C, h, w)
     * @param k the factor
     * @return (N, C, h k, w k)
     */
    public static NDArray spread(NDArray x, int k) {
        Shape s = x.getShape();
        try (NDArray r = x.reshape(s.get(0), s.get(1), s.get(2), 1, s.get(3), 1);
                NDArray b = r.broadcast(new Shape(s.get(0), s.get(1), s.get(2), k, s.get(3), k))) {
            return b.reshape(s.get(0), s.get(1), s.get(2) * k, s.get(3) * k);
        }
    }

    /**
     * Adds a coarse array, upsampled by nearest neighbour, into a full-resolution one in place;
     * the full-size upsampled array is never made.
     *
     * <p>A broadcast over a window view of the target (N, C, h, kh, w, kw) would do it in one
     * pass, but its innermost run is kw values long, and libtorch's elementwise loops are then
     * several times slower than a plain add (measured: 0.55 ms against 0.1 ms for 8 x 64 x 32 x
     * 32). So the innermost axis is made whole first: a map of one channel is spread to full
     * size (1/C of the target) and added with a broadcast over the channels; a map of C channels
     * is spread along the width only (1/kh of the target) and added over the view (N, C, h, kh,
     * W), broadcast over kh, whose innermost runs are whole rows.
     *
     * @param into (N, C, H, W), changed in place
     * @param coarse (N, C or 1, H / kh, W / kw), each value standing for a kh x kw window
     */
    public static void addUpsampled(NDArray into, NDArray coarse) {
        addUpsampled(into, coarse, false);
    }

    /**
     * {@link #addUpsampled(NDArray, NDArray)} into an array that is contiguous or channels-last.
     * A channels-last target's NHWC permutation is contiguous: a map of C channels is added over
     * its window view (N, h, kh, w, kw, C), broadcast over kh and kw, with whole channel vectors
     * as the innermost runs.
     *
     * @param into (N, C, H, W), changed in place; contiguous, or channels-last if so marked
     * @param coarse (N, C or 1, H / kh, W / kw), each value standing for a kh x kw window
     * @param channelsLast whether {@code into} is channels-last
     */
    public static void addUpsampled(NDArray into, NDArray coarse, boolean channelsLast) {
        Shape s = into.getShape();
        Shape c = coarse.getShape();
        if (s.equals(c)) {
            into.addi(coarse);
            return;
        }
        long h = c.get(2);
        long w = c.get(3);
        if (h == 0 || w == 0 || s.get(2) % h != 0 || s.get(3) % w != 0
                || (c.get(1) != s.get(1) && c.get(1) != 1) || c.get(0) != s.get(0)) {
            throw new IllegalArgumentException("cannot upsample " + c + " onto " + s
                    + ": the batch must match, the channels match or be 1, and the sides divide");
        }
        long kh = s.get(2) / h;
        long kw = s.get(3) / w;
        long n = c.get(0);
        long ch = c.get(1);
        if (channelsLast && ch == s.get(1)) {
            // the permuted target is contiguous, so its window view is a view: the add writes through.
            // The coarse map goes NHWC first (a copy of 1/(kh kw) of the target): read across its
            // channels, an NCHW map would make the add three times slower (0.7 against 0.23 ms for
            // 8 x 64 x 8 x 8 onto 8 x 64 x 32 x 32)
            try (NDArray t = into.transpose(0, 2, 3, 1); NDArray view = t.reshape(n, h, kh, w, kw, ch);
                    NDArray cl = channelsLast(coarse); NDArray ct = cl.transpose(0, 2, 3, 1);
                    NDArray c6 = ct.reshape(n, h, 1, w, 1, ch)) {
                view.addi(c6);
            }
            return;
        }
        // along the width: each value repeated kw times (a broadcast view made contiguous)
        try (NDArray r = coarse.reshape(n, ch, h, 1, w, 1);
                NDArray b = r.broadcast(new Shape(n, ch, h, 1, w, kw));
                NDArray wide = b.reshape(n, ch, h, 1, w * kw)) {
            if (ch == 1 && s.get(1) > 1) {
                // one channel: make it whole (small) and add with a broadcast over the channels
                try (NDArray rows = wide.broadcast(new Shape(n, 1, h, kh, w * kw));
                        NDArray full = rows.reshape(n, 1, h * kh, w * kw)) {
                    into.addi(full);
                }
                return;
            }
            // a reshape of a contiguous tensor is a view: the in-place add writes through to it
            try (NDArray view = into.reshape(n, s.get(1), h, kh, w * kw)) {
                view.addi(wide);
            }
        }
    }

    /**
     * The gradient of nearest-neighbour upsampling of a one-channel map by ceil(H / h) x ceil(W / w)
     * (cropped to H x W) that is then broadcast over C channels: the sum over the channels and
     * over each window (a window cut by the crop sums what is left of it).
     *
     * @param x (N, C, H, W)
     * @param h the coarse height
     * @param w the coarse width
     * @return (N, 1, h, w)
     */
    public static NDArray windowSum(NDArray x, long h, long w) {
        Shape s = x.getShape();
        long n = s.get(0);
        long fh = (s.get(2) + h - 1) / h;
        long fw = (s.get(3) + w - 1) / w;
        // over the channels first: a contiguous reduction, then the windows of a 1/C-size map
        try (NDArray overC = x.sum(new int[] {1}, true)) {
            if (s.get(2) == h * fh && s.get(3) == w * fw) {
                try (NDArray v = overC.reshape(n, h, fh, w, fw); NDArray sum = v.sum(new int[] {2, 4})) {
                    return sum.reshape(n, 1, h, w);
                }
            }
            try (NDArray padded = x.getManager().zeros(new Shape(n, 1, h * fh, w * fw), x.getDataType())) {
                padded.set(new ai.djl.ndarray.index.NDIndex(":, :, :{}, :{}", s.get(2), s.get(3)), overC);
                try (NDArray v = padded.reshape(n, h, fh, w, fw); NDArray sum = v.sum(new int[] {2, 4})) {
                    return sum.reshape(n, 1, h, w);
                }
            }
        }
    }

    /**
     * The input gradient of a convolution (a transposed convolution with the same weight),
     * computed as a convolution: for stride 1 with the flipped, transposed weight; for stride s the
     * output gradient is first spread onto the input grid with zeros between entries. Needs odd
     * kernels with {@code padding = (k - 1) / 2} (every backbone conv).
     *
     * @param dOut the gradient of the conv output (N, O, h, w)
     * @param w the weight (O, C, k, k), groups 1
     * @param stride the stride
     * @param padding the padding
     * @param inH the input height
     * @param inW the input width
     * @return the gradient of the input (N, C, inH, inW)
     */
    public static NDArray convInputGradient(NDArray dOut, NDArray w, int stride, int padding, long inH, long inW) {
        return convInputGradient(dOut, w, null, stride, padding, inH, inW);
    }

    /**
     * {@link #convInputGradient(NDArray, NDArray, int, int, long, long)} of a conv followed by a
     * per-output-channel scale (a frozen BN): the gradient of {@code scale * conv(x, w)}. The
     * scale goes on whichever copy the computation makes anyway, the flipped gradient or the
     * flipped weight, so it costs no array of its own.
     *
     * @param dOut the gradient of the scaled conv output (N, O, h, w)
     * @param w the weight (O, C, k, k), groups 1
     * @param scale per output channel (O), or null for none
     * @param stride the stride
     * @param padding the padding
     * @param inH the input height
     * @param inW the input width
     * @return the gradient of the input (N, C, inH, inW)
     */
    public static NDArray convInputGradient(NDArray dOut, NDArray w, NDArray scale, int stride, int padding, long inH,
            long inW) {
        return convInputGradient(dOut, w, scale, stride, padding, inH, inW, false);
    }

    /**
     * {@link #convInputGradient(NDArray, NDArray, NDArray, int, int, long, long)} for a gradient
     * stored contiguously or channels-last: the convolutions keep the gradient's layout, and the
     * full-resolution buffers a strided convolution spreads its gradient onto take it too.
     *
     * @param dOut the gradient of the scaled conv output (N, O, h, w)
     * @param w the weight (O, C, k, k), groups 1
     * @param scale per output channel (O), or null for none
     * @param stride the stride
     * @param padding the padding
     * @param inH the input height
     * @param inW the input width
     * @param channelsLast whether {@code dOut} is channels-last (so is the result)
     * @return the gradient of the input (N, C, inH, inW)
     */
    public static NDArray convInputGradient(NDArray dOut, NDArray w, NDArray scale, int stride, int padding, long inH,
            long inW, boolean channelsLast) {
        long k = w.getShape().get(2);
        if (k != 2L * padding + 1) {
            throw new IllegalArgumentException("conv input gradient needs padding (k-1)/2, got k=" + k + " p=" + padding);
        }
        long o = w.getShape().get(0);
        if (stride == 1 && k > 1 && dOut.size() < w.size()) {
            // late stages, where the gradient is smaller than the weight: flip the gradient rather
            // than the weight (conv(g, flip(W)^T) = flip(conv(flip(g), W^T)) for stride 1 and
            // symmetric padding), and hand the convolution a transposed view of the weight itself.
            // A fresh flipped weight costs a third of the convolution there (ResNet-26's 256
            // channels at 8 x 8, micro-batch 8: 3.4-3.7 ms per input gradient, 2.9 ms this way)
            NDArray out;
            try (NDArray gf = dOut.flip(2, 3); NDArray wt = w.transpose(1, 0, 2, 3)) {
                if (scale != null) {
                    try (NDArray s4 = scale.reshape(1, o, 1, 1)) {
                        gf.muli(s4);
                    }
                }
                out = conv2d(gf, wt, 1, padding, 1);
            }
            try (out) {
                return out.flip(2, 3);
            }
        }
        if (scale != null && dOut.size() < w.size()) {
            // late stages (ResNet-50's last ones keep 2-9 MB weights): scale a copy of the smaller
            // gradient, not of the weight, which then goes in as it is
            try (NDArray s4 = scale.reshape(1, o, 1, 1); NDArray scaled = dOut.mul(s4)) {
                return convInputGradient(scaled, w, null, stride, padding, inH, inW, channelsLast);
            }
        }
        if (stride == 2 && k == 3) {
            if (scale == null) {
                return stride2Phases(dOut, w, inH, inW, channelsLast);
            }
            try (NDArray s4 = scale.reshape(o, 1, 1, 1); NDArray ws = w.mul(s4)) {
                return stride2Phases(dOut, ws, inH, inW, channelsLast);
            }
        }
        // the kernel flipped (a 1x1 kernel is its own flip) and scaled: a copy only where needed
        NDArray flipped = k == 1 ? w : w.flip(2, 3);
        if (scale != null) {
            try (NDArray s4 = scale.reshape(o, 1, 1, 1)) {
                if (flipped == w) {
                    flipped = w.mul(s4);
                } else {
                    flipped.muli(s4);
                }
            }
        }
        try (NDArray own = flipped == w ? null : flipped) {
            try (NDArray wt = flipped.transpose(1, 0, 2, 3)) {
                int q = (int) (k - 1 - padding);
                if (stride == 1) {
                    return conv2d(dOut, wt, 1, q, 1);
                }
                Shape s = dOut.getShape();
                if (k == 1) {
                    // a 1x1 conv commutes with the spreading: convolve at the low resolution, then spread
                    try (NDArray low = conv2d(dOut, wt, 1, 0, 1)) {
                        Shape ls = low.getShape();
                        NDArray spread = zeros(dOut.getManager(), new Shape(ls.get(0), ls.get(1), inH, inW),
                                dOut.getDataType(), channelsLast);
                        spread.set(new ai.djl.ndarray.index.NDIndex(":, :, ::{}, ::{}", stride, stride), low);
                        return spread;
                    }
                }
                try (NDArray spread = zeros(dOut.getManager(), new Shape(s.get(0), s.get(1), inH, inW), dOut.getDataType(),
                        channelsLast)) {
                    spread.set(new ai.djl.ndarray.index.NDIndex(":, :, ::{}, ::{}", stride, stride), dOut);
                    return conv2d(spread, wt, 1, q, 1);
                }
            }
        }
    }

    /**
     * The rows (first axis) of an array at the given indices.
     *
     * @param x the array
     * @param rows the indices, ascending
     * @return x[rows]
     */
    public static NDArray gatherRows(NDArray x, int[] rows) {
        // a gate closes few rows, so the open ones come in a few runs: slices (views) copied once
        // by a concatenation cost about a third of an indexed gather
        List<int[]> runs = runs(rows);
        if (runs.size() <= MAX_RUNS) {
            ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList(runs.size());
            for (int[] r : runs) {
                parts.add(x.get(r[1] + ":" + (r[1] + r[2])));
            }
            NDArray out = parts.size() == 1 ? parts.get(0).duplicate() : ai.djl.ndarray.NDArrays.concat(parts, 0);
            parts.close();
            return out;
        }
        long[] idx = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            idx[i] = rows[i];
        }
        try (NDArray index = owned(x.getManager(), idx)) {
            return x.get(new ai.djl.ndarray.index.NDIndex("{}", index));
        }
    }

    /** Beyond this many runs, row operations index the rows rather than slice them. */
    private static final int MAX_RUNS = 16;

    /**
     * The maximal runs of consecutive values in an ascending list of distinct indices.
     *
     * @return per run: its position in the list, its first value, its length
     */
    static List<int[]> runs(int[] at) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < at.length) {
            int j = i + 1;
            while (j < at.length && at[j] == at[j - 1] + 1) {
                j++;
            }
            out.add(new int[] {i, at[i], j - i});
            i = j;
        }
        return out;
    }

    /**
     * Places rows into an array of n rows at the given indices, zeros elsewhere (the inverse of
     * {@link #gatherRows}); differentiable, as it is a concatenation and a gather.
     *
     * @param rows the rows (k, ...)
     * @param at where each row goes, ascending, k of them
     * @param n the number of rows of the result
     * @return (n, ...)
     */
    public static NDArray scatterRows(NDArray rows, int[] at, int n) {
        Shape s = rows.getShape();
        int k = at.length;
        if (k == n) {
            return rows.reshape(s);
        }
        long[] rest = s.slice(1).getShape();
        long[] zshape = new long[rest.length + 1];
        zshape[0] = n - k;
        System.arraycopy(rest, 0, zshape, 1, rest.length);
        long[] inverse = new long[n];
        boolean[] taken = new boolean[n];
        for (int i = 0; i < k; i++) {
            inverse[at[i]] = i;
            taken[at[i]] = true;
        }
        int next = k;
        for (int i = 0; i < n; i++) {
            if (!taken[i]) {
                inverse[i] = next++;
            }
        }
        try (NDArray zeros = rows.getManager().zeros(new Shape(zshape), rows.getDataType());
                NDArray cat = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(rows, zeros), 0);
                NDArray index = owned(rows.getManager(), inverse)) {
            return cat.get(new ai.djl.ndarray.index.NDIndex("{}", index));
        }
    }

    /**
     * Places rows into a new array of n rows at the given indices, zeros elsewhere: {@link
     * #scatterRows} without a graph, written in place into zeros (no concatenation, no gather of the
     * whole array).
     *
     * @param rows the rows (k, ...)
     * @param at where each row goes, k distinct indices
     * @param n the number of rows of the result
     * @return (n, ...)
     */
    public static NDArray placeRows(NDArray rows, int[] at, int n) {
        return placeRows(rows, at, n, false);
    }

    /**
     * {@link #placeRows(NDArray, int[], int)} with zeros of the rows' layout.
     *
     * @param rows the rows (k, ...)
     * @param at where each row goes, k distinct indices
     * @param n the number of rows of the result
     * @param channelsLast whether the rows are channels-last (so is the result, when it is built
     *     from runs of rows)
     * @return (n, ...)
     */
    public static NDArray placeRows(NDArray rows, int[] at, int n, boolean channelsLast) {
        Shape s = rows.getShape();
        if (at.length == n) {
            return rows.reshape(s);
        }
        long[] shape = s.getShape().clone();
        List<int[]> runs = runs(at);
        if (runs.size() <= MAX_RUNS && isAscending(at)) {
            // the runs of rows and the zero blocks between them, written once by a concatenation
            ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
            int next = 0;
            for (int[] r : runs) {
                if (r[1] > next) {
                    shape[0] = r[1] - next;
                    parts.add(zeros(rows.getManager(), new Shape(shape), rows.getDataType(), channelsLast));
                }
                parts.add(rows.get(r[0] + ":" + (r[0] + r[2])));
                next = r[1] + r[2];
            }
            if (next < n) {
                shape[0] = n - next;
                parts.add(zeros(rows.getManager(), new Shape(shape), rows.getDataType(), channelsLast));
            }
            NDArray out = ai.djl.ndarray.NDArrays.concat(parts, 0);
            parts.close();
            return out;
        }
        shape[0] = n;
        NDArray out = zeros(rows.getManager(), new Shape(shape), rows.getDataType(), channelsLast);
        try (NDArray index = owned(rows.getManager(), toLongs(at))) {
            out.set(new ai.djl.ndarray.index.NDIndex("{}", index), rows);
        }
        return out;
    }

    /**
     * Adds rows into an array in place at the given row indices: {@code into[at[i]] += rows[i]}.
     *
     * @param into (n, ...), changed in place
     * @param rows (k, ...)
     * @param at k distinct indices
     */
    public static void addRows(NDArray into, NDArray rows, int[] at) {
        if (at.length == into.getShape().get(0)) {
            into.addi(rows);
            return;
        }
        List<int[]> runs = runs(at);
        if (runs.size() <= MAX_RUNS && isAscending(at)) {
            // a slice of a contiguous array is a view: the in-place add writes through to it
            for (int[] r : runs) {
                try (NDArray dst = into.get(r[1] + ":" + (r[1] + r[2])); NDArray src = rows.get(r[0] + ":" + (r[0] + r[2]))) {
                    dst.addi(src);
                }
            }
            return;
        }
        try (NDArray index = owned(into.getManager(), toLongs(at));
                NDArray picked = into.get(new ai.djl.ndarray.index.NDIndex("{}", index))) {
            picked.addi(rows);
            into.set(new ai.djl.ndarray.index.NDIndex("{}", index), picked);
        }
    }

    private static boolean isAscending(int[] at) {
        for (int i = 1; i < at.length; i++) {
            if (at[i] <= at[i - 1]) {
                return false;
            }
        }
        return true;
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /**
     * The input gradient of a 3x3, stride-2, padding-1 conv by phase (sub-pixel) decomposition.
     * Each of the four interleaved sub-grids of the input gradient is a small stride-1 correlation
     * of the output gradient. Along one axis, even input positions take tap 1, {@code dx[2q] =
     * W1 dy[q]}; odd positions take taps 2 and 0, {@code dx[2q+1] = W2 dy[q] + W0 dy[q+1]}, with
     * {@code dy} padded by one zero at the end. This is a quarter of the work of convolving the
     * zero-spread gradient, without its full-resolution buffers. A channels-last gradient gets
     * channels-last padding, and its phases are interleaved in NHWC order, so the result is
     * channels-last too.
     */
    private static NDArray stride2Phases(NDArray dOut, NDArray w, long inH, long inW, boolean channelsLast) {
        Shape s = dOut.getShape();
        long n = s.get(0);
        long lo = s.get(2);
        long loW = s.get(3);
        NDManager m = dOut.getManager();
        NDArray[][] phase = new NDArray[2][2];
        NDArray padH;
        NDArray padW;
        NDArray padHW;
        try (NDArray zh = zeros(m, new Shape(n, s.get(1), 1, loW), dOut.getDataType(), channelsLast)) {
            padH = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(dOut, zh), 2);
        }
        try (NDArray zw = zeros(m, new Shape(n, s.get(1), lo, 1), dOut.getDataType(), channelsLast);
                NDArray zw2 = zeros(m, new Shape(n, s.get(1), lo + 1, 1), dOut.getDataType(), channelsLast)) {
            padW = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(dOut, zw), 3);
            padHW = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(padH, zw2), 3);
        }
        NDArray[][] inputs = {{dOut, padW}, {padH, padHW}};
        int[][] taps = {{1}, {2, 0}};
        try (NDArray wt = w.transpose(1, 0, 2, 3)) {
            for (int rh = 0; rh < 2; rh++) {
                for (int rw = 0; rw < 2; rw++) {
                    try (NDArray k = subKernel(wt, taps[rh], taps[rw])) {
                        phase[rh][rw] = conv2d(inputs[rh][rw], k, 1, 0, 1);
                    }
                }
            }
        }
        padH.close();
        padW.close();
        padHW.close();
        NDArray out = channelsLast ? interleaveChannelsLast(phase, n, lo, loW, inH, inW)
                : interleave(phase, n, lo, loW, inH, inW);
        for (NDArray[] row : phase) {
            for (NDArray p : row) {
                p.close();
            }
        }
        return out;
    }

    /** The four phases interleaved in NCHW order: columns within each row parity, then the rows. */
    private static NDArray interleave(NDArray[][] phase, long n, long lo, long loW, long inH, long inW) {
        try (NDArray r0 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(phase[0][0], phase[0][1]), 4);
                NDArray r1 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(phase[1][0], phase[1][1]), 4);
                NDArray r0f = r0.reshape(n, -1, lo, 2 * loW); NDArray r1f = r1.reshape(n, -1, lo, 2 * loW);
                NDArray both = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(r0f, r1f), 3);
                NDArray full = both.reshape(n, -1, 2 * lo, 2 * loW)) {
            return cropped(full, lo, loW, inH, inW);
        }
    }

    /**
     * The four channels-last phases interleaved in NHWC order (each phase's NHWC permutation is a
     * contiguous view), viewed back as a channels-last (N, C, H, W) array.
     */
    private static NDArray interleaveChannelsLast(NDArray[][] phase, long n, long lo, long loW, long inH, long inW) {
        try (NDArray p00 = phase[0][0].transpose(0, 2, 3, 1); NDArray p01 = phase[0][1].transpose(0, 2, 3, 1);
                NDArray p10 = phase[1][0].transpose(0, 2, 3, 1); NDArray p11 = phase[1][1].transpose(0, 2, 3, 1);
                NDArray r0 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(p00, p01), 3);
                NDArray r1 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(p10, p11), 3);
                NDArray r0f = r0.reshape(n, lo, 2 * loW, -1); NDArray r1f = r1.reshape(n, lo, 2 * loW, -1);
                NDArray both = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(r0f, r1f), 2);
                NDArray nhwc = both.reshape(n, 2 * lo, 2 * loW, -1); NDArray full = nhwc.transpose(0, 3, 1, 2)) {
            return cropped(full, lo, loW, inH, inW);
        }
    }

    /** A copy of the interleaved gradient, cut to the input's sides (odd sides lose the last row or column). */
    private static NDArray cropped(NDArray full, long lo, long loW, long inH, long inW) {
        if (2 * lo == inH && 2 * loW == inW) {
            return full.duplicate();
        }
        try (NDArray cut = full.get(":, :, :" + inH + ", :" + inW)) {
            return cut.duplicate();
        }
    }

    /** The taps of a (C, O, 3, 3) kernel at the given rows and columns, in that order, contiguous. */
    private static NDArray subKernel(NDArray wt, int[] rows, int[] cols) {
        ai.djl.ndarray.NDList rs = new ai.djl.ndarray.NDList();
        for (int r : rows) {
            ai.djl.ndarray.NDList cs = new ai.djl.ndarray.NDList();
            for (int c : cols) {
                cs.add(wt.get(":, :, " + r + ":" + (r + 1) + ", " + c + ":" + (c + 1)));
            }
            rs.add(cs.size() == 1 ? cs.get(0) : ai.djl.ndarray.NDArrays.concat(cs, 3));
            if (cs.size() > 1) {
                cs.close();
            }
        }
        NDArray k = rs.size() == 1 ? rs.get(0).duplicate() : ai.djl.ndarray.NDArrays.concat(rs, 2);
        rs.close();
        return k;
    }
}
