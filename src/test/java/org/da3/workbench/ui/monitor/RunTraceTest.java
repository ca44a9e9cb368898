package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.junit.jupiter.api.Test;

/** Where each event lands in the charts. */
class RunTraceTest {
    private final RunTrace trace = new RunTrace();
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    private long seq;

    private void apply(double seconds, Event e) {
        trace.apply(new Envelope(1, "r", seq++, t0.plusMillis((long) (seconds * 1000)), e));
    }

    @Test
    void accuracyIsPlacedOnTheEpochCountedOverTheRun() {
        apply(0, new RunStarted("x", "da3", "da3", 1, List.of("a", "b"), Map.of("training", Map.of("epochs", 2)), Map.of()));
        apply(0, new DomainStarted(1, "b", 10, 100, 50, 10, 1, "f"));
        apply(1, new TrainMetrics("b", 1, 5, 15, 1.0, 0.4, 0.1, 0.01, 10));
        apply(2, new Evaluation("b", 1, 1, 1, "test", 0.5, 5, 10, false));
        apply(3, new Evaluation("a", 0, 1, 0, "test", 0.7, 7, 10, true));
        RunTrace.Series train = trace.series(Chart.ACCURACY).get(0);
        assertThat(train.name()).isEqualTo("b train");
        assertThat(train.style()).isEqualTo(RunTrace.Style.DASHED);
        assertThat(train.point(0)).containsExactly(2.0 + 1.0, 0.4); // domain 1 of 2 epochs each, epoch 1 done
        assertThat(trace.series(Chart.ACCURACY).get(1).point(0)).containsExactly(3.0, 0.5);
        assertThat(trace.series(Chart.ACCURACY).get(2).name()).isEqualTo("a test");
        assertThat(trace.series(Chart.ACCURACY).get(2).point(0)).as("after domain b: end of epoch 4")
                .containsExactly(4.0, 0.7);
        assertThat(trace.series(Chart.LOSS).get(0).point(0)).containsExactly(15.0, 1.0);
    }

    @Test
    void memoryAgainstSecondsWithThePredictionOnTopOfTheBaseline() {
        apply(0, new RunStarted("x", "da3", "da3", 1, List.of("a"), Map.of(), Map.of()));
        apply(1.5, new MemorySample("train", "rss", 300_000_000, 310_000_000, 250_000_000, 40_000_000));
        apply(2, new MemorySample("train", "cuda", 10_000_000, -1, -1, -1));
        List<RunTrace.Series> mem = trace.series(Chart.MEMORY);
        assertThat(mem).extracting(RunTrace.Series::name).containsExactly("RSS", "analytic prediction", "CUDA");
        assertThat(mem.get(0).point(0)).containsExactly(1.5, 300.0);
        assertThat(mem.get(1).point(0)).containsExactly(1.5, 290.0);
    }

    @Test
    void gateSparsityOverallAndPerBlock() {
        apply(0, new GateStats("a", 10, 10, 0.75, List.of(1.0, 0.5), "train"));
        apply(0, new GateStats("a", -1, -1, 0.5, List.of(1.0, 0.0), "eval"));
        List<RunTrace.Series> g = trace.series(Chart.GATES);
        assertThat(g).extracting(RunTrace.Series::name).containsExactly("sparsity", "block 1", "block 2");
        assertThat(g.get(0).point(0)).containsExactly(10.0, 0.25);
        assertThat(g.get(2).point(0)).containsExactly(10.0, 0.5);
        assertThat(g.get(0).size()).as("evaluation gates are not training steps").isEqualTo(1);
    }
}
