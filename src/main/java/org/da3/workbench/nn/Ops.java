package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** The functional operations the layers and the frozen-path backward share. */
public final class Ops {
    private Ops() {}

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
        return x.getNDArrayInternal()
                .convolution(x, w, null, new Shape(stride, stride), new Shape(padding, padding),
                        new Shape(1, 1), groups)
                .singletonOrThrow();
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
            return x.duplicate();
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
        NDArray up = x;
        if (factor > 1) {
            try (NDArray rows = x.repeat(2, factor)) {
                up = rows.repeat(3, factor);
            }
        }
        Shape s = up.getShape();
        if (s.get(2) == outH && s.get(3) == outW) {
            return up == x ? x.duplicate() : up;
        }
        NDArray cropped = up.get(new ai.djl.ndarray.index.NDIndex(":, :, :{}, :{}", outH, outW));
        if (up != x) {
            up.close();
        }
        return cropped;
    }
}
