package org.da3.workbench.ui.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.ComparisonTable;
import org.da3.workbench.report.ComparisonTables;
import org.da3.workbench.report.ExportFormat;
import org.da3.workbench.report.FigureKind;
import org.da3.workbench.report.TableKind;
import org.da3.workbench.report.TableOptions;
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

/**
 * The Results view model over the report package: past run folders reopened, seeds aggregated,
 * accuracy and costs joined in one table, every export format written.
 */
class ResultsViewModelTest {
    @TempDir
    Path dir;

    private Workspace ws;
    private ResultsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.create(dir, 10, 10);
        vm = new ResultsViewModel(ws, new CurrentThreadTaskExecutor());
        Path runs = ws.runsDir("demo");
        writeRun(runs.resolve("r1-linear-s1"), "demo", "linear", 1, 0.50, 0.70, 330, 0.010);
        writeRun(runs.resolve("r2-linear-s2"), "demo", "linear", 2, 0.60, 0.90, 330, 0.012);
        writeRun(runs.resolve("r3-finetune-s1"), "demo", "finetune", 1, 0.80, 0.95, 92_000, 0.030);
    }

    /** A finished run of two domains, a and b, with its final accuracies. */
    static void writeRun(Path runDir, String experiment, String method, long seed, double accA, double accB,
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

    private static String text(ComparisonTable t, int row, String header) {
        for (int c = 0; c < t.columns().size(); c++) {
            ComparisonTable.Column col = t.columns().get(c);
            if (col.header().equals(header) || col.flatHeader().equals(header)) {
                ComparisonTable.Cell cell = t.rows().get(row).cells().get(c);
                return col.text() ? cell.text() : col.format(cell.stats().mean());
            }
        }
        throw new AssertionError("no column " + header + " in " + t.columns());
    }

    @Test
    void reopensAnExperimentAndJoinsAccuracyWithCosts() {
        vm.reopen(ws.experimentsDir().resolve("demo"));
        assertThat(vm.getStatus()).isEqualTo("opened 3 run(s) from experiments/demo");
        ComparisonTable t = vm.getTable();
        assertThat(t.rows()).hasSize(2);
        assertThat(t.columns()).extracting(ComparisonTable.Column::header)
                .startsWith("Method", "a", "b", "Mean")
                .contains("Step (ms)", "Trainable/domain (k)", "Gate sparsity", "Status")
                .containsOnlyOnce("Method", "Status");
        int linear = text(t, 0, "Method").equals("linear") ? 0 : 1;
        assertThat(text(t, linear, "a")).isEqualTo("55.0");
        assertThat(text(t, linear, "Mean")).isEqualTo("67.5");
        assertThat(text(t, linear, "Step (ms)")).isEqualTo("11.0");
        assertThat(t.rows().get(linear).cells().get(1).stats().n()).as("two seeds").isEqualTo(2);
        assertThat(text(t, linear, "Status")).isEqualTo("completed (2 seeds)");
    }

    @Test
    void theFigureUnderTheTableIsTheExportsFigureOfTheSameRunsAndFollowsTheChoice() throws Exception {
        assertThat(vm.getFigure()).as("no runs, no figure").isNull();
        assertThat(vm.figureKindProperty().get()).isEqualTo(FigureKind.PARETO);
        vm.reopen(ws.experimentsDir().resolve("demo"));
        org.jfree.chart.JFreeChart pareto = vm.getFigure();
        assertThat(pareto).isNotNull();
        // the same chart as da3 export -F pareto: one series per method, with the Pareto front
        org.jfree.chart.JFreeChart exported = FigureKind.PARETO.build(vm.storeProperty().get(),
                org.da3.workbench.report.FigureOptions.DEFAULTS);
        assertThat(pareto.getTitle().getText()).isEqualTo(exported.getTitle().getText());
        assertThat(pareto.getXYPlot().getDataset().getSeriesCount())
                .isEqualTo(exported.getXYPlot().getDataset().getSeriesCount()).isGreaterThanOrEqualTo(2);
        vm.figureKindProperty().set(FigureKind.MEMORY);
        assertThat(vm.getFigure()).isNotSameAs(pareto);
        assertThat(vm.getFigure().getTitle().getText()).isEqualTo(FigureKind.MEMORY.build(vm.storeProperty().get(),
                org.da3.workbench.report.FigureOptions.DEFAULTS).getTitle().getText());
        // a run added redraws the chosen figure; cleared, there is none
        org.jfree.chart.JFreeChart before = vm.getFigure();
        Path more = ws.runsDir("demo").resolve("r5-finetune-s2");
        writeRun(more, "demo", "finetune", 2, 0.70, 0.90, 92_000, 0.030);
        vm.add(org.da3.workbench.report.RunResult.read(more));
        assertThat(vm.getFigure()).isNotSameAs(before);
        vm.figureKindProperty().set(null);
        assertThat(vm.figureKindProperty().get()).as("a choice always stands").isEqualTo(FigureKind.MEMORY);
        vm.clear();
        assertThat(vm.getFigure()).isNull();
    }

    @Test
    void theExperimentsFolderOpensEveryExperiment() throws Exception {
        writeRun(ws.runsDir("other").resolve("r4-linear-s1"), "other", "linear", 1, 0.1, 0.2, 330, 0.01);
        vm.reopen(ws.experimentsDir());
        assertThat(vm.runs()).hasSize(4);
        vm.reopen(dir.resolve("nothing-here"));
        assertThat(vm.getStatus()).startsWith("cannot open");
        assertThat(vm.runs()).hasSize(4);
        // the workspace folder holds no runs of its own: the message names it, not ""
        vm.reopen(ws.root());
        assertThat(vm.getStatus()).startsWith("cannot open " + ws.root().toAbsolutePath().normalize() + ": ");
        assertThat(vm.runs()).hasSize(4);
    }

    @Test
    void anExperimentRunAgainCountsEachSeedOnceWithItsLatestRun() throws Exception {
        // the experiment run a second time: seed 1 of linear again, with other results
        writeRun(ws.runsDir("demo").resolve("r4-linear-s1"), "demo", "linear", 1, 0.30, 0.50, 330, 0.010);
        vm.reopen(ws.experimentsDir().resolve("demo"));
        ComparisonTable t = vm.getTable();
        int linear = text(t, 0, "Method").equals("linear") ? 0 : 1;
        assertThat(text(t, linear, "Status")).isEqualTo("completed (2 seeds)");
        assertThat(t.rows().get(linear).cells().get(1).stats().n()).isEqualTo(2);
        // seed 1 from r4 (30%), seed 2 from r2 (60%): the mean of a is 45.0, not that of three runs
        assertThat(text(t, linear, "a")).isEqualTo("45.0");
        assertThat(vm.getStatus()).endsWith("; 1 seed(s) ran more than once: the latest run of each counts");
        assertThat(vm.storeProperty().get().warnings()).containsExactly("linear seed 1 completed more than once:"
                + " r4-linear-s1 stands, r1-linear-s1 is left out of the mean (--per-run lists both)");
    }

    @Test
    void aRunThatCannotBeReadIsSkippedAndNamedWhileTheOthersOpen() throws Exception {
        Path broken = Files.createDirectories(ws.runsDir("demo").resolve("r9-linear-s9"));
        Files.write(broken.resolve("events.jsonl"), new byte[] {(byte) 0xFF, (byte) 0xFE, '\n'});
        vm.reopen(ws.experimentsDir().resolve("demo"));
        assertThat(vm.runs()).hasSize(3);
        assertThat(vm.getStatus()).startsWith("opened 3 run(s) from experiments/demo; skipped 1 that cannot be read (")
                .contains("r9-linear-s9");
    }

    /**
     * What reading the logs finds reaches the status line, as {@code da3 export} prints it on
     * standard error: an event type this workbench does not know, a line that is not an event.
     */
    @Test
    void warningsAboutTheEventLogsAreCountedInTheStatusLine() throws Exception {
        Path events = ws.runsDir("demo").resolve("r2-linear-s2/events.jsonl");
        String log = Files.readString(events);
        Files.writeString(events, log.replace("\"type\":\"train_metrics\"", "\"type\":\"train_metric\"")
                + "{\"schema\":1,\"type\":\"run_fin\n");
        vm.reopen(ws.experimentsDir().resolve("demo"));
        assertThat(vm.runs()).hasSize(3);
        String unknown = events + ":3: unknown event type 'train_metric' (did you mean train_metrics?); its line is"
                + " ignored. Known types: ";
        assertThat(vm.getStatus()).startsWith("opened 3 run(s) from experiments/demo; 2 warning(s) reading their event"
                + " logs, the first: " + events + ":10: not a JSON event line: ");
        assertThat(vm.getWarnings().split("\n")).hasSize(2).satisfiesExactly(
                w -> assertThat(w).startsWith(events + ":10: not a JSON event line"),
                w -> assertThat(w).startsWith(unknown));
        vm.reopen(ws.experimentsDir().resolve("demo").resolve("runs/r1-linear-s1"));
        assertThat(vm.getStatus()).isEqualTo("opened 1 run(s) from experiments/demo/runs/r1-linear-s1");
        assertThat(vm.getWarnings()).isEmpty();
    }

    @Test
    void finishedRunsArriveByDirectoryAndReplaceThemselves() {
        vm.addRun(ws.runsDir("demo").resolve("r3-finetune-s1"));
        vm.addRun(ws.runsDir("demo").resolve("r3-finetune-s1"));
        assertThat(vm.runs()).hasSize(1);
        assertThat(vm.getTable().rows()).hasSize(1);
        vm.clear();
        assertThat(vm.getTable().rows()).isEmpty();
    }

    /** Runs that finish together (those a launch found completed) are one table, built once. */
    @Test
    void finishedRunsArrivingTogetherAreReadAndTabledOnce() throws Exception {
        List<ComparisonTable> tables = new ArrayList<>();
        vm.tableProperty().addListener((o, a, b) -> tables.add(b));
        Path broken = Files.createDirectories(ws.runsDir("demo").resolve("r9-linear-s9"));
        Files.write(broken.resolve("events.jsonl"), new byte[] {(byte) 0xFF, (byte) 0xFE, '\n'});
        vm.addRuns(List.of(ws.runsDir("demo").resolve("r1-linear-s1"), broken, ws.runsDir("demo").resolve("r2-linear-s2"),
                ws.runsDir("demo").resolve("r3-finetune-s1")));
        assertThat(vm.runs()).hasSize(3);
        assertThat(tables).singleElement().satisfies(t -> assertThat(t.rows()).extracting(r -> r.cells().get(0).text())
                .containsExactly("linear", "finetune"));
        assertThat(vm.getStatus()).startsWith("cannot read experiments/demo/runs/r9-linear-s9: ");
    }

    @Test
    void exportsTablesAndFiguresThroughTheReportPackage() throws Exception {
        vm.reopen(ws.runsDir("demo"));
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        for (TableKind k : TableKind.values()) {
            for (ExportFormat f : List.of(ExportFormat.LATEX, ExportFormat.CSV, ExportFormat.MD)) {
                vm.exportTable(k, f, out.resolve(k.id() + "." + f.extension()));
                assertThat(vm.getStatus()).startsWith("exported the " + k.id() + " table");
            }
        }
        assertThat(Files.readString(out.resolve("accuracy.tex"))).contains("\\begin{tabular}").contains("linear");
        assertThat(Files.readString(out.resolve("accuracy.md"))).contains("| linear");
        assertThat(Files.readString(out.resolve("cost.csv"))).contains("linear");
        vm.exportFigure(FigureKind.PARETO, ExportFormat.PNG, out.resolve("pareto.png"));
        vm.exportFigure(FigureKind.ACCURACY, ExportFormat.SVG, out.resolve("acc.svg"));
        assertThat(Files.readAllBytes(out.resolve("pareto.png"))).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(out.resolve("acc.svg"))).contains("<svg");
        assertThat(vm.defaultExportFile("accuracy", ExportFormat.LATEX))
                .isEqualTo(ws.experimentsDir().resolve("demo/demo-accuracy.tex"));
    }

    @Test
    void anExportNeverReplacesARunsFilesAndSaysWhyAWriteFailed() throws Exception {
        vm.reopen(ws.runsDir("demo"));
        Path run = ws.runsDir("demo").resolve("r1-linear-s1");
        String events = Files.readString(run.resolve("events.jsonl"));
        vm.exportTable(TableKind.ACCURACY, ExportFormat.CSV, run.resolve("events.jsonl"));
        assertThat(vm.getStatus()).startsWith("cannot export to ").contains("is inside the input run directory");
        vm.exportFigure(FigureKind.PARETO, ExportFormat.SVG, run.resolve("spec.yaml"));
        assertThat(vm.getStatus()).contains("is inside the input run directory");
        assertThat(run.resolve("spec.yaml")).doesNotExist();
        assertThat(run.resolve("events.jsonl")).hasContent(events.strip());
        assertThat(vm.getTable().rows()).isNotEmpty();

        // a file where a folder should be, and a folder where the file should be
        Path aFile = Files.writeString(dir.resolve("afile"), "x");
        vm.exportTable(TableKind.ACCURACY, ExportFormat.MD, aFile.resolve("t.md"));
        assertThat(vm.getStatus()).isEqualTo("export failed: cannot write " + aFile.resolve("t.md") + ": " + aFile
                + " is a file, not a folder");
        Path aDir = Files.createDirectories(dir.resolve("adir.md"));
        vm.exportTable(TableKind.ACCURACY, ExportFormat.MD, aDir);
        assertThat(vm.getStatus()).isEqualTo("export failed: " + aDir + " is a folder; give a file name");
        assertThat(vm.getStatus()).doesNotContain(".tmp");
    }

    @Test
    void aLabelFromTwoExperimentsIsARowPerExperimentNotARepeat() throws Exception {
        Path other = ws.runsDir("other").resolve("o1-linear-s1");
        writeRun(other, "other", "linear", 1, 0.10, 0.20, 330, 0.010);
        vm.reopen(ws.runsDir("demo"));
        assertThat(vm.getStatus()).doesNotContain("more than once");
        vm.reopen(ws.runsDir("other"));
        assertThat(vm.getStatus()).as("seed 1 of another experiment is no repeat").doesNotContain("more than once");
        ComparisonTable t = vm.getTable();
        assertThat(t.rows()).extracting(r -> r.cells().get(0).text())
                .containsExactly("linear (demo)", "finetune", "linear (other)");
        assertThat(ComparisonTables.cost(vm.storeProperty().get(), TableOptions.DEFAULTS).captionFacts())
                .contains("× FT: ratio of the mean to that of finetune (experiment demo, the set's only one).");
        assertThat(text(t, 0, "a")).isEqualTo("55.0");
        assertThat(text(t, 2, "a")).isEqualTo("10.0");
        assertThat(text(t, 0, "Status")).isEqualTo("completed (2 seeds)");

        // a repeat in the folder just opened is counted; one from before is not counted again
        writeRun(ws.runsDir("demo").resolve("r9-linear-s1"), "demo", "linear", 1, 0.55, 0.75, 330, 0.010);
        vm.reopen(ws.runsDir("demo"));
        assertThat(vm.getStatus()).contains("1 seed(s) ran more than once");
        writeRun(ws.runsDir("third").resolve("t1-da3-s9"), "third", "da3", 9, 0.3, 0.4, 330, 0.01);
        vm.reopen(ws.runsDir("third"));
        assertThat(vm.getStatus()).doesNotContain("more than once");
    }
}
