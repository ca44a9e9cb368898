package org.da3.workbench.ui.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.ChartFiles;
import org.da3.workbench.report.ComparisonTable;
import org.da3.workbench.report.ExportFormat;
import org.da3.workbench.report.FigureKind;
import org.da3.workbench.report.FigureOptions;
import org.da3.workbench.report.OutputGuard;
import org.da3.workbench.report.ResultsStore;
import org.da3.workbench.report.RunResult;
import org.da3.workbench.report.TableExporter;
import org.da3.workbench.report.TableKind;
import org.da3.workbench.report.TableOptions;
import org.da3.workbench.run.AtomicFiles;
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The Results view's state: the runs collected this session (finished in the Monitor or reopened
 * from disk), the comparison table the report package builds from them, and the export and reopen
 * actions. The table shown is the accuracy table (methods by domains) joined with the cost table
 * (memory, step time, sizes, gate sparsity, MACs), one row per method, aggregated over seeds by
 * {@link ResultsStore}; exports write exactly what {@code da3 export} writes.
 */
public final class ResultsViewModel {
    /** Figure size for exports, in pixels. */
    public static final int FIGURE_WIDTH = 1000;
    /** Figure size for exports, in pixels. */
    public static final int FIGURE_HEIGHT = 620;

    private final Workspace workspace;
    private final TaskExecutor executor;
    private final Map<Path, RunResult> runs = new LinkedHashMap<>();
    private final ReadOnlyObjectWrapper<ResultsStore> store = new ReadOnlyObjectWrapper<>(this, "store",
            ResultsStore.of(List.of()));
    private final ReadOnlyObjectWrapper<ComparisonTable> table = new ReadOnlyObjectWrapper<>(this, "table");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper warnings = new ReadOnlyStringWrapper(this, "warnings", "");
    private final javafx.beans.property.ObjectProperty<FigureKind> figureKind =
            new javafx.beans.property.SimpleObjectProperty<>(this, "figureKind", FigureKind.PARETO);
    private final ReadOnlyObjectWrapper<org.jfree.chart.JFreeChart> figure = new ReadOnlyObjectWrapper<>(this,
            "figure");

    /**
     * Creates the view model.
     *
     * @param workspace the workspace (where run directories are looked for)
     * @param executor runs reading and exporting off the UI thread
     */
    public ResultsViewModel(Workspace workspace, TaskExecutor executor) {
        this.workspace = Objects.requireNonNull(workspace);
        this.executor = Objects.requireNonNull(executor);
        figureKind.addListener((o, a, k) -> {
            if (k == null) {
                figureKind.set(a == null ? FigureKind.PARETO : a);
            } else {
                drawFigure();
            }
        });
        rebuild();
    }

    /**
     * Adds (or replaces) a finished run, read from its directory in the background.
     *
     * @param runDir the run directory
     */
    public void addRun(Path runDir) {
        addRuns(List.of(runDir));
    }

    /**
     * Adds (or replaces) finished runs, read from their directories one after another in one
     * background task; the table and figure are rebuilt once, when all are read (a launch that
     * finds hundreds of runs completed hands them over together). A run that cannot be read is left
     * out, and the status line names it.
     *
     * @param runDirs the run directories
     */
    public void addRuns(List<Path> runDirs) {
        List<Path> dirs = List.copyOf(runDirs);
        executor.execute(BackgroundTask.of(() -> {
            List<RunResult> read = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (Path d : dirs) {
                try {
                    read.add(RunResult.read(d));
                } catch (IOException | RuntimeException e) {
                    failed.add("cannot read " + display(d) + ": " + e.getMessage());
                }
            }
            return new Read(read, failed);
        }).onSuccess(read -> {
            if (!read.results().isEmpty()) {
                read.results().forEach(r -> runs.put(key(r), r));
                rebuild();
            }
            if (!read.failed().isEmpty()) {
                int more = read.failed().size() - 1;
                status.set(read.failed().get(0) + (more == 0 ? "" : " (and " + more + " more run(s) that cannot be"
                        + " read)"));
            }
        }).onFailure(e -> status.set("cannot read " + dirs.size() + " run(s): " + e.getMessage())));
    }

    /** Runs read in the background, and why the others could not be. */
    private record Read(List<RunResult> results, List<String> failed) {}

    /**
     * Adds (or replaces) a run and rebuilds the table.
     *
     * @param result the run
     */
    public void add(RunResult result) {
        runs.put(key(result), result);
        rebuild();
    }

    private static Path key(RunResult r) {
        return r.dir() != null ? r.dir().toAbsolutePath().normalize() : Path.of(r.record().runId());
    }

    /** Forgets every run (files stay on disk). */
    public void clear() {
        runs.clear();
        rebuild();
        status.set("");
        warnings.set("");
    }

    /** @return the runs in the order they arrived */
    public List<RunResult> runs() {
        return List.copyOf(runs.values());
    }

    private void rebuild() {
        ResultsStore s = ResultsStore.of(new ArrayList<>(runs.values()));
        store.set(s);
        table.set(joined(TableKind.ACCURACY.build(s, TableOptions.DEFAULTS), TableKind.COST.build(s, TableOptions.DEFAULTS)));
        drawFigure();
    }

    /**
     * The figure under the table, as {@code da3 export -F} draws it: none without runs. A figure
     * the runs cannot make (a report error) leaves none and says why in the status line.
     */
    private void drawFigure() {
        ResultsStore s = store.get();
        if (s.runs().isEmpty()) {
            figure.set(null);
            return;
        }
        try {
            figure.set(figureKind.get().build(s, FigureOptions.DEFAULTS));
        } catch (RuntimeException e) {
            figure.set(null);
            status.set("cannot draw the " + figureKind.get().id() + " figure: " + e.getMessage());
        }
    }

    /**
     * Joins the accuracy and cost tables side by side: the accuracy table without its status
     * column, then the cost table without its method column (both list the store's entries in the
     * same order).
     *
     * @param accuracy the accuracy table
     * @param cost the cost table
     * @return the joined table
     */
    static ComparisonTable joined(ComparisonTable accuracy, ComparisonTable cost) {
        if (accuracy.rows().size() != cost.rows().size()) {
            return accuracy;
        }
        int accStatus = accuracy.columns().size() - 1;
        List<ComparisonTable.Column> cols = new ArrayList<>();
        for (int c = 0; c < accuracy.columns().size(); c++) {
            if (c != accStatus) {
                ComparisonTable.Column col = accuracy.columns().get(c);
                cols.add(c == 0 || col.text() ? col : col.inGroup(col.group().isEmpty() ? "Test accuracy (%)" : col.group()));
            }
        }
        cols.addAll(cost.columns().subList(1, cost.columns().size()));
        List<ComparisonTable.Row> rows = new ArrayList<>();
        for (int r = 0; r < accuracy.rows().size(); r++) {
            List<ComparisonTable.Cell> cells = new ArrayList<>(accuracy.rows().get(r).cells().subList(0, accStatus));
            cells.addAll(cost.rows().get(r).cells().subList(1, cost.columns().size()));
            rows.add(new ComparisonTable.Row(cells, accuracy.rows().get(r).partial()));
        }
        List<String> notes = new ArrayList<>(accuracy.captionFacts());
        notes.addAll(cost.captionFacts());
        notes.addAll(accuracy.notes());
        for (String n : cost.notes()) {
            if (!notes.contains(n)) {
                notes.add(n);
            }
        }
        return new ComparisonTable("comparison", accuracy.caption() + " " + cost.caption(), List.of(), cols, rows, notes);
    }

    /**
     * Reopens past runs in the background: a run directory, an experiment directory (its
     * {@code runs/}), or a folder of run directories.
     *
     * @param dir the folder
     */
    public void reopen(Path dir) {
        status.set("reading " + display(dir) + " ...");
        warnings.set("");
        executor.execute(BackgroundTask.of(() -> readRuns(dir))
                .onSuccess(read -> {
                    java.util.Set<String> before = new java.util.HashSet<>(store.get().warnings());
                    read.runs().forEach(r -> runs.put(key(r), r));
                    rebuild();
                    List<Path> skipped = read.skipped();
                    // what was left out, and the first reason, so one damaged run is visible, not silent
                    String why = read.warnings().stream().filter(w -> w.endsWith("; run skipped")).findFirst()
                            .orElse("");
                    // the repeats this folder brought, not those of runs opened before
                    long repeats = store.get().warnings().stream().filter(w -> w.contains("completed more than once"))
                            .filter(w -> !before.contains(w)).count();
                    // what reading their logs found (lines skipped, event types unknown, a newer protocol), as
                    // da3 export says it on standard error: counted here, the first named, all in the tooltip
                    List<String> logs = read.readWarnings().stream().filter(w -> !w.endsWith("; run skipped")).toList();
                    status.set("opened " + read.runs().size() + " run(s) from " + display(dir)
                            + (skipped.isEmpty() ? "" : "; skipped " + skipped.size() + " that cannot be read (" + why
                                    + ")")
                            + (repeats == 0 ? "" : "; " + repeats + " seed(s) ran more than once: the latest run of each"
                                    + " counts")
                            + (logs.isEmpty() ? "" : "; " + logs.size() + " warning(s) reading their event logs, the"
                                    + " first: " + logs.get(0)));
                    warnings.set(String.join("\n", read.warnings()));
                })
                .onFailure(e -> status.set("cannot open " + display(dir) + ": " + e.getMessage())));
    }

    /**
     * Reads the runs a folder stands for; the workspace's experiments folder stands for every
     * experiment's runs.
     *
     * @param dir a run directory, an experiment directory, a folder of run directories, or a
     *     folder of experiment directories
     * @return the runs, with what was skipped (a run that cannot be read is left out, the others
     *     are read)
     * @throws IOException if a folder cannot be listed
     * @throws IllegalArgumentException if the folder holds no run, or no run can be read
     */
    public static ResultsStore readRuns(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try {
            dirs.addAll(ResultsStore.runDirectories(dir));
        } catch (IllegalArgumentException e) {
            // a folder of experiments: every experiment's runs
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            try (var s = Files.list(dir)) {
                for (Path ex : s.sorted().toList()) {
                    if (Files.isDirectory(ex.resolve("runs"))) {
                        try {
                            dirs.addAll(ResultsStore.runDirectories(ex));
                        } catch (IllegalArgumentException empty) {
                            // an experiment without runs yet
                        }
                    }
                }
            }
            if (dirs.isEmpty()) {
                throw e;
            }
        }
        return ResultsStore.load(dirs);
    }

    /** Refuses, in the status line, an export that would replace part of a run, as {@code da3 export -o} does. */
    private boolean outputAllowed(ResultsStore s, Path file) {
        try {
            OutputGuard.check(file, s.runs().stream().map(RunResult::dir).toList(), "cannot export to " + display(file));
            return true;
        } catch (IllegalArgumentException e) {
            status.set(e.getMessage());
            return false;
        }
    }

    /**
     * Exports a comparison table in the background, exactly as {@code da3 export --table} would.
     *
     * @param kind accuracy or cost
     * @param format LaTeX, CSV or Markdown
     * @param file the file
     */
    public void exportTable(TableKind kind, ExportFormat format, Path file) {
        ResultsStore s = store.get();
        if (!outputAllowed(s, file)) {
            return;
        }
        status.set("exporting the " + kind.id() + " table ...");
        executor.execute(BackgroundTask.ofRunnable(() -> {
            ComparisonTable t = kind.build(s, TableOptions.DEFAULTS.forFormat(format));
            AtomicFiles.writeString(file, TableExporter.of(format, null).render(t));
        })
                .onSuccess(v -> status.set("exported the " + kind.id() + " table to " + display(file)))
                .onFailure(e -> status.set("export failed: " + e.getMessage())));
    }

    /**
     * Exports a figure in the background, exactly as {@code da3 export -F} would.
     *
     * @param kind the figure
     * @param format PNG or SVG
     * @param file the file
     */
    public void exportFigure(FigureKind kind, ExportFormat format, Path file) {
        ResultsStore s = store.get();
        if (!outputAllowed(s, file)) {
            return;
        }
        status.set("exporting the " + kind.id() + " figure ...");
        executor.execute(BackgroundTask.ofRunnable(() -> ChartFiles.write(kind.build(s, FigureOptions.DEFAULTS), format,
                file, FIGURE_WIDTH, FIGURE_HEIGHT))
                .onSuccess(v -> status.set("exported the " + kind.id() + " figure to " + display(file)))
                .onFailure(e -> status.set("export failed: " + e.getMessage())));
    }

    /**
     * A default file for an export: beside the first experiment's runs.
     *
     * @param name the table or figure name, for example {@code accuracy}
     * @param format the format
     * @return experiments/EXPERIMENT/EXPERIMENT-NAME.EXT
     */
    public Path defaultExportFile(String name, ExportFormat format) {
        List<String> ex = store.get().experiments();
        String base = ex.isEmpty() ? "results" : ex.get(0);
        return workspace.experimentsDir().resolve(base).resolve(base + "-" + name + "." + format.extension());
    }

    /** @return the folder to start browsing for past runs */
    public Path runsFolder() {
        return workspace.experimentsDir();
    }

    private String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        // the workspace folder itself is named in full, not as an empty relative path
        return abs.startsWith(workspace.root()) && !abs.equals(workspace.root())
                ? workspace.root().relativize(abs).toString() : abs.toString();
    }

    /** @return the results of the runs collected so far */
    public ReadOnlyObjectProperty<ResultsStore> storeProperty() {
        return store.getReadOnlyProperty();
    }

    /** @return the comparison table shown: accuracy per domain joined with the costs */
    public ReadOnlyObjectProperty<ComparisonTable> tableProperty() {
        return table.getReadOnlyProperty();
    }

    /** @return the comparison table shown */
    public ComparisonTable getTable() {
        return table.get();
    }

    /** @return which figure is drawn under the table (the Pareto front of accuracy and memory first) */
    public javafx.beans.property.ObjectProperty<FigureKind> figureKindProperty() {
        return figureKind;
    }

    /** @return the figure drawn under the table, exactly as the export writes it; null without runs */
    public ReadOnlyObjectProperty<org.jfree.chart.JFreeChart> figureProperty() {
        return figure.getReadOnlyProperty();
    }

    /** @return the figure drawn under the table, or null */
    public org.jfree.chart.JFreeChart getFigure() {
        return figure.get();
    }

    /** @return the last action's result */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** @return the last action's result */
    public String getStatus() {
        return status.get();
    }

    /**
     * @return every warning of the runs last opened (lines skipped, event types unknown, runs left
     *     out, seeds run more than once), one a line, as {@code da3 export} prints them; empty when
     *     there were none
     */
    public ReadOnlyStringProperty warningsProperty() {
        return warnings.getReadOnlyProperty();
    }

    /** @return every warning of the runs last opened, one a line; empty when there were none */
    public String getWarnings() {
        return warnings.get();
    }
}
