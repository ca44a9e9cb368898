package org.da3.workbench.train;

import java.nio.charset.StandardCharsets;

/**
 * Splits one run seed into independent streams by purpose (init, order, augmentation, per domain),
 * so no two consumers share a live generator and adding one never shifts another.
 */
public final class Seeds {
    private Seeds() {}

    /**
     * Derives a seed.
     *
     * @param seed the run seed
     * @param purpose what the stream is for, for example "order"
     * @param index further indices (domain, epoch)
     * @return the derived seed
     */
    public static long derive(long seed, String purpose, long... index) {
        long h = mix(seed ^ 0x5DEECE66DL);
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        for (long i : index) {
            h = mix(h ^ i);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
