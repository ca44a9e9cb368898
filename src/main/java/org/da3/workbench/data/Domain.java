package org.da3.workbench.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A loaded domain: its classes, its training and test splits as uint8 images, and the per-channel
 * normalisation statistics.
 *
 * @param name the dataset name
 * @param classNames the class names, index = label
 * @param train the training split
 * @param test the test split
 * @param mean per-channel mean of the training pixels in [0, 1] (3 values)
 * @param std per-channel standard deviation in [0, 1] (3 values)
 * @param skipped images that were skipped because they could not be decoded
 */
public record Domain(
        String name, List<String> classNames, Split train, Split test, float[] mean, float[] std,
        int skipped) {

    /** Checks that the splits and statistics agree. */
    public Domain {
        Objects.requireNonNull(name);
        classNames = List.copyOf(classNames);
        Objects.requireNonNull(train);
        Objects.requireNonNull(test);
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train and test images differ in size");
        }
    }

    /** @return the number of classes */
    public int numClasses() {
        return classNames.size();
    }

    /**
     * A content fingerprint of the data (SHA-256 over pixels and labels of both splits, first 16 hex
     * digits), recorded in each run's manifest.
     *
     * @return the fingerprint
     */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Split s : List.of(train, test)) {
                md.update(s.pixels());
                ByteBuffer bb = ByteBuffer.allocate(s.labels().length * 4);
                bb.asIntBuffer().put(s.labels());
                md.update(bb.array());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Computes per-channel mean and standard deviation of a split's pixels, in [0, 1], RGB (a
     * grayscale split gives the same value thrice).
     *
     * @param s the split
     * @return {mean[3], std[3]}
     */
    public static float[][] statistics(Split s) {
        int c = s.channels();
        double[] sum = new double[c];
        double[] sq = new double[c];
        byte[] p = s.pixels();
        for (int i = 0; i < p.length; i++) {
            double v = (p[i] & 0xFF) / 255.0;
            sum[i % c] += v;
            sq[i % c] += v * v;
        }
        long n = Math.max(1, p.length / c);
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int k = 0; k < 3; k++) {
            int src = c == 1 ? 0 : k;
            double m = sum[src] / n;
            mean[k] = (float) m;
            std[k] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sq[src] / n - m * m)));
        }
        return new float[][] {mean, std};
    }
}
