package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.junit.jupiter.api.Test;

/**
 * The Monitor keeps the chart points of every run in its queue: a sweep of DA3 runs, each logging
 * its loss, memory and 12 blocks' gates thousands of times, fits in a small heap.
 */
class RunTraceScaleTest {
    /** DA3 runs in the queue, and logging windows of each (a window: loss, memory, gates). */
    private static final int RUNS = 40;
    private static final int WINDOWS = 2000;
    /** Residual blocks of a ResNet-26: a gate open ratio each. */
    private static final int BLOCKS = 12;
    /**
     * The child's heap: the 1.4 million points (17 a window) fit in it as 16 bytes each, not as
     * an array object each (36 bytes).
     */
    private static final String HEAP = "-Xmx40m";

    @Test
    void theChartPointsOfASweepFitInABoundedHeap() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-cp", System.getProperty("java.class.path"), RunTraceScaleTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains(RUNS + " runs, " + (long) RUNS * WINDOWS * (2 + 2 + 1 + BLOCKS) + " points");
    }

    /**
     * The child: builds the chart data of {@link #RUNS} runs from their events, as the Monitor
     * does, keeping the traces and not the events.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<RunTrace> traces = new ArrayList<>();
        long points = 0;
        for (int r = 0; r < RUNS; r++) {
            RunTrace trace = new RunTrace();
            List<Event> head = List.of(new RunStarted("sweep", "da3", "da3", r, List.of("shapes"),
                    Map.of("training", Map.of("epochs", 1)), Map.of()),
                    new DomainStarted(0, "shapes", 10, 2000, 500, 10L * WINDOWS, 5090, "f", null, null, null));
            long seq = 0;
            for (Event e : head) {
                trace.apply(new Envelope(1, "r" + r, seq++, t0, e));
            }
            for (int w = 1; w <= WINDOWS; w++) {
                long step = 10L * w;
                List<Double> blocks = new ArrayList<>();
                for (int b = 0; b < BLOCKS; b++) {
                    blocks.add(0.5 + 0.4 * Math.sin(w * 0.01 + b));
                }
                Instant t = t0.plusMillis(250L * w);
                for (Event e : List.of(new TrainMetrics("shapes", 1, step, step, 2.0 / w, 0.5, 0.05, 0.02, 3200),
                        new MemorySample("train", "rss", 300_000_000L + w, 310_000_000L, 280_000_000L, 20_000_000L,
                                Map.of()),
                        new GateStats("shapes", step, step, 0.6, blocks, "train"))) {
                    trace.apply(new Envelope(1, "r" + r, seq++, t, e));
                }
            }
            for (RunTrace.Chart c : RunTrace.Chart.values()) {
                points += trace.pointCount(c);
            }
            traces.add(trace);
        }
        System.out.println(traces.size() + " runs, " + points + " points");
    }
}
