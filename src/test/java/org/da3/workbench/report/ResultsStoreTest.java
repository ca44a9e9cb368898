package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class ResultsStoreTest {

    @Test
    void readsAnExperimentDirectoryAndKeepsEveryRun() throws IOException {
        ResultsStore s = ReportFixtures.paperStore();
        assertThat(s.runs()).hasSize(6);
        assertThat(s.domains()).containsExactly("tiny-shapes", "tiny-textures");
        assertThat(s.runs().stream().map(r -> r.record().status()).collect(Collectors.toList()))
                .containsExactly("completed", "completed", "completed", "completed", "failed", "cancelled");
        assertThat(s.entries().stream().map(ResultsStore.Entry::key))
                .containsExactly("linear", "finetune", "finetune s3", "linear s3");
        assertThat(s.entries().stream().map(ResultsStore.Entry::statusText)).containsExactly(
                "completed (2 seeds)", "completed (2 seeds)", "failed in tiny-shapes", "cancelled in tiny-textures");
    }

    @Test
    void resultsTableHasOneRowPerRunAndDomain() throws IOException {
        Table t = ReportFixtures.paperStore().results();
        assertThat(t.rowCount()).isEqualTo(12);
        assertThat(t.columnNames()).contains("entry", "run_id", "method", "seed", "status", "domain", "accuracy",
                "final", "measured_step_bytes", "analytic_step_bytes", "gate_sparsity", "macs_per_image");
        assertThat(ReportFixtures.paperStore().perRun().rowCount()).isEqualTo(6);
    }

    @Test
    void aggregatesCompletedSeedsWithMeanAndSampleStd() throws IOException {
        ResultsStore s = ReportFixtures.paperStore();
        RunResult s1 = s.runs().get(2);
        RunResult s2 = s.runs().get(3);
        assertThat(s1.record().label()).isEqualTo("finetune");
        double a = s1.accuracy("tiny-shapes");
        double b = s2.accuracy("tiny-shapes");
        Stats st = s.stats("finetune", "tiny-shapes", ResultsStore.ACCURACY);
        assertThat(st.n()).isEqualTo(2);
        assertThat(st.mean()).isCloseTo((a + b) / 2, within(1e-12));
        assertThat(st.std()).isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(1e-12));
        Stats mem = s.stats("finetune", "measured_step_bytes");
        assertThat(mem.mean()).isCloseTo((s1.measuredStepBytes() + s2.measuredStepBytes()) / 2.0, within(1e-6));
    }

    @Test
    void theLatestRunOfARepeatedSeedStandsInWhateverOrderTheRunsCome() {
        RunResult earlier = ReportFixtures.syntheticRun("20261125-002255-linear-s1", "linear", 1,
                java.util.Map.of("dtd", 0.4), 1_000_000, false);
        RunResult later = ReportFixtures.syntheticRun("20261126-090000-linear-s1", "linear", 1,
                java.util.Map.of("dtd", 0.9), 1_000_000, false);
        for (List<RunResult> order : List.of(List.of(earlier, later), List.of(later, earlier))) {
            ResultsStore s = ResultsStore.of(order);
            assertThat(s.entries()).singleElement().satisfies(e -> assertThat(e.runs()).containsExactly(later));
            assertThat(s.stats("linear", "dtd", ResultsStore.ACCURACY).mean()).isEqualTo(0.9);
            assertThat(s.warnings()).containsExactly("linear seed 1 completed more than once:"
                    + " 20261126-090000-linear-s1 stands, 20261125-002255-linear-s1 is left out of the mean"
                    + " (--per-run lists both)");
        }
    }

    @Test
    void partialRunsKeepTheValuesTheyReached() throws IOException {
        ResultsStore s = ReportFixtures.paperStore();
        RunResult failed = s.runs().get(4);
        assertThat(failed.record().status()).isEqualTo("failed");
        assertThat(failed.record().error()).contains("the loss became NaN");
        assertThat(failed.accuracy("tiny-shapes")).isGreaterThan(0);
        assertThat(failed.isFinal("tiny-shapes")).isFalse();
        assertThat(failed.stoppedIn()).isEqualTo("tiny-shapes");
        RunResult cancelled = s.runs().get(5);
        assertThat(cancelled.record().status()).isEqualTo("cancelled");
        assertThat(cancelled.isFinal("tiny-shapes")).isTrue();
        assertThat(cancelled.accuracy("tiny-textures")).isNaN();
        assertThat(cancelled.meanAccuracy()).isNaN();
        assertThat(s.stats("linear s3", "tiny-shapes", ResultsStore.ACCURACY).n()).isEqualTo(1);
    }

    @Test
    void perRunEntriesListEveryRun() throws IOException {
        ResultsStore s = ReportFixtures.paperStore().withEntriesPerRun(true);
        assertThat(s.entries().stream().map(ResultsStore.Entry::key)).containsExactly("linear s1", "linear s2",
                "finetune s1", "finetune s2", "finetune s3", "linear s3");
    }

    @Test
    void acceptsRunDirectoriesAndDropsDuplicates() throws IOException {
        List<Path> dirs = ResultsStore.runDirectories(ReportFixtures.paper());
        ResultsStore s = ResultsStore.load(List.of(dirs.get(0), ReportFixtures.paper(), dirs.get(1)));
        assertThat(s.runs()).hasSize(6);
        assertThat(ResultsStore.load(List.of(dirs.get(0))).runs()).hasSize(1);
        assertThat(ResultsStore.runDirectories(ReportFixtures.paper().resolve("runs"))).hasSize(6);
    }

    @Test
    void aRunWithoutRunFinishedIsRunningOrCutOff(@TempDir Path tmp) throws Exception {
        Path src = ResultsStore.runDirectories(ReportFixtures.paper()).get(2).resolve("events.jsonl");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(src));
        assertThat(lines.get(0)).contains("\"host\":\"vm\"");
        // its worker on another machine: it may still run
        lines.set(0, lines.get(0).replace("\"host\":\"vm\"", "\"host\":\"another-machine\""));
        Path dir = Files.createDirectories(tmp.resolve("crashed"));
        Files.write(dir.resolve("events.jsonl"), lines.subList(0, lines.size() / 2));
        Files.writeString(dir.resolve("events.jsonl"), "{\"torn", java.nio.file.StandardOpenOption.APPEND);
        ResultsStore s = ResultsStore.load(List.of(dir));
        assertThat(s.runs().get(0).record().status()).isEqualTo("running");
        assertThat(s.entries().get(0).partial()).isTrue();
        assertThat(s.entries().get(0).statusText()).startsWith("running in ");

        // its worker on this machine, and gone
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        lines.set(0, lines.get(0).replace("\"host\":\"another-machine\"", "\"host\":\""
                + java.net.InetAddress.getLocalHost().getHostName() + "\"").replaceFirst("\"pid\":[0-9]+",
                "\"pid\":" + p.pid()));
        Files.write(dir.resolve("events.jsonl"), lines.subList(0, lines.size() / 2));
        assertThat(ResultsStore.load(List.of(dir)).entries().get(0).statusText()).startsWith("cut off in ");
    }

    @Test
    void namesAPathThatHoldsNoRun(@TempDir Path tmp) {
        assertThatThrownBy(() -> ResultsStore.load(List.of(tmp))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tmp.toString()).hasMessageContaining("experiment directories");
        assertThatThrownBy(() -> ResultsStore.load(List.of(tmp.resolve("nope"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such directory");
    }

    @Test
    void namesAnEventLogThatIsAFolder(@TempDir Path tmp) throws IOException {
        Path log = Files.createDirectories(tmp.resolve("runs/r1/events.jsonl"));
        assertThatThrownBy(() -> ResultsStore.load(List.of(tmp))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no run could be read: " + log + ": is not a file");
        assertThatThrownBy(() -> ResultsStore.load(List.of(tmp.resolve("runs/r1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no run could be read: " + log + ": is not a file");
    }

    /**
     * A long run's curves hold a point per logged window: each names its domain with the run's own
     * string, not the copy its event decoded, so a store of hundreds of runs does not hold a
     * string per point.
     */
    @Test
    void curvePointsShareTheRunsDomainNames(@TempDir Path tmp) throws IOException {
        Path gated = Files.createDirectories(tmp.resolve("r1"));
        StringBuilder log = new StringBuilder();
        for (Envelope e : ReportFixtures.syntheticEvents("synthetic", "r1", "da3", 1,
                new java.util.LinkedHashMap<>(Map.of("a", 0.8)), 3_000_000, true, null)) {
            log.append(EventCodec.encode(e)).append('\n');
        }
        Files.writeString(gated.resolve("events.jsonl"), log);
        for (Path dir : List.of(ReportFixtures.paper().resolve("runs/20261125-002255-linear-s1"), gated)) {
            RunResult r = RunResult.read(dir);
            List<RunResult.CurvePoint> points = new ArrayList<>();
            for (List<RunResult.CurvePoint> curve : List.of(r.trainCurve(), r.lossCurve(), r.testCurve(),
                    r.gateCurve())) {
                points.addAll(curve);
            }
            assertThat(points).hasSizeGreaterThan(4)
                    .allSatisfy(p -> assertThat(p.domain()).isSameAs(r.domains().get(p.domainIndex())));
        }
    }

    @Test
    void readsTheSummaryKeysOfGatedRuns() {
        RunResult r = ReportFixtures.syntheticRun("r1", "da3", 1,
                new java.util.LinkedHashMap<>(java.util.Map.of("a", 0.8)), 3_000_000, true);
        assertThat(r.analyticStepBytes()).isEqualTo(2_500_000);
        assertThat(r.meanGateSparsity()).isEqualTo(0.3);
        assertThat(r.meanMacsPerImage()).isEqualTo(600_000);
        assertThat(r.fullMacsPerImage()).isEqualTo(863_232);
        assertThat(r.meanLatencyMs("skip")).isEqualTo(1.5);
        assertThat(r.gateCurve()).hasSize(2);
        RunResult plain = ReportFixtures.syntheticRun("r2", "finetune", 1,
                new java.util.LinkedHashMap<>(java.util.Map.of("a", 0.8)), 3_000_000, false);
        assertThat(plain.meanGateSparsity()).isNaN();
        assertThat(plain.meanMacsPerImage()).isEqualTo(863_232);
        assertThat(plain.analyticStepBytes()).isEqualTo(40_000_000);
    }

    @Test
    void aStoppedRunThatALaterRunOfItsSeedCompletedIsLeftOutAndNamed() {
        Map<String, Double> acc = new java.util.LinkedHashMap<>();
        acc.put("a", 0.5);
        acc.put("b", 0.7);
        List<org.da3.workbench.run.event.Envelope> stopped = new java.util.ArrayList<>(ReportFixtures.syntheticEvents(
                "x", "20261207-100000-da3-s1", "da3", 1, acc, 1_000_000, true, null));
        stopped.removeIf(e -> e.event() instanceof org.da3.workbench.run.event.RunFinished);
        stopped.add(new org.da3.workbench.run.event.Envelope(1, "20261207-100000-da3-s1", stopped.size(),
                java.time.Instant.EPOCH, new org.da3.workbench.run.event.RunFinished("failed", 3, Map.of())));
        RunResult failed = RunResult.fromEvents(null, "20261207-100000-da3-s1", stopped);
        RunResult resumed = ReportFixtures.syntheticRun("x", "20261207-110000-da3-s1", "da3", 1, acc, 1_000_000, true,
                null);
        ResultsStore s = ResultsStore.of(List.of(failed, resumed));
        assertThat(s.entries()).extracting(ResultsStore.Entry::key).containsExactly("da3");
        assertThat(s.warnings()).anyMatch(w -> w.equals("da3 seed 1: 20261207-100000-da3-s1 (failed) is left out:"
                + " the later 20261207-110000-da3-s1 completed (--per-run lists both)"));
        assertThat(s.withEntriesPerRun(true).entries()).hasSize(2);

        // a failure after the completed run is news: it stays
        RunResult laterFailure = RunResult.fromEvents(null, "20261207-120000-da3-s1", stopped);
        assertThat(ResultsStore.of(List.of(resumed, laterFailure)).entries()).hasSize(2);
    }
}
