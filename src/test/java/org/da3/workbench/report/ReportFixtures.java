package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.test.TestWorkspace;

/**
 * Shared fixtures of the report tests: the recorded runs (events written by the worker, see
 * {@code experiments/README.md} beside them), golden files, and small runs built from events in
 * memory for values the recorded methods do not report (gates, analytic memory, MACs, latency).
 */
final class ReportFixtures {
    private ReportFixtures() {}

    /** @return the resources folder of the report tests */
    static Path resources() {
        return TestWorkspace.projectDir().resolve("src/test/resources/org/da3/workbench/report");
    }

    /** @return the recorded experiment directory (6 runs: linear and finetune x 2 seeds, 1 failed, 1 cancelled) */
    static Path paper() {
        return resources().resolve("experiments/paper");
    }

    /**
     * @return the recorded runs
     * @throws IOException on a read error
     */
    static ResultsStore paperStore() throws IOException {
        return ResultsStore.load(List.of(paper()));
    }

    /**
     * Compares text with a golden file; {@code -Dda3.updateGolden=true} rewrites the file instead.
     *
     * @param name the file under golden/
     * @param actual the text
     * @throws IOException on a read error
     */
    static void assertGolden(String name, String actual) throws IOException {
        Path file = resources().resolve("golden").resolve(name);
        if (Boolean.getBoolean("da3.updateGolden")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(file).as("golden file %s (regenerate with -Dda3.updateGolden=true)", file).exists();
        assertThat(actual).as("golden file %s (regenerate with -Dda3.updateGolden=true)", name)
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * A completed run built from events: one evaluation per domain from its patch, and the
     * summary keys of DA3 runs (analytic memory, MACs with gate skipping, gate sparsity,
     * latency) when {@code gates} is true.
     *
     * @param runId the id
     * @param method the method name (and label)
     * @param seed the seed
     * @param accuracy accuracy per domain, in order
     * @param measuredBytes measured peak
     * @param gates whether to report DA3 values
     * @return the run
     */
    static RunResult syntheticRun(String runId, String method, long seed, Map<String, Double> accuracy,
            long measuredBytes, boolean gates) {
        return syntheticRun(runId, method, seed, accuracy, measuredBytes, gates, null);
    }

    /**
     * {@link #syntheticRun(String, String, long, Map, long, boolean)} whose summary names the
     * allocator setting it ran with.
     *
     * @param runId the id
     * @param method the method name (and label)
     * @param seed the seed
     * @param accuracy accuracy per domain, in order
     * @param measuredBytes measured peak
     * @param gates whether to report DA3 values
     * @param allocator exact or reuse; null for none (runs from before the setting)
     * @return the run
     */
    static RunResult syntheticRun(String runId, String method, long seed, Map<String, Double> accuracy,
            long measuredBytes, boolean gates, String allocator) {
        return syntheticRun("synthetic", runId, method, seed, accuracy, measuredBytes, gates, allocator);
    }

    /**
     * {@link #syntheticRun(String, String, long, Map, long, boolean, String)} of a named experiment.
     *
     * @param experiment the experiment
     * @param runId the id
     * @param method the method name (and label)
     * @param seed the seed
     * @param accuracy accuracy per domain, in order
     * @param measuredBytes measured peak
     * @param gates whether to report DA3 values
     * @param allocator exact or reuse; null for none (runs from before the setting)
     * @return the run
     */
    static RunResult syntheticRun(String experiment, String runId, String method, long seed,
            Map<String, Double> accuracy, long measuredBytes, boolean gates, String allocator) {
        return RunResult.fromEvents(null, runId, syntheticEvents(experiment, runId, method, seed, accuracy,
                measuredBytes, gates, allocator));
    }

    /**
     * The events of {@link #syntheticRun(String, String, String, long, Map, long, boolean, String)}.
     *
     * @param experiment the experiment
     * @param runId the id
     * @param method the method name (and label)
     * @param seed the seed
     * @param accuracy accuracy per domain, in order
     * @param measuredBytes measured peak
     * @param gates whether to report DA3 values
     * @param allocator exact or reuse, or null
     * @return the events
     */
    static List<Envelope> syntheticEvents(String experiment, String runId, String method, long seed,
            Map<String, Double> accuracy, long measuredBytes, boolean gates, String allocator) {
        List<String> domains = new ArrayList<>(accuracy.keySet());
        List<Event> ev = new ArrayList<>();
        ev.add(new RunStarted(experiment, method, method, seed, domains, Map.of(), Map.of()));
        long step = 0;
        Map<String, Object> gateMap = new LinkedHashMap<>();
        Map<String, Object> macs = new LinkedHashMap<>();
        Map<String, Object> latency = new LinkedHashMap<>();
        for (int i = 0; i < domains.size(); i++) {
            String d = domains.get(i);
            ev.add(new DomainStarted(i, d, 10, 100, 50, 10, gates ? 1200 : 90000, "fp"));
            ev.add(new MemorySample("idle", "rss", 100_000_000, 100_000_000, 100_000_000, -1));
            for (int k = 1; k <= 2; k++) {
                step += 5;
                ev.add(new TrainMetrics(d, k, k * 5L, step, 1.0 / k, 0.5, 0.05, 0.01, 1000));
                ev.add(new MemorySample("train", "rss", 100_000_000 + measuredBytes, 100_000_000 + measuredBytes,
                        100_000_000, gates ? 2_000_000 : 40_000_000));
                if (gates) {
                    ev.add(new GateStats(d, k * 5L, step, 1 - 0.1 * k, List.of(0.9, 0.8), "train"));
                }
                ev.add(new Evaluation(d, i, i, k, "test", accuracy.get(d) - 0.01 * (2 - k), 1, 2, false));
            }
            ev.add(new CheckpointSaved(d, "patches/" + d + ".safetensors", gates ? 5000 : 400000, 10, "sha"));
            for (int j = 0; j <= i; j++) {
                ev.add(new Evaluation(domains.get(j), j, i, 0, "test", accuracy.get(domains.get(j)), 1, 2, true));
            }
            if (gates) {
                ev.add(new GateStats(d, -1, step, 0.7, List.of(0.8, 0.6), "eval"));
                gateMap.put(d, 0.3);
                macs.put(d, 600_000.0);
                latency.put(d, Map.of("skip", 1.5, "full", 2.0));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("peak_step_bytes", measuredBytes);
        summary.put("backbone_macs", 863_232);
        if (allocator != null) {
            summary.put("allocator", allocator);
        }
        if (gates) {
            summary.put("analytic_step_bytes", 2_500_000L);
            summary.put("macs_per_image", macs);
            summary.put("macs_per_image_full", 863_232);
            summary.put("gate_sparsity", gateMap);
            summary.put("latency_ms", latency);
        }
        ev.add(new RunFinished(RunFinished.COMPLETED, 10, summary));
        List<Envelope> env = new ArrayList<>();
        for (int i = 0; i < ev.size(); i++) {
            env.add(new Envelope(Envelope.SCHEMA, runId, i, Instant.EPOCH.plusSeconds(i), ev.get(i)));
        }
        return env;
    }
}
