package org.da3.workbench.data.files;

/**
 * Accumulates per-channel sums of uint8 pixels exactly (in longs) and turns them into the mean and
 * standard deviation in [0, 1] that {@link org.da3.workbench.data.Domain} carries: three values,
 * a grayscale channel repeated.
 */
final class PixelStats {
    private final long[] sum;
    private final long[] sq;
    private final long[] n;

    /**
     * Creates an accumulator.
     *
     * @param channels 1 or 3
     */
    PixelStats(int channels) {
        sum = new long[channels];
        sq = new long[channels];
        n = new long[channels];
    }

    /**
     * Adds a run of pixels of one channel.
     *
     * @param b the bytes
     * @param off the first
     * @param len how many
     * @param channel the channel they belong to
     */
    void addPlane(byte[] b, int off, int len, int channel) {
        long s = 0;
        long q = 0;
        for (int i = off; i < off + len; i++) {
            int v = b[i] & 0xFF;
            s += v;
            q += v * v;
        }
        sum[channel] += s;
        sq[channel] += q;
        n[channel] += len;
    }

    /**
     * Adds interleaved pixels (HWC).
     *
     * @param b the bytes
     * @param off the first
     * @param len how many bytes (a multiple of the channels)
     */
    void addInterleaved(byte[] b, int off, int len) {
        int c = sum.length;
        if (c == 1) {
            addPlane(b, off, len, 0);
            return;
        }
        for (int i = off; i < off + len; i += c) {
            for (int k = 0; k < c; k++) {
                int v = b[i + k] & 0xFF;
                sum[k] += v;
                sq[k] += v * v;
                n[k]++;
            }
        }
    }

    /** @return {mean[3], std[3]} in [0, 1]; std at least 1e-3 */
    float[][] result() {
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int k = 0; k < 3; k++) {
            int c = sum.length == 1 ? 0 : k;
            double count = Math.max(1, n[c]);
            double m = sum[c] / count / 255.0;
            double var = sq[c] / count / (255.0 * 255.0) - m * m;
            mean[k] = (float) m;
            std[k] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, var)));
        }
        return new float[][] {mean, std};
    }
}
