package org.da3.workbench.report;

import static tech.tablesaw.aggregate.AggregateFunctions.countNonMissing;
import static tech.tablesaw.aggregate.AggregateFunctions.mean;
import static tech.tablesaw.aggregate.AggregateFunctions.stdDev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.spec.YamlNodes;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The results of a set of runs, as tablesaw tables: {@link #results()} has one row per run and
 * domain (with the run's method, seed and status), {@link #perRun()} one row per run. Rows of the
 * comparison tables are {@link Entry entries}: by default the completed runs of one method are one
 * entry, aggregated over seeds (mean and standard deviation), and every run that stopped part-way
 * (failed, cancelled, or still running) is an entry of its own, with the values it reached. No run
 * is ever left out.
 *
 * <p>Reads run directories and experiment directories (every run under {@code runs/}); it knows
 * nothing of JavaFX, so the CLI's {@code export} and the GUI's results view share it.
 */
public final class ResultsStore {

    /** Column names of {@link #results()} and {@link #perRun()}. */
    public static final String ENTRY = "entry";
    /** The run id column. */
    public static final String RUN_ID = "run_id";
    /** The method label column. */
    public static final String METHOD = "method";
    /** The domain column ({@link #results()} only). */
    public static final String DOMAIN = "domain";
    /** Reached accuracy per domain ({@link #results()}), or mean over domains ({@link #perRun()}). */
    public static final String ACCURACY = "accuracy";

    private final List<RunResult> runs;
    /** What reading the runs found; {@link #warnings} adds what aggregating them found. */
    private final List<String> readWarnings;
    private final List<String> warnings;
    private final List<Path> skipped;
    private final boolean perRunEntries;
    private final List<Entry> entries;
    private Table results;
    private Table perRun;
    private final Map<String, Map<String, Stats>> runStats = new HashMap<>();
    private final Map<String, Map<String, Stats>> domainStats = new HashMap<>();

    /**
     * A row of a comparison table: runs of one method aggregated over seeds, or one run.
     *
     * @param key the entry's name in tables: the method label, or label and seed for one run; with
     *     the experiment in brackets where runs of several experiments share the label
     * @param method the method label
     * @param methodName the method's registry name (for example {@code finetune})
     * @param runs the runs it stands for
     * @param partial true for a run that stopped part-way (failed, cancelled, running)
     * @param overSeeds true for completed runs aggregated over seeds, false for one run
     */
    public record Entry(String key, String method, String methodName, List<RunResult> runs, boolean partial,
            boolean overSeeds) {
        /** Copies the list. */
        public Entry {
            runs = List.copyOf(runs);
        }

        /**
         * @return the experiment its runs belong to (runs of one label from several experiments are
         *     an entry per experiment)
         */
        public String experiment() {
            return runs.get(0).record().experiment();
        }

        /** @return the status text: "completed (2 seeds)", "completed", "failed in tiny-shapes", ... */
        public String statusText() {
            if (!partial) {
                if (!overSeeds) {
                    return RunFinished.COMPLETED;
                }
                int n = runs.size();
                return RunFinished.COMPLETED + " (" + n + (n == 1 ? " seed)" : " seeds)");
            }
            RunResult r = runs.get(0);
            String s = r.record().status();
            return r.stoppedIn() == null ? s + " before training" : s + " in " + r.stoppedIn();
        }
    }

    private ResultsStore(List<RunResult> runs, List<String> warnings, List<Path> skipped, boolean perRunEntries) {
        this.runs = List.copyOf(runs);
        this.readWarnings = List.copyOf(warnings);
        this.skipped = List.copyOf(skipped);
        this.perRunEntries = perRunEntries;
        List<String> all = new ArrayList<>(warnings);
        this.entries = buildEntries(this.runs, perRunEntries, all);
        this.warnings = List.copyOf(all);
    }

    /**
     * A store over results already read.
     *
     * @param runs the runs, in the order tables list them
     * @return the store (completed runs aggregated over seeds)
     */
    public static ResultsStore of(List<RunResult> runs) {
        return new ResultsStore(runs, List.of(), List.of(), false);
    }

    /**
     * Reads runs from run directories and experiment directories. Lines and events that cannot be
     * used are skipped, and a run that cannot be read at all is left out, each with a
     * {@link #warnings() warning}; one bad run never keeps the others from being read.
     *
     * @param paths run directories (with events.jsonl), experiment directories (with runs/), or
     *     folders of run directories
     * @return the store (completed runs aggregated over seeds)
     * @throws IllegalArgumentException naming a path that is none of these, or when no run could be
     *     read (the message lists why)
     * @throws IOException if a folder cannot be listed
     */
    public static ResultsStore load(List<Path> paths) throws IOException {
        List<RunResult> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (Path d : runDirectories(paths)) {
            try {
                out.add(RunResult.read(d, warnings::add));
            } catch (IOException | RuntimeException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                why.add((m.contains(d.toString()) ? m : d + ": " + m) + "; run skipped");
                warnings.add(why.get(why.size() - 1));
                skipped.add(d);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no run could be read: " + String.join("; ", why));
        }
        return new ResultsStore(out, warnings, skipped, false);
    }

    /** @return the run directories {@link #load} left out (see {@link #warnings()} for why) */
    public List<Path> skipped() {
        return skipped;
    }

    /**
     * What {@link #load} skipped: lines that are not events, events that cannot be used, and runs
     * left out, each naming its file (and line).
     *
     * @return the warnings, in reading order; empty for a store built with {@link #of}
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * What {@link #load} found reading the runs, without what aggregating them found (seeds run
     * more than once): lines skipped, events ignored, values taken from spec.yaml, runs left out.
     *
     * @return the warnings, in reading order
     */
    public List<String> readWarnings() {
        return readWarnings;
    }

    /**
     * The run directories that paths stand for, each once, in the order given.
     *
     * @param paths run directories, experiment directories, or folders of run directories
     * @return absolute, normalised run directories
     * @throws IllegalArgumentException naming a path that holds no run
     * @throws IOException if a folder cannot be listed
     */
    public static List<Path> runDirectories(List<Path> paths) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path p : paths) {
            dirs.addAll(runDirectories(p));
        }
        return List.copyOf(dirs);
    }

    /**
     * Why a file given in place of a folder is not runs, and what to give: a run's event log stands
     * for its run directory, and a spec file for its experiment's folder, where its runs are.
     */
    private static String notAFolder(Path file) {
        String name = file.getFileName().toString();
        if (name.equals("events.jsonl") || name.equals("spec.yaml") && Files.exists(file.resolveSibling("events.jsonl"))) {
            return "is a file of a run; give its run directory, " + file.getParent();
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            String experiment = null;
            try {
                com.fasterxml.jackson.databind.JsonNode n = YamlNodes.readTree(file).get("name");
                experiment = n != null && n.isTextual() && !n.asText().isBlank() ? n.asText().trim() : null;
            } catch (RuntimeException e) {
                // not a spec that can be read: the general hint below
            }
            if (experiment != null) {
                Path runs = file.getParent().resolve(experiment);
                return "is a spec file, not runs; " + (Files.isDirectory(runs.resolve("runs"))
                        ? "its runs are in " + runs + ": give that folder"
                        : "its runs go to experiments/" + experiment + "/ when it runs: give that folder");
            }
        }
        return "is a file; give run directories (with events.jsonl) or experiment directories (experiments/<name>,"
                + " with runs/)";
    }

    /**
     * The run directories a path stands for, sorted by name (run ids start with their time).
     *
     * @param p a run directory, an experiment directory, or a folder of run directories
     * @return absolute, normalised run directories
     * @throws IllegalArgumentException if the path holds no run
     * @throws IOException if a folder cannot be listed
     */
    public static List<Path> runDirectories(Path p) throws IOException {
        Path d = p.toAbsolutePath().normalize();
        if (Files.isRegularFile(d.resolve("events.jsonl"))) {
            return List.of(d);
        }
        if (Files.isRegularFile(d)) {
            throw new IllegalArgumentException(p + ": " + notAFolder(d));
        }
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException(p + ": no such directory; give run directories (with events.jsonl)"
                    + " or experiment directories (experiments/<name>, with runs/)");
        }
        if (isRunFolder(d)) {
            return List.of(d); // a run directory whose event log is gone: load says so
        }
        Path folder = Files.isDirectory(d.resolve("runs")) ? d.resolve("runs") : d;
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            // with the run folders whose event log is gone or is no file: load leaves them out by name,
            // saying why, instead of their runs missing from the tables without a word
            s.filter(x -> Files.isRegularFile(x.resolve("events.jsonl")) || isRunFolder(x)).sorted()
                    .forEach(found::add);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(p + ": not a run directory (no events.jsonl) and no run directories under "
                    + (folder.equals(d) ? "it" : "its runs/ folder")
                    + "; give run directories or experiment directories (experiments/<name>)");
        }
        return found;
    }

    /** A folder the workbench made for a run: it holds the run's spec.yaml, or an events.jsonl that is no file. */
    private static boolean isRunFolder(Path x) {
        Path events = x.resolve("events.jsonl");
        return Files.isDirectory(x) && (Files.isRegularFile(x.resolve("spec.yaml"))
                || Files.exists(events) && !Files.isRegularFile(events));
    }

    /**
     * The same runs with one entry per run (no aggregation over seeds).
     *
     * @param perRun true for one entry per run, false to aggregate completed runs over seeds
     * @return the store
     */
    public ResultsStore withEntriesPerRun(boolean perRun) {
        return perRun == perRunEntries ? this : new ResultsStore(runs, readWarnings, skipped, perRun);
    }

    /** @return whether every run is its own entry */
    public boolean entriesPerRun() {
        return perRunEntries;
    }

    /** @return the runs, in load order */
    public List<RunResult> runs() {
        return runs;
    }

    /** @return the entries: aggregated or single completed runs first, then partial runs */
    public List<Entry> entries() {
        return entries;
    }

    /** @return every domain of the runs, in learning order of first appearance */
    public List<String> domains() {
        Set<String> s = new LinkedHashSet<>();
        for (RunResult r : runs) {
            s.addAll(r.domains());
        }
        return List.copyOf(s);
    }

    /** @return the experiments of the runs, in order of first appearance */
    public List<String> experiments() {
        Set<String> s = new LinkedHashSet<>();
        for (RunResult r : runs) {
            s.add(r.record().experiment());
        }
        return List.copyOf(s);
    }

    /**
     * One row per run and domain: entry, run_id, experiment, method, method_name, seed, status,
     * stopped_in, domain, domain_index, accuracy (reached), final (from the saved patch),
     * trainable_params, patch_bytes, gate_sparsity, macs_per_image, latency_skip_ms,
     * latency_full_ms, and the run's own step_seconds, measured_step_bytes, analytic_step_bytes.
     *
     * @return the table (missing values are NaN)
     */
    public Table results() {
        if (results != null) {
            return results;
        }
        Table t = Table.create("results", StringColumn.create(ENTRY), StringColumn.create(RUN_ID),
                StringColumn.create("experiment"), StringColumn.create(METHOD), StringColumn.create("method_name"),
                LongColumn.create("seed"), StringColumn.create("status"), StringColumn.create("stopped_in"),
                StringColumn.create(DOMAIN), IntColumn.create("domain_index"), DoubleColumn.create(ACCURACY),
                BooleanColumn.create("final"), DoubleColumn.create("trainable_params"),
                DoubleColumn.create("patch_bytes"), DoubleColumn.create("gate_sparsity"),
                DoubleColumn.create("macs_per_image"), DoubleColumn.create("latency_skip_ms"),
                DoubleColumn.create("latency_full_ms"), DoubleColumn.create("step_seconds"),
                DoubleColumn.create("measured_step_bytes"), DoubleColumn.create("analytic_step_bytes"));
        for (Entry e : entries) {
            for (RunResult r : e.runs()) {
                RunRecord rec = r.record();
                for (int i = 0; i < rec.domains().size(); i++) {
                    String d = rec.domains().get(i);
                    Row row = t.appendRow();
                    runColumns(row, e, r);
                    row.setString(DOMAIN, d);
                    row.setInt("domain_index", i);
                    row.setDouble(ACCURACY, r.reachedAccuracy()[i]);
                    row.setBoolean("final", r.isFinal(d));
                    row.setDouble("trainable_params", orNaN(rec.trainableParams().get(d)));
                    row.setDouble("patch_bytes", orNaN(rec.patchBytes().get(d)));
                    row.setDouble("gate_sparsity", orNaN(r.gateSparsity().get(d)));
                    row.setDouble("macs_per_image", orNaN(r.macsPerImage().get(d)));
                    Map<String, Double> lat = r.latencyMs().getOrDefault(d, Map.of());
                    row.setDouble("latency_skip_ms", orNaN(lat.get("skip")));
                    row.setDouble("latency_full_ms", orNaN(lat.get("full")));
                    row.setDouble("step_seconds", rec.stepSeconds());
                    row.setDouble("measured_step_bytes", bytes(r.measuredStepBytes()));
                    row.setDouble("analytic_step_bytes", bytes(r.analyticStepBytes()));
                }
            }
        }
        results = t;
        return t;
    }

    /**
     * One row per run: entry, run_id, experiment, method, method_name, seed, status, stopped_in,
     * accuracy (mean over domains, NaN unless every domain that runs of its experiment learned has a
     * value), step_seconds, measured_step_bytes, analytic_step_bytes, trainable_params and
     * patch_bytes (means per domain), gate_sparsity, macs_per_image, full_macs_per_image,
     * latency_skip_ms, latency_full_ms, seconds, error.
     *
     * @return the table (missing values are NaN)
     */
    public Table perRun() {
        if (perRun != null) {
            return perRun;
        }
        Table t = Table.create("runs", StringColumn.create(ENTRY), StringColumn.create(RUN_ID),
                StringColumn.create("experiment"), StringColumn.create(METHOD), StringColumn.create("method_name"),
                LongColumn.create("seed"), StringColumn.create("status"), StringColumn.create("stopped_in"),
                DoubleColumn.create(ACCURACY), DoubleColumn.create("step_seconds"),
                DoubleColumn.create("measured_step_bytes"), DoubleColumn.create("analytic_step_bytes"),
                DoubleColumn.create("trainable_params"), DoubleColumn.create("patch_bytes"),
                DoubleColumn.create("gate_sparsity"), DoubleColumn.create("macs_per_image"),
                DoubleColumn.create("full_macs_per_image"), DoubleColumn.create("latency_skip_ms"),
                DoubleColumn.create("latency_full_ms"), DoubleColumn.create("seconds"), StringColumn.create("error"));
        // a mean over fewer domains than the others of its experiment learned is not comparable
        Map<String, Set<String>> domainsOf = new HashMap<>();
        for (RunResult r : runs) {
            domainsOf.computeIfAbsent(r.record().experiment(), k -> new LinkedHashSet<>()).addAll(r.domains());
        }
        for (Entry e : entries) {
            for (RunResult r : e.runs()) {
                RunRecord rec = r.record();
                Row row = t.appendRow();
                runColumns(row, e, r);
                boolean every = r.domains().containsAll(domainsOf.get(rec.experiment()));
                row.setDouble(ACCURACY, every ? r.meanAccuracy() : Double.NaN);
                row.setDouble("step_seconds", rec.stepSeconds());
                row.setDouble("measured_step_bytes", bytes(r.measuredStepBytes()));
                row.setDouble("analytic_step_bytes", bytes(r.analyticStepBytes()));
                row.setDouble("trainable_params", r.meanTrainableParams());
                row.setDouble("patch_bytes", r.meanPatchBytes());
                row.setDouble("gate_sparsity", r.meanGateSparsity());
                row.setDouble("macs_per_image", r.meanMacsPerImage());
                row.setDouble("full_macs_per_image", r.fullMacsPerImage());
                row.setDouble("latency_skip_ms", r.meanLatencyMs("skip"));
                row.setDouble("latency_full_ms", r.meanLatencyMs("full"));
                row.setDouble("seconds", rec.seconds());
                row.setString("error", rec.error() == null ? "" : rec.error());
            }
        }
        perRun = t;
        return t;
    }

    /**
     * A run-level value of an entry aggregated over its runs (a column of {@link #perRun()}).
     *
     * @param entry the entry's key
     * @param column a numeric column of {@link #perRun()}
     * @return mean, standard deviation and count
     */
    public Stats stats(String entry, String column) {
        Map<String, Stats> m = runStats.computeIfAbsent(column, c -> aggregate(perRun(), c, ENTRY));
        return m.getOrDefault(entry, Stats.NONE);
    }

    /**
     * A per-domain value of an entry aggregated over its runs (a column of {@link #results()}).
     *
     * @param entry the entry's key
     * @param domain the domain
     * @param column a numeric column of {@link #results()}
     * @return mean, standard deviation and count
     */
    public Stats stats(String entry, String domain, String column) {
        Map<String, Stats> m = domainStats.computeIfAbsent(column, c -> aggregate(results(), c, ENTRY, DOMAIN));
        return m.getOrDefault(entry + '\u0000' + domain, Stats.NONE);
    }

    /**
     * Aggregates a numeric column over groups with tablesaw (missing values are left out).
     *
     * @param t the table
     * @param column the numeric column
     * @param by the grouping columns (string columns)
     * @return stats by the group's values joined with NUL
     */
    static Map<String, Stats> aggregate(Table t, String column, String... by) {
        Map<String, Stats> out = new LinkedHashMap<>();
        if (t.rowCount() == 0) {
            return out;
        }
        Table s = t.summarize(column, mean, stdDev, countNonMissing).by(by);
        DoubleColumn m = s.doubleColumn("Mean [" + column + "]");
        DoubleColumn sd = s.doubleColumn("Std. Deviation [" + column + "]");
        Object countCol = s.column("Count [" + column + "]");
        for (int i = 0; i < s.rowCount(); i++) {
            StringBuilder key = new StringBuilder();
            for (int k = 0; k < by.length; k++) {
                if (k > 0) {
                    key.append('\u0000');
                }
                key.append(s.stringColumn(by[k]).get(i));
            }
            int n = (int) Math.round(((tech.tablesaw.api.NumericColumn<?>) countCol).getDouble(i));
            double mu = n == 0 ? Double.NaN : m.getDouble(i);
            double sigma = n > 1 ? sd.getDouble(i) : Double.NaN;
            out.put(key.toString(), new Stats(mu, sigma, n));
        }
        return Collections.unmodifiableMap(out);
    }

    private static void runColumns(Row row, Entry e, RunResult r) {
        RunRecord rec = r.record();
        row.setString(ENTRY, e.key());
        row.setString(RUN_ID, rec.runId());
        row.setString("experiment", rec.experiment());
        row.setString(METHOD, rec.label());
        row.setString("method_name", rec.method());
        row.setLong("seed", rec.seed());
        row.setString("status", rec.status());
        row.setString("stopped_in", r.completed() || r.stoppedIn() == null ? "" : r.stoppedIn());
    }

    private static List<Entry> buildEntries(List<RunResult> runs, boolean perRun, List<String> warnings) {
        List<Entry> done = new ArrayList<>();
        List<Entry> partial = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        // a label that runs of several experiments share is a row per experiment: their runs are
        // different settings or domains, not seeds of one another
        Map<String, Set<String>> experiments = new HashMap<>();
        for (RunResult r : runs) {
            experiments.computeIfAbsent(r.record().label(), k -> new LinkedHashSet<>()).add(r.record().experiment());
        }
        java.util.function.Function<RunRecord, String> rowOf = rec -> experiments.get(rec.label()).size() > 1
                ? rec.label() + " (" + rec.experiment() + ")" : rec.label();
        Map<String, Map<Long, RunResult>> byRow = new LinkedHashMap<>();
        if (!perRun) {
            // one completed run per method and seed: an experiment run again repeats its seeds, and
            // a mean and deviation over repeats would pass for one over seeds. The latest of a seed
            // stands, whatever order the paths were given in: run ids start with their time
            // (yyyyMMdd-HHmmss); the others are named
            for (RunResult r : runs) {
                if (r.completed()) {
                    String row = rowOf.apply(r.record());
                    Map<Long, RunResult> seeds = byRow.computeIfAbsent(row, k -> new LinkedHashMap<>());
                    RunResult other = seeds.get(r.record().seed());
                    RunResult stands = other == null || r.record().runId().compareTo(other.record().runId()) >= 0
                            ? r : other;
                    seeds.put(r.record().seed(), stands);
                    if (other != null) {
                        RunResult left = stands == r ? other : r;
                        warnings.add(row + " seed " + r.record().seed() + " completed more than once: "
                                + stands.record().runId() + " stands, " + left.record().runId() + " is left out of"
                                + " the mean (--per-run lists both)");
                    }
                }
            }
            for (Map.Entry<String, Map<Long, RunResult>> g : byRow.entrySet()) {
                keys.add(g.getKey());
                List<RunResult> one = new ArrayList<>(g.getValue().values());
                RunRecord first = one.get(0).record();
                done.add(new Entry(g.getKey(), first.label(), first.method(), one, false, true));
            }
        }
        for (RunResult r : runs) {
            if (!perRun && r.completed()) {
                continue;
            }
            RunRecord rec = r.record();
            String row = rowOf.apply(rec);
            RunResult later = byRow.getOrDefault(row, Map.of()).get(rec.seed());
            if (!perRun && later != null && later.record().runId().compareTo(rec.runId()) > 0) {
                // a stopped attempt that a later run of its seed completed (resumed it, or ran it
                // again) is history, not a result
                warnings.add(row + " seed " + rec.seed() + ": " + rec.runId() + " (" + rec.status() + ") is left out:"
                        + " the later " + later.record().runId() + " completed (--per-run lists both)");
                continue;
            }
            String key = row.equals(rec.label()) ? rec.label() + " s" + rec.seed()
                    : rec.label() + " s" + rec.seed() + " (" + rec.experiment() + ")";
            if (!keys.add(key)) {
                key = key + " (" + rec.runId() + ")";
                keys.add(key);
            }
            Entry e = new Entry(key, rec.label(), rec.method(), List.of(r), !r.completed(), false);
            (r.completed() ? done : partial).add(e);
        }
        List<Entry> all = new ArrayList<>(done);
        all.addAll(partial);
        return List.copyOf(all);
    }

    private static double orNaN(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }

    private static double bytes(long b) {
        return b < 0 ? Double.NaN : b;
    }
}
