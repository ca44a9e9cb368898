package org.da3.workbench.data.files;

/**
 * Resizes uint8 images (HWC, 1 or 3 channels) with a separable triangle filter whose support grows
 * with the scale factor, so shrinking averages every source pixel (no aliasing) and enlarging is
 * bilinear; the same method as PIL's antialiased bilinear resize. Pure Java, whose floating point
 * is strict since Java 17, so the same bytes come out on every machine.
 */
public final class Resampler {

    private Resampler() {}

    /**
     * Resamples a box of a source image to an output size.
     *
     * @param src the source pixels, HWC
     * @param sw the source width
     * @param sh the source height
     * @param c the channels (1 or 3)
     * @param box the source box {x0, y0, w, h} (fractional pixels)
     * @param ow the output width
     * @param oh the output height
     * @return the output pixels, HWC
     */
    public static byte[] resample(byte[] src, int sw, int sh, int c, double[] box, int ow, int oh) {
        if (box[0] == 0 && box[1] == 0 && box[2] == sw && box[3] == sh && ow == sw && oh == sh) {
            return src.clone();
        }
        Weights wx = weights(sw, box[0], box[2], ow);
        Weights wy = weights(sh, box[1], box[3], oh);
        // Horizontal pass over the rows the vertical pass needs.
        int rowLo = wy.first[0];
        int rowHi = wy.first[oh - 1] + wy.count[oh - 1];
        float[] tmp = new float[(rowHi - rowLo) * ow * c];
        for (int y = rowLo; y < rowHi; y++) {
            int srow = y * sw * c;
            int trow = (y - rowLo) * ow * c;
            for (int x = 0; x < ow; x++) {
                int f = wx.first[x];
                int n = wx.count[x];
                int wo = x * wx.stride;
                for (int k = 0; k < c; k++) {
                    float acc = 0;
                    for (int j = 0; j < n; j++) {
                        acc += wx.w[wo + j] * (src[srow + (f + j) * c + k] & 0xFF);
                    }
                    tmp[trow + x * c + k] = acc;
                }
            }
        }
        byte[] out = new byte[oh * ow * c];
        for (int y = 0; y < oh; y++) {
            int f = wy.first[y] - rowLo;
            int n = wy.count[y];
            int wo = y * wy.stride;
            for (int i = 0; i < ow * c; i++) {
                float acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += wy.w[wo + j] * tmp[(f + j) * ow * c + i];
                }
                int v = Math.round(acc);
                out[y * ow * c + i] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return out;
    }

    /**
     * Resizes an image to a square of {@code size} as the preprocessing says.
     *
     * @param src the source pixels, HWC
     * @param sw the source width
     * @param sh the source height
     * @param c the channels
     * @param p the preprocessing
     * @param size the output side
     * @return the output pixels, HWC
     */
    public static byte[] square(byte[] src, int sw, int sh, int c, Preprocess p, int size) {
        return resample(src, sw, sh, c, p.sourceBox(sw, sh), size, size);
    }

    /** Filter taps per output coordinate, {@code stride} floats each. */
    private record Weights(int[] first, int[] count, float[] w, int stride) {}

    private static Weights weights(int inSize, double start, double length, int outSize) {
        double scale = length / outSize;
        double support = Math.max(scale, 1.0);
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        float[] w = new float[outSize * stride];
        for (int i = 0; i < outSize; i++) {
            double centre = start + (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - support + 0.5));
            int hi = Math.min(inSize, (int) Math.floor(centre + support + 0.5));
            if (hi <= lo) {
                lo = Math.min(Math.max(0, (int) Math.floor(centre)), inSize - 1);
                hi = lo + 1;
            }
            double sum = 0;
            double[] tmp = new double[hi - lo];
            for (int j = lo; j < hi; j++) {
                double t = Math.abs((j + 0.5 - centre) / support);
                double v = t < 1 ? 1 - t : 0;
                tmp[j - lo] = v;
                sum += v;
            }
            if (sum == 0) {
                // The centre falls exactly between taps of zero weight: take the nearest pixel.
                int j = Math.min(Math.max(0, (int) Math.floor(centre)), inSize - 1);
                lo = j;
                hi = j + 1;
                tmp = new double[] {1};
                sum = 1;
            }
            int n = Math.min(hi - lo, stride);
            first[i] = lo;
            count[i] = n;
            for (int j = 0; j < n; j++) {
                w[i * stride + j] = (float) (tmp[j] / sum);
            }
        }
        return new Weights(first, count, w, stride);
    }
}
