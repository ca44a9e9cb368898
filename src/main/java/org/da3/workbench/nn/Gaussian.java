package org.da3.workbench.nn;

import java.util.SplittableRandom;

/** Standard normal samples from a SplittableRandom (Box-Muller), so initialisation is portable. */
public final class Gaussian {
    private Gaussian() {}

    /**
     * Draws one standard normal sample.
     *
     * @param r the stream
     * @return the sample
     */
    public static double next(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2);
    }
}
