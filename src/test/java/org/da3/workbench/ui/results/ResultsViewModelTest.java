package org.da3.workbench.ui.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Results view model: past run folders reopened, seeds averaged, every export format written. */
class ResultsViewModelTest {
    @TempDir
    Path dir;

    private Workspace ws;
    private ResultsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.create(dir, 10, 10);
        vm = new ResultsViewModel(ws, new CurrentThreadTaskExecutor(), new BasicResultsExporter());
        Path runs = ws.runsDir("demo");
        writeRun(runs.resolve("r1-linear-s1"), "linear", 1, 0.50, 0.70, 330, 0.010);
        writeRun(runs.resolve("r2-linear-s2"), "linear", 2, 0.60, 0.90, 330, 0.012);
        writeRun(runs.resolve("r3-finetune-s1"), "finetune", 1, 0.80, 0.95, 92_000, 0.030);
    }

    /** A finished run of two domains, a and b, with its final accuracies. */
    private static void writeRun(Path runDir, String method, long seed, double accA, double accB, long trainable,
            double stepSeconds) throws Exception {
        writeRun(runDir, "demo", method, seed, accA, accB, trainable, stepSeconds);
    }

    private static void writeRun(Path runDir, String experiment, String method, long seed, double accA, double accB,
            long trainable, double stepSeconds) throws Exception {
        Files.createDirectories(runDir);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<Event> ev = new ArrayList<>();
        ev.add(new RunStarted(experiment, method, method, seed, List.of("a", "b"), Map.of(), Map.of()));
        ev.add(new DomainStarted(0, "a", 10, 10, 10, 5, trainable, "fa"));
        ev.add(new TrainMetrics("a", 1, 5, 5, 1.0, 0.5, 0.1, stepSeconds, 100));
        ev.add(new CheckpointSaved("a", "patches/a.safetensors", trainable * 4, trainable, "00"));
        ev.add(new Evaluation("a", 0, 0, 0, "test", accA, 1, 2, true));
        ev.add(new DomainStarted(1, "b", 10, 10, 10, 5, trainable, "fb"));
        ev.add(new Evaluation("a", 0, 1, 0, "test", accA, 1, 2, true));
        ev.add(new Evaluation("b", 1, 1, 0, "test", accB, 1, 2, true));
        ev.add(new RunFinished("completed", 2, Map.of("peak_step_bytes", trainable * 100, "backbone_macs", 1_000_000)));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ev.size(); i++) {
            sb.append(EventCodec.encode(new Envelope(1, runDir.getFileName().toString(), i, t, ev.get(i)))).append('\n');
        }
        Files.writeString(runDir.resolve("events.jsonl"), sb.toString());
    }

    @Test
    void reopensAnExperimentsRunsAndAveragesSeeds() {
        vm.reopen(ws.experimentsDir().resolve("demo"));
        assertThat(vm.getStatus()).isEqualTo("opened 3 run(s) from experiments/demo");
        assertThat(vm.domains()).containsExactly("a", "b");
        assertThat(vm.rows()).extracting(ResultRow::label).containsExactly("linear", "finetune");
        ResultRow linear = vm.rows().get(0);
        assertThat(linear.seeds()).isEqualTo(2);
        assertThat(linear.accuracy("a")).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(linear.accuracyStd()[0]).isCloseTo(0.0707, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(linear.meanAccuracy()).isCloseTo(0.675, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(linear.stepSeconds()).isCloseTo(0.011, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(linear.trainableParams()).isEqualTo(330);
        assertThat(linear.peakTrainBytes()).isEqualTo(33_000);
        assertThat(linear.flops()).isEqualTo(2_000_000);
        assertThat(linear.gateSparsity()).isNaN();
        assertThat(linear.status()).isEqualTo("completed");
    }

    @Test
    void theWholeExperimentsFolderOpensAndExperimentsStayApart() throws Exception {
        writeRun(ws.runsDir("other").resolve("r4-linear-s1"), "other", "linear", 1, 0.1, 0.2, 330, 0.01);
        vm.reopen(ws.experimentsDir());
        assertThat(vm.records()).hasSize(4);
        assertThat(vm.rows()).hasSize(3);
        Path md = dir.resolve("all.md");
        vm.export(ExportFormat.MARKDOWN, md, null);
        assertThat(Files.readString(md)).contains("| demo/linear |").contains("| other/linear |");
    }

    @Test
    void aSingleRunFolderOpensToo() {
        vm.reopen(ws.runsDir("demo").resolve("r3-finetune-s1"));
        assertThat(vm.rows()).hasSize(1);
        vm.reopen(dir.resolve("nothing-here"));
        assertThat(vm.getStatus()).contains("cannot open").contains("not a folder");
    }

    @Test
    void exportsTablesAndFigures() throws Exception {
        vm.reopen(ws.runsDir("demo"));
        Path out = dir.resolve("out");
        for (ExportFormat f : ExportFormat.values()) {
            vm.export(f, out.resolve("t." + f.extension()), null);
            assertThat(vm.getStatus()).startsWith("exported " + f.title());
        }
        assertThat(Files.readString(out.resolve("t.csv"))).startsWith("experiment,method,label,seeds,acc_a,acc_b,acc_mean")
                .contains("demo,linear,linear,2,0.550000,0.800000,0.675000,33000");
        assertThat(Files.readString(out.resolve("t.md"))).contains("| method | seeds | a | b | mean |")
                .contains("| linear | 2 | 55.0% | 80.0% | 67.5% |");
        assertThat(Files.readString(out.resolve("t.tex"))).contains("\\begin{tabular}").contains("\\toprule")
                .contains("linear & 2 & 55.0 & 80.0 & 67.5");
        byte[] png = Files.readAllBytes(out.resolve("t.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(out.resolve("t.svg"))).contains("<svg").contains("linear");
        assertThat(ExportFormat.ofFile("x.TEX")).isEqualTo(ExportFormat.LATEX);
    }

    @Test
    void flopsComeFromTheMeasuredMacsWhenTheWorkerReportsThem() {
        assertThat(ResultRow.flopsOf(Map.of("macs_per_image", Map.of("a", 100L, "b", 300L), "backbone_macs", 1000)))
                .as("gated inference, averaged over domains").isEqualTo(400.0);
        assertThat(ResultRow.flopsOf(Map.of("backbone_macs", 1000))).isEqualTo(2000.0);
        assertThat(ResultRow.flopsOf(Map.of())).isNaN();
    }

    @Test
    void recordsFromTheMonitorReplaceByRunId() throws Exception {
        List<org.da3.workbench.report.RunRecord> recs = ResultsViewModel.readRuns(ws.runsDir("demo"));
        recs.forEach(vm::add);
        vm.add(recs.get(0));
        assertThat(vm.records()).hasSize(3);
        vm.clear();
        assertThat(vm.rows()).isEmpty();
    }
}
