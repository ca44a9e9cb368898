package org.da3.workbench.report;

/**
 * A value aggregated over seeds.
 *
 * @param mean the mean over the runs that have the value, NaN if none
 * @param std the sample standard deviation, NaN unless {@code n > 1}
 * @param n how many runs have the value
 */
public record Stats(double mean, double std, int n) {

    /** No value. */
    public static final Stats NONE = new Stats(Double.NaN, Double.NaN, 0);

    /**
     * A single value (no standard deviation).
     *
     * @param v the value, NaN for none
     * @return the stats
     */
    public static Stats of(double v) {
        return Double.isNaN(v) ? NONE : new Stats(v, Double.NaN, 1);
    }

    /**
     * Aggregates values; NaN values are left out.
     *
     * @param values the values
     * @return mean, sample standard deviation and count
     */
    public static Stats over(double... values) {
        double s = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        if (n == 0) {
            return NONE;
        }
        double mean = s / n;
        if (n == 1) {
            return new Stats(mean, Double.NaN, 1);
        }
        double ss = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                ss += (v - mean) * (v - mean);
            }
        }
        return new Stats(mean, Math.sqrt(ss / (n - 1)), n);
    }

    /** @return whether there is a value */
    public boolean present() {
        return n > 0 && !Double.isNaN(mean);
    }

    /** @return whether a standard deviation is shown (several runs) */
    public boolean hasSpread() {
        return n > 1 && !Double.isNaN(std);
    }
}
