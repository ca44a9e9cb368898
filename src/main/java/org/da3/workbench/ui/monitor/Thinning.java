package org.da3.workbench.ui.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * What a live chart draws of a long series. A run of hours logs tens of thousands of points per
 * series (a loss, a gate sparsity per block), and a chart that drew a segment for each would
 * spend most of a second per redraw on the UI thread. Above {@link #MAX_DRAWN} points, the series
 * is cut into runs of 2<sup>k</sup> consecutive points (k the smallest that keeps two points per
 * run under the limit) and each run is drawn as its lowest and its highest point, in their order:
 * the curve keeps its envelope and its spikes (a memory peak is never averaged away). The first
 * and the last point are always drawn. Runs start at multiples of 2<sup>k</sup>, so a growing
 * series keeps the points it showed until k doubles.
 */
final class Thinning {
    /** The most points a series is drawn with. */
    static final int MAX_DRAWN = 1000;

    private Thinning() {}

    /**
     * The points to draw of a series.
     *
     * @param s the series
     * @return its points, or its thinned points when it has more than {@link #MAX_DRAWN}
     */
    static List<double[]> of(RunTrace.Series s) {
        int n = s.size();
        List<double[]> out = new ArrayList<>(Math.min(n, MAX_DRAWN));
        if (n <= MAX_DRAWN) {
            for (int i = 0; i < n; i++) {
                out.add(s.point(i));
            }
            return out;
        }
        int run = 2;
        while (2L * ((n + run - 1) / run) > MAX_DRAWN - 2) {
            run *= 2;
        }
        out.add(s.point(0));
        for (int start = 0; start < n; start += run) {
            int end = Math.min(n, start + run);
            int lo = start;
            int hi = start;
            for (int i = start + 1; i < end; i++) {
                double y = s.y(i);
                if (y < s.y(lo)) {
                    lo = i;
                }
                if (y > s.y(hi)) {
                    hi = i;
                }
            }
            int first = Math.min(lo, hi);
            int second = Math.max(lo, hi);
            if (first > 0) {
                out.add(s.point(first));
            }
            if (second != first && second < n - 1) {
                out.add(s.point(second));
            }
        }
        out.add(s.point(n - 1));
        return out;
    }
}
