package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A long series is drawn with its envelope, its spikes and its ends, in a few thousand points. */
class ThinningTest {
    private static RunTrace.Series series(int n, long seed) {
        RunTrace.Series s = new RunTrace.Series("loss", RunTrace.Chart.LOSS, "loss", "loss", RunTrace.Style.SOLID);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            s.add(i * 10, 2.0 * Math.exp(-i / 5000.0) + 0.1 * r.nextGaussian());
        }
        return s;
    }

    @Test
    void aShortSeriesIsDrawnWhole() {
        RunTrace.Series s = series(Thinning.MAX_DRAWN, 1);
        List<double[]> drawn = Thinning.of(s);
        assertThat(drawn).hasSize(Thinning.MAX_DRAWN);
        for (int i = 0; i < s.size(); i++) {
            assertThat(drawn.get(i)).containsExactly(s.point(i));
        }
    }

    @Test
    void aLongSeriesKeepsItsEnvelopeSpikesAndEnds() {
        int n = 30_000;
        RunTrace.Series s = new RunTrace.Series("m", RunTrace.Chart.MEMORY, "rss", "rss", RunTrace.Style.SOLID);
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            double y = i == 12_345 ? 500 : i == 20_001 ? -50 : 100 + r.nextGaussian();
            s.add(i, y);
        }
        List<double[]> drawn = Thinning.of(s);
        assertThat(drawn.size()).isLessThanOrEqualTo(Thinning.MAX_DRAWN).isGreaterThan(Thinning.MAX_DRAWN / 4);
        assertThat(drawn.get(0)).containsExactly(s.point(0));
        assertThat(drawn.get(drawn.size() - 1)).as("the latest value").containsExactly(s.point(n - 1));
        assertThat(drawn).contains(s.point(12_345), s.point(20_001));
        for (int i = 1; i < drawn.size(); i++) {
            assertThat(drawn.get(i)[0]).as("in order, each once").isGreaterThan(drawn.get(i - 1)[0]);
        }
        // every run of consecutive points shows its lowest and highest value
        int run = 1;
        while (n / run * 2 > Thinning.MAX_DRAWN) {
            run *= 2;
        }
        for (int start = 0; start < n; start += run) {
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (int i = start; i < Math.min(n, start + run); i++) {
                lo = Math.min(lo, s.point(i)[1]);
                hi = Math.max(hi, s.point(i)[1]);
            }
            final int from = start;
            final int to = start + run;
            List<double[]> in = drawn.stream().filter(p -> p[0] >= from && p[0] < to).toList();
            assertThat(in.stream().mapToDouble(p -> p[1]).min().orElseThrow()).isEqualTo(lo);
            assertThat(in.stream().mapToDouble(p -> p[1]).max().orElseThrow()).isEqualTo(hi);
        }
    }

    @Test
    void aGrowingSeriesKeepsThePointsItShowed() {
        RunTrace.Series s = series(10_000, 5);
        List<double[]> before = Thinning.of(s);
        for (int i = 0; i < 100; i++) {
            s.add(100_000 + i, 1.0);
        }
        List<double[]> after = Thinning.of(s);
        // the last run of points before may have grown; all before it is drawn as it was
        int settled = before.size() - 4;
        assertThat(after.subList(0, settled)).containsExactlyElementsOf(before.subList(0, settled));
    }
}
