package org.da3.workbench.ui.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The Results view's state: the runs collected this session (finished in the Monitor or reopened
 * from disk), the comparison rows they make (one per experiment and method, averaged over seeds),
 * the domain columns, and the export and reopen actions.
 */
public final class ResultsViewModel {
    private final Workspace workspace;
    private final TaskExecutor executor;
    private final ResultsExporter exporter;
    private final Map<String, RunRecord> records = new LinkedHashMap<>();
    private final ObservableList<ResultRow> rows = FXCollections.observableArrayList();
    private final ObservableList<String> domains = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");

    /**
     * Creates the view model.
     *
     * @param workspace the workspace (where run directories are looked for)
     * @param executor runs reading and exporting off the UI thread
     * @param exporter writes tables and figures
     */
    public ResultsViewModel(Workspace workspace, TaskExecutor executor, ResultsExporter exporter) {
        this.workspace = Objects.requireNonNull(workspace);
        this.executor = Objects.requireNonNull(executor);
        this.exporter = Objects.requireNonNull(exporter);
    }

    /**
     * Adds (or replaces) a run's record and rebuilds the table.
     *
     * @param record the record
     */
    public void add(RunRecord record) {
        records.put(record.runId(), record);
        rebuild();
    }

    /** Forgets every run (files stay on disk). */
    public void clear() {
        records.clear();
        rebuild();
    }

    /** @return the records in the order they arrived */
    public List<RunRecord> records() {
        return List.copyOf(records.values());
    }

    private void rebuild() {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        Set<String> ds = new LinkedHashSet<>();
        for (RunRecord r : records.values()) {
            groups.computeIfAbsent(r.experiment() + "\u0000" + r.label(), k -> new ArrayList<>()).add(r);
            ds.addAll(r.domains());
        }
        List<ResultRow> out = new ArrayList<>();
        for (List<RunRecord> g : groups.values()) {
            out.add(ResultRow.of(g));
        }
        domains.setAll(ds);
        rows.setAll(out);
    }

    /**
     * Reopens past runs in the background: a run directory (with events.jsonl), or any folder
     * holding run directories (an experiment's {@code runs/}, an experiment folder).
     *
     * @param dir the folder
     */
    public void reopen(Path dir) {
        status.set("reading " + dir + " ...");
        executor.execute(BackgroundTask.of(() -> readRuns(dir))
                .onSuccess(list -> {
                    list.forEach(r -> records.put(r.runId(), r));
                    rebuild();
                    status.set(list.isEmpty() ? "no run directories (with events.jsonl) under " + dir
                            : "opened " + list.size() + " run(s) from " + display(dir));
                })
                .onFailure(e -> status.set("cannot open " + dir + ": " + e.getMessage())));
    }

    /**
     * Reads every run directory at or below a folder (down to experiments/NAME/runs/ID).
     *
     * @param dir the folder
     * @return the records, sorted by run id
     * @throws IOException if a directory cannot be listed
     */
    public static List<RunRecord> readRuns(Path dir) throws IOException {
        List<RunRecord> out = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve("events.jsonl"))) {
            out.add(RunRecord.read(dir));
            return out;
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder");
        }
        List<Path> runDirs;
        try (Stream<Path> s = Files.find(dir, 4, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals("events.jsonl"))) {
            runDirs = s.map(Path::getParent).sorted().toList();
        }
        for (Path p : runDirs) {
            out.add(RunRecord.read(p));
        }
        return out;
    }

    /**
     * Exports the table or the figure in the background.
     *
     * @param format the format
     * @param file the file
     * @param order the rows in the order the table shows them (its sort), or null for the default
     */
    public void export(ExportFormat format, Path file, List<ResultRow> order) {
        List<ResultRow> snapshot = List.copyOf(order == null ? rows : order);
        List<String> cols = List.copyOf(domains);
        String title = title();
        status.set("exporting " + format.title() + " ...");
        executor.execute(BackgroundTask.ofRunnable(() -> exporter.export(title, cols, snapshot, format, file))
                .onSuccess(v -> status.set("exported " + format.title() + " to " + display(file)))
                .onFailure(e -> status.set("export failed: " + e.getMessage())));
    }

    /** @return a title for exports: the experiments shown */
    public String title() {
        Set<String> ex = new LinkedHashSet<>();
        rows.forEach(r -> ex.add(r.experiment()));
        return ex.isEmpty() ? "results" : String.join(", ", ex);
    }

    /**
     * A default file name for an export.
     *
     * @param format the format
     * @return a path under the workspace's experiments folder
     */
    public Path defaultExportFile(ExportFormat format) {
        String base = title().replaceAll("[^A-Za-z0-9._-]+", "-");
        String dir = rows.isEmpty() ? "" : rows.get(0).experiment();
        return workspace.experimentsDir().resolve(dir).resolve(base + "-results." + format.extension());
    }

    /** @return the folder to start browsing for past runs */
    public Path runsFolder() {
        return workspace.experimentsDir();
    }

    private String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(workspace.root()) ? workspace.root().relativize(abs).toString() : abs.toString();
    }

    /** @return the comparison rows */
    public ObservableList<ResultRow> rows() {
        return rows;
    }

    /** @return the domain columns, in first-seen order */
    public ObservableList<String> domains() {
        return domains;
    }

    /** @return the last action's result */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** @return the last action's result */
    public String getStatus() {
        return status.get();
    }
}
