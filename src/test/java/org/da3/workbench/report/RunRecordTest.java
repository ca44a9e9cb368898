package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run records read from logs with events that cannot be right. */
class RunRecordTest {

    static final String LINEAR = "20261125-002255-linear-s1";
    static final String SPEC = "name: paper\ndomains: [tiny-shapes, tiny-textures]\n"
            + "methods:\n- name: linear\n  label: \"linear[lr=2]\"\ntraining: {seed: 11}\n";

    /**
     * Copies a recorded run of the paper experiment, with its lines edited.
     *
     * @param dir the new run directory
     * @param edit changes the lines (index 0 is line 1)
     * @return the run directory
     */
    static Path copyRun(Path dir, Consumer<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(
                ReportFixtures.paper().resolve("runs").resolve(LINEAR).resolve("events.jsonl"), StandardCharsets.UTF_8));
        edit.accept(lines);
        Files.createDirectories(dir);
        Files.write(dir.resolve("events.jsonl"), lines, StandardCharsets.UTF_8);
        return dir;
    }

    static void replace(List<String> lines, int line, String from, String to) {
        String s = lines.get(line - 1);
        assertThat(s).contains(from);
        lines.set(line - 1, s.replace(from, to));
    }

    @Test
    void anEvaluationOutsideTheRunsDomainsIsSkippedWithAWarning(@TempDir Path tmp) throws IOException {
        Path dir = copyRun(tmp.resolve("r"), l -> {
            replace(l, 51, "\"afterDomain\":1", "\"afterDomain\":-1");
            replace(l, 52, "\"domainIndex\":1", "\"domainIndex\":999999999");
        });
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        Path file = dir.resolve("events.jsonl");
        assertThat(warnings).containsExactly(
                file + ":51: evaluation.afterDomain -1 is outside 0..1 (the run's 2 domains); event skipped",
                file + ":52: evaluation.domainIndex 999999999 is outside 0..1 (the run's 2 domains); event skipped");
        assertThat(r.evaluations()[0][0]).isEqualTo(5 / 48.0);
        assertThat(r.evaluations()[0][1]).isNaN();
        assertThat(r.evaluations()[1][1]).isNaN();
        assertThat(r.finalAccuracy(0)).isEqualTo(5 / 48.0);
    }

    @Test
    void anAccuracyThatIsNotAFractionIsSkippedWithAWarning(@TempDir Path tmp) throws IOException {
        Path dir = copyRun(tmp.resolve("r"), l -> {
            replace(l, 49, "\"accuracy\":0.14583333333333334", "\"accuracy\":\"NaN\"");
            replace(l, 52, "\"accuracy\":0.14583333333333334", "\"accuracy\":1.5");
        });
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        Path file = dir.resolve("events.jsonl");
        assertThat(warnings).containsExactly(
                file + ":49: evaluation.accuracy NaN is not a fraction from 0 to 1 (correct / total); event skipped",
                file + ":52: evaluation.accuracy 1.5 is not a fraction from 0 to 1 (correct / total); event skipped");
        assertThat(r.evaluations()[1][1]).isNaN();
        assertThat(r.finalAccuracy(0)).isEqualTo(5 / 48.0);
        // neither 150% nor NaN reaches the tables: the last per-epoch value that can be right does
        RunResult res = RunResult.read(dir);
        assertThat(res.accuracy("tiny-textures")).isEqualTo(0.0625);
        assertThat(res.isFinal("tiny-textures")).isFalse();
    }

    @Test
    void manyBadEventsAreCountedAfterTheFirstFew(@TempDir Path tmp) throws IOException {
        int[] n = {0};
        Path dir = copyRun(tmp.resolve("r"), l -> {
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i).contains("\"type\":\"evaluation\"")) {
                    l.set(i, l.get(i).replaceFirst("\"domainIndex\":[01]", "\"domainIndex\":-3"));
                    n[0]++;
                }
            }
        });
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        assertThat(n[0]).isEqualTo(9);
        assertThat(warnings).hasSize(6).last().isEqualTo(dir.resolve("events.jsonl") + ": 4 more events skipped");
        assertThat(r.meanAccuracy()).isNaN();
    }

    @Test
    void anUnknownStatusIsShownAsUnknown(@TempDir Path tmp) throws IOException {
        Path dir = copyRun(tmp.resolve("r"), l -> replace(l, 53, "\"status\":\"completed\"", "\"status\":\"exploded\""));
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        assertThat(r.status()).isEqualTo(RunRecord.UNKNOWN);
        assertThat(warnings).containsExactly(dir.resolve("events.jsonl") + ":53: run_finished.status 'exploded' is"
                + " not one of completed, failed, cancelled; the run is shown as unknown");
        ResultsStore s = ResultsStore.load(List.of(dir));
        assertThat(s.entries()).singleElement().satisfies(e -> {
            assertThat(e.partial()).isTrue();
            assertThat(e.statusText()).isEqualTo("unknown in tiny-textures");
        });
    }

    @Test
    void whatRunStartedLacksComesFromSpecYaml(@TempDir Path tmp) throws IOException {
        Path dir = copyRun(tmp.resolve("r"), l -> {
            replace(l, 1, "\"method\":\"linear\",\"label\":\"linear\",", "\"label\":null,");
            replace(l, 1, "\"domains\":[\"tiny-shapes\",\"tiny-textures\"]", "\"domains\":[null,\"tiny-textures\"]");
        });
        Files.writeString(dir.resolve("spec.yaml"), SPEC);
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        assertThat(r.method()).isEqualTo("linear");
        assertThat(r.label()).isEqualTo("linear[lr=2]");
        assertThat(r.seed()).isEqualTo(1);
        assertThat(r.domains()).containsExactly("tiny-shapes", "tiny-textures");
        assertThat(r.finalAccuracy(1)).isEqualTo(7 / 48.0);
        String at = dir.resolve("events.jsonl") + ":1: run_started";
        assertThat(warnings).containsExactly(at + " has no method; using 'linear' from spec.yaml",
                at + " has no label; using 'linear[lr=2]' from spec.yaml",
                at + " lists an empty domain ([null, tiny-textures]); using [tiny-shapes, tiny-textures] from spec.yaml");
    }

    @Test
    void aRunWithoutRunStartedIsNamedBySpecYaml(@TempDir Path tmp) throws IOException {
        Path dir = copyRun(tmp.resolve("r"), l -> replace(l, 1, "\"seed\":1,", "\"seed\":\"one\","));
        Files.writeString(dir.resolve("spec.yaml"), SPEC);
        List<String> warnings = new ArrayList<>();
        RunRecord r = RunRecord.read(dir, warnings::add);
        assertThat(warnings).singleElement().asString().startsWith(dir.resolve("events.jsonl")
                + ":1: malformed run_started event: ");
        assertThat(r.label()).isEqualTo("linear[lr=2]");
        assertThat(r.seed()).isEqualTo(11);
        assertThat(r.experiment()).isEqualTo("paper");
        assertThat(r.status()).isEqualTo("completed");
        assertThat(r.meanAccuracy()).isGreaterThan(0);
    }

    @Test
    void withoutSpecYamlALabelFallsBackToTheMethodAndNoMethodIsAnError(@TempDir Path tmp) throws IOException {
        Path nolabel = copyRun(tmp.resolve("a"), l -> replace(l, 1, "\"label\":\"linear\",", ""));
        List<String> warnings = new ArrayList<>();
        assertThat(RunRecord.read(nolabel, warnings::add).label()).isEqualTo("linear");
        assertThat(warnings).containsExactly(
                nolabel.resolve("events.jsonl") + ":1: run_started has no label; using 'linear' from its method");
        Path nomethod = copyRun(tmp.resolve("b"), l -> replace(l, 1, "\"method\":\"linear\",", "\"method\":\" \","));
        assertThatThrownBy(() -> RunRecord.read(nomethod)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(nomethod.resolve("events.jsonl") + ":1: run_started has no method, and there is no "
                        + nomethod.resolve("spec.yaml"));
        Path nodomains = copyRun(tmp.resolve("c"), l -> replace(l, 1, "\"domains\":[\"tiny-shapes\",", "\"domains\":[null,"));
        assertThatThrownBy(() -> RunRecord.read(nodomains)).hasMessageEndingWith(
                ":1: run_started lists an empty domain, and there is no " + nodomains.resolve("spec.yaml"));
        Files.writeString(nodomains.resolve("spec.yaml"), "name: paper\nmethods: [linear]\n");
        assertThatThrownBy(() -> RunRecord.read(nodomains)).hasMessageEndingWith(
                ":1: run_started lists an empty domain, and " + nodomains.resolve("spec.yaml")
                        + " does not list the run's domains");
    }

    /**
     * A run whose worker refused it before run_started (a patch to take over that changed, exit
     * code 2) is named by its spec.yaml as the workbench writes it, where a method without options
     * is its bare name; a spec.yaml that cannot be read says why, not that it names no method.
     */
    @Test
    void aRunRefusedBeforeRunStartedIsNamedByTheSpecYamlTheWorkbenchWrote(@TempDir Path tmp) throws IOException {
        org.da3.workbench.Workspace ws = org.da3.workbench.test.TestWorkspace.create(tmp.resolve("ws"), 8, 4);
        org.da3.workbench.spec.ExperimentSpec spec = ws.datasets().specLoader().parse("e.yaml",
                "name: e\ndomains: [tiny-shapes]\nmethods: [bn+last]\n");
        Path dir = org.da3.workbench.run.RunDirectory.create(ws, spec).dir();
        assertThat(Files.readString(dir.resolve("spec.yaml"))).contains("methods:\n- \"bn+last\"\n");
        try (org.da3.workbench.run.EventLog log = new org.da3.workbench.run.EventLog(dir.resolve("events.jsonl"))) {
            log.append(new org.da3.workbench.run.event.Envelope(1, dir.getFileName().toString(), 0,
                    java.time.Instant.EPOCH, new org.da3.workbench.run.event.RunError("patches/tiny-shapes.safetensors"
                            + " changed since it was saved", null, null)));
            log.append(new org.da3.workbench.run.event.Envelope(1, dir.getFileName().toString(), 1,
                    java.time.Instant.EPOCH, new org.da3.workbench.run.event.RunFinished("failed", 0.1,
                            java.util.Map.of("exit_code", 2))));
        }
        RunRecord r = RunRecord.read(dir);
        assertThat(r.method()).isEqualTo("bn+last");
        assertThat(r.label()).isEqualTo("bn+last");
        assertThat(r.domains()).containsExactly("tiny-shapes");
        assertThat(r.status()).isEqualTo("failed");
        Files.writeString(dir.resolve("spec.yaml"), "name: e\nmethods: [bn+last\n");
        assertThatThrownBy(() -> RunRecord.read(dir)).hasMessageStartingWith(dir.resolve("events.jsonl")
                + ": has no run_started, and " + dir.resolve("spec.yaml") + " cannot be read (line ")
                .hasMessageEndingWith(")");
    }

    @Test
    void aRunWithoutRunFinishedWhoseWorkerHereIsGoneIsCutOffNotRunning() throws Exception {
        String here = java.net.InetAddress.getLocalHost().getHostName();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        java.time.Instant t = java.time.Instant.now();
        java.util.function.BiFunction<String, Long, RunRecord> record = (host, pid) -> RunRecord.fromEvents("r",
                List.of(new org.da3.workbench.run.event.Envelope(1, "r", 0, t, new org.da3.workbench.run.event
                        .RunStarted("e", "linear", "linear", 1, List.of("a"), java.util.Map.of(),
                                java.util.Map.of("host", host, "pid", pid)))));
        assertThat(record.apply(here, p.pid()).status()).as("its worker ended").isEqualTo(RunRecord.CUT_OFF);
        assertThat(record.apply(here, ProcessHandle.current().pid()).status()).as("alive").isEqualTo("running");
        assertThat(record.apply("another-machine", p.pid()).status()).as("elsewhere: unknown").isEqualTo("running");
    }
}
