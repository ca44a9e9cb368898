package org.da3.workbench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.report.ComparisonTable.Better;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;
import org.da3.workbench.report.ResultsStore.Entry;

/**
 * Builds the comparison tables from a {@link ResultsStore}: {@link #accuracy} and {@link #cost}.
 * Completed runs of a method are aggregated over seeds (mean ± standard deviation); runs that
 * stopped part-way follow as rows of their own, with their status and the values they reached.
 */
public final class ComparisonTables {

    private static final double PERCENT = 0.01;

    private ComparisonTables() {}

    /**
     * Accuracy per domain and method, a mean column, the Visual Decathlon score when it applies,
     * and the status.
     *
     * @param store the results
     * @param options the options
     * @return the table
     */
    public static ComparisonTable accuracy(ResultsStore store, TableOptions options) {
        ResultsStore s = store.withEntriesPerRun(options.perRun());
        List<String> domains = s.domains();
        boolean score = options.score() == TableOptions.ScoreMode.ON
                || (options.score() == TableOptions.ScoreMode.AUTO && DecathlonScore.isDecathlon(domains));
        List<Column> cols = new ArrayList<>();
        cols.add(Column.text("Method"));
        for (String d : domains) {
            cols.add(Column.number(d, "%", PERCENT, 1, Better.HIGHER));
        }
        cols.add(Column.number("Mean", "%", PERCENT, 1, Better.HIGHER));
        References refs = References.of(s, options.referenceMethod());
        DecathlonScore.Reference given = options.referenceErrors().isEmpty() ? null
                : new DecathlonScore.Reference(options.referenceErrors(),
                        "given (" + describe(options.referenceErrors()) + ")");
        if (score) {
            cols.add(Column.number("Score", 1, 0, Better.HIGHER));
        }
        StatusColumn status = StatusColumn.of(s.entries(), options);
        status.addColumn(cols);
        List<Row> rows = new ArrayList<>();
        boolean provisionalAny = false;
        boolean partialAny = false;
        for (Entry e : s.entries()) {
            List<Cell> cells = new ArrayList<>();
            cells.add(Cell.text(e.key()));
            for (String d : domains) {
                Stats st = s.stats(e.key(), d, ResultsStore.ACCURACY);
                // a run that stopped part-way, or whose final evaluation of the domain is missing
                boolean provisional = st.present() && e.runs().stream().anyMatch(r -> !r.isFinal(d));
                provisionalAny |= provisional;
                cells.add(new Cell(null, st, provisional));
            }
            Stats mean = s.stats(e.key(), ResultsStore.ACCURACY);
            boolean meanProvisional = mean.present()
                    && domains.stream().anyMatch(d -> e.runs().stream().anyMatch(r -> !r.isFinal(d)));
            cells.add(new Cell(null, mean, meanProvisional));
            if (score) {
                DecathlonScore.Reference ref = given != null ? given : errors(refs, refs.of(e), domains);
                double[] per = new double[e.runs().size()];
                for (int i = 0; i < per.length; i++) {
                    per[i] = ref == null ? Double.NaN : runScore(e.runs().get(i), domains, ref);
                }
                cells.add(Cell.of(Stats.over(per)));
            }
            status.addCell(cells, e);
            partialAny |= e.partial();
            rows.add(new Row(cells, e.partial()));
        }
        ComparisonTable draft = new ComparisonTable("accuracy", "", List.of(), cols, rows, List.of());
        StringBuilder cap = new StringBuilder("Test accuracy (%) per domain after learning all domains in sequence,"
                + " evaluated from the saved patches");
        cap.append(draft.hasSpread() && !status.seedsInFacts() ? "; mean ± standard deviation over seeds." : ".");
        List<String> facts = new ArrayList<>();
        if (draft.hasSpread() && status.seedsInFacts()) {
            facts.add(status.seedsFact());
        }
        List<String> notes = new ArrayList<>();
        if (score) {
            if (given != null || refs.first() != null) {
                facts.add("Score: Visual Decathlon score (γ = 2, at most 1000 per domain, 250 at the reference"
                        + " error), reference errors: " + (given != null ? given.source()
                                : "the mean errors of " + refs.describe() + " in this run set") + ".");
            } else {
                facts.add("Score: Visual Decathlon score; not computed: no reference errors (no completed "
                        + options.referenceMethod() + " runs in this set; give reference errors).");
            }
        }
        partialNotes(notes, partialAny, options.perRun());
        if (provisionalAny) {
            notes.add("* last per-epoch test accuracy reached (no final evaluation from a saved patch: the run"
                    + " stopped before it, or its event is missing).");
        }
        return new ComparisonTable("accuracy", cap.toString(), facts, cols, rows, notes);
    }

    /**
     * Training and inference costs per method: peak training memory (analytic and measured) with
     * its ratio to fine-tune, step time, trainable parameters and patch size per domain, gate
     * sparsity, inference MACs per image (and latency when runs report it), and the status.
     *
     * @param store the results
     * @param options the options
     * @return the table
     */
    public static ComparisonTable cost(ResultsStore store, TableOptions options) {
        ResultsStore s = store.withEntriesPerRun(options.perRun());
        String ref = options.referenceMethod();
        References refs = References.of(s, ref);
        String refShort = ref.equals(TableOptions.FINETUNE) ? "FT" : ref;
        boolean latency = s.runs().stream().anyMatch(r -> !Double.isNaN(r.meanLatencyMs("skip")));

        List<Entry> entries = s.entries();
        List<Column> cols = new ArrayList<>();
        cols.add(Column.text("Method"));
        cols.add(legible(Column.number("MB", 1e6, 1, Better.LOWER).inGroup("Analytic peak"), s, entries,
                "analytic_step_bytes"));
        cols.add(Column.number("× " + refShort, 1, 3, Better.LOWER).inGroup("Analytic peak"));
        cols.add(legible(Column.number("MB", 1e6, 1, Better.LOWER).inGroup("Measured peak"), s, entries,
                "measured_step_bytes"));
        cols.add(Column.number("× " + refShort, 1, 3, Better.LOWER).inGroup("Measured peak"));
        cols.add(legible(Column.number("Step (ms)", 1e-3, 1, Better.LOWER), s, entries, "step_seconds"));
        cols.add(scaled("Trainable/domain", "", s, entries, "trainable_params", Better.LOWER));
        cols.add(scaled("Patch/domain", "B", s, entries, "patch_bytes", Better.LOWER));
        cols.add(Column.number("Gate sparsity", 1, 2, Better.NONE));
        cols.add(scaled("MACs/image", "", s, entries, "macs_per_image", Better.LOWER));
        if (latency) {
            cols.add(legible(Column.number("Latency (ms)", 1, 2, Better.LOWER), s, entries, "latency_skip_ms"));
        }
        StatusColumn status = StatusColumn.of(entries, options);
        status.addColumn(cols);

        List<Row> rows = new ArrayList<>();
        boolean partialAny = false;
        for (Entry e : entries) {
            String k = e.key();
            List<Cell> cells = new ArrayList<>();
            cells.add(Cell.text(k));
            Stats analytic = s.stats(k, "analytic_step_bytes");
            Stats measured = s.stats(k, "measured_step_bytes");
            cells.add(Cell.of(exact(analytic))); // arithmetic: the same for every seed
            Entry own = refs.of(e);
            cells.add(Cell.of(ratio(analytic, refs.stats(own, "analytic_step_bytes"))));
            cells.add(Cell.of(measured));
            cells.add(Cell.of(ratio(measured, refs.stats(own, "measured_step_bytes"))));
            cells.add(Cell.of(s.stats(k, "step_seconds")));
            cells.add(Cell.of(exact(s.stats(k, "trainable_params"))));
            cells.add(Cell.of(exact(s.stats(k, "patch_bytes"))));
            cells.add(Cell.of(s.stats(k, "gate_sparsity")));
            cells.add(Cell.of(exact(s.stats(k, "macs_per_image"))));
            if (latency) {
                cells.add(Cell.of(s.stats(k, "latency_skip_ms")));
            }
            status.addCell(cells, e);
            partialAny |= e.partial();
            rows.add(new Row(cells, e.partial()));
        }
        ComparisonTable draft = new ComparisonTable("cost", "", List.of(), cols, rows, List.of());
        String cap = "Training and inference cost: peak training-step memory above the idle baseline (analytic model"
                + " and measured peak RSS), mean training step time, trainable parameters and patch size per domain"
                + " (mean over domains), gate sparsity (1 − open ratio at evaluation) and inference"
                + " multiply-accumulates per image (with gate skipping where the method has gates; FLOPs ≈ 2 × MACs)"
                + (latency ? ", inference latency per image with gate skipping" : "")
                + (draft.hasSpread() && !status.seedsInFacts() ? "; mean ± standard deviation over seeds." : ".");
        List<String> facts = new ArrayList<>();
        if (draft.hasSpread() && status.seedsInFacts()) {
            facts.add(status.seedsFact());
        }
        facts.add(refs.first() == null
                ? "× " + refShort + ": ratio to " + ref + ", not computed (no completed " + ref + " runs in this set)."
                : "× " + refShort + ": ratio " + (options.perRun() ? "of the run's value to the mean of "
                        : "of the mean to that of ") + refs.describe() + ".");
        List<String> reuse = entries.stream().filter(e -> e.runs().stream()
                .anyMatch(r -> "reuse".equals(r.record().summary().get("allocator")))).map(Entry::key).toList();
        if (!reuse.isEmpty()) {
            facts.add("Measured peak of " + String.join(", ", reuse) + ": runs with allocator reuse, whose peak"
                    + " includes the freed memory the C allocator keeps for reuse"
                    + (reuse.size() < entries.size() ? "; the others count live tensors only (allocator exact)."
                            : " (allocator exact counts live tensors only)."));
        }
        List<String> notes = new ArrayList<>();
        partialNotes(notes, partialAny, options.perRun());
        return new ComparisonTable("cost", cap, facts, cols, rows, notes);
    }

    /**
     * The last column: each row's status, or, in a document whose rows all completed, nothing (the
     * caption's facts say how many seeds) or the number of seeds where methods ran different numbers.
     *
     * @param status whether the table has the Status column
     * @param seedsColumn whether it has a Seeds column instead
     * @param seedCount the number of seeds of every row, or 0 where it differs or is not shown
     */
    private record StatusColumn(boolean status, boolean seedsColumn, int seedCount) {

        static StatusColumn of(List<Entry> entries, TableOptions o) {
            if (o.statusAlways() || o.perRun() || entries.stream().anyMatch(Entry::partial)) {
                return new StatusColumn(true, false, 0);
            }
            List<Integer> n = entries.stream().map(e -> e.runs().size()).distinct().toList();
            return n.size() == 1 ? new StatusColumn(false, false, n.get(0)) : new StatusColumn(false, true, 0);
        }

        void addColumn(List<Column> cols) {
            if (status) {
                cols.add(Column.text("Status"));
            } else if (seedsColumn) {
                cols.add(Column.number("Seeds", 1, 0, Better.NONE));
            }
        }

        void addCell(List<Cell> cells, Entry e) {
            if (status) {
                cells.add(Cell.text(e.statusText()));
            } else if (seedsColumn) {
                cells.add(Cell.of(Stats.of(e.runs().size())));
            }
        }

        /**
         * @return whether the caption's facts say how many seeds (no column does), so that a
         *     caption of the user's own keeps it as a note
         */
        boolean seedsInFacts() {
            return !status && !seedsColumn && seedCount > 1;
        }

        String seedsFact() {
            return "Mean ± standard deviation over " + seedCount + " seeds.";
        }
    }

    private static void partialNotes(List<String> notes, boolean partialAny, boolean perRun) {
        if (partialAny) {
            notes.add("Runs that stopped part-way are listed last, with the values they reached"
                    + (perRun ? "." : "; they are not in the means over seeds."));
        }
    }

    /** The reference row's mean errors per domain, or null without a reference row. */
    private static DecathlonScore.Reference errors(References refs, Entry ref, List<String> domains) {
        if (ref == null) {
            return null;
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        for (String d : domains) {
            Stats st = refs.seeds().stats(ref.key(), d, ResultsStore.ACCURACY);
            if (st.present()) {
                errors.put(d, 1 - st.mean());
            }
        }
        return new DecathlonScore.Reference(errors, "the mean errors of " + ref.key());
    }

    private static String describe(Map<String, Double> errors) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> en : errors.entrySet()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(en.getKey()).append(' ').append(String.format(java.util.Locale.ROOT, "%.1f%%",
                    100 * en.getValue()));
        }
        return sb.toString();
    }

    private static double runScore(RunResult r, List<String> domains, DecathlonScore.Reference ref) {
        Map<String, Double> errors = new LinkedHashMap<>();
        for (String d : domains) {
            double a = r.accuracy(d);
            if (!Double.isNaN(a) && r.isFinal(d)) {
                errors.put(d, 1 - a);
            }
        }
        return DecathlonScore.score(errors, domains, ref);
    }

    /**
     * The rows that ratios and scores are taken against: the reference method's completed row
     * (aggregated over seeds) of each row's own experiment, or, for an experiment without one, the
     * first in the set. Runs of different experiments differ in settings or domains, so a ratio
     * across them would compare two set-ups rather than two methods.
     *
     * @param method the reference method (a label, else a registry name)
     * @param seeds the results aggregated over seeds, where the reference rows live
     * @param first the first reference row in the set, or null for none
     * @param byExperiment each experiment's own reference row, for experiments that have one
     * @param experiments every experiment with rows in the table
     */
    record References(String method, ResultsStore seeds, Entry first, Map<String, Entry> byExperiment,
            List<String> experiments) {

        static References of(ResultsStore s, String method) {
            ResultsStore seeds = s.withEntriesPerRun(false);
            Map<String, Entry> byExperiment = new LinkedHashMap<>();
            // a label names one row exactly; a registry name is the fallback
            for (boolean byLabel : new boolean[] {true, false}) {
                for (Entry e : seeds.entries()) {
                    if (!e.partial() && (byLabel ? e.method() : e.methodName()).equals(method)) {
                        byExperiment.putIfAbsent(e.experiment(), e);
                    }
                }
            }
            Entry first = null;
            for (Entry e : seeds.entries()) {
                if (byExperiment.containsValue(e)) {
                    first = e;
                    break;
                }
            }
            List<String> experiments = s.entries().stream().map(Entry::experiment).distinct().toList();
            return new References(method, seeds, first, Map.copyOf(byExperiment), experiments);
        }

        /** @return the reference row for an entry, or null when the set has none */
        Entry of(Entry e) {
            return byExperiment.getOrDefault(e.experiment(), first);
        }

        /** @return a reference row's statistic, over seeds */
        Stats stats(Entry ref, String column) {
            return ref == null ? Stats.NONE : seeds.stats(ref.key(), column);
        }

        /** @return which row is the reference, or which rows, for a caption */
        String describe() {
            if (byExperiment.size() <= 1) {
                return experiments.size() <= 1 || !first.key().equals(first.method()) ? first.key()
                        : first.key() + " (experiment " + first.experiment() + ", the set's only one)";
            }
            List<String> own = new ArrayList<>();
            List<String> without = new ArrayList<>();
            for (String x : experiments) {
                Entry r = byExperiment.get(x);
                if (r != null) {
                    own.add(r.key());
                } else {
                    without.add(x.isEmpty() ? "(unnamed)" : x);
                }
            }
            return "the " + method + " row of the row's own experiment (" + String.join(", ", own) + ")"
                    + (without.isEmpty() ? "" : "; for " + (without.size() == 1 ? "experiment " : "experiments ")
                            + String.join(", ", without) + (without.size() == 1 ? ", which has" : ", which have") + " no completed "
                            + method + " run, "
                            + first.key());
        }
    }

    /** Sizes that do not vary over seeds show no "± 0". */
    private static Stats exact(Stats st) {
        return st.hasSpread() && st.std() == 0 ? new Stats(st.mean(), Double.NaN, st.n()) : st;
    }

    private static Stats ratio(Stats v, Stats ref) {
        if (!v.present() || !ref.present() || ref.mean() <= 0) {
            return Stats.NONE;
        }
        return Stats.of(v.mean() / ref.mean());
    }

    /** The smallest and largest absolute mean of a per-run column over entries (NaN if none). */
    private static double[] range(ResultsStore s, List<Entry> entries, String column) {
        double min = Double.NaN;
        double max = Double.NaN;
        for (Entry e : entries) {
            double v = Math.abs(s.stats(e.key(), column).mean());
            if (Double.isNaN(v) || v == 0) {
                continue;
            }
            min = Double.isNaN(min) ? v : Math.min(min, v);
            max = Double.isNaN(max) ? v : Math.max(max, v);
        }
        return new double[] {min, max};
    }

    /**
     * More decimals where the column's smallest value would show fewer than two significant
     * digits (at most three decimals).
     */
    private static Column legible(Column c, ResultsStore s, List<Entry> entries, String column) {
        double min = range(s, entries, column)[0];
        if (Double.isNaN(min)) {
            return c;
        }
        int need = 1 - (int) Math.floor(Math.log10(min / c.divisor()));
        return c.withDecimals(Math.max(c.decimals(), Math.min(3, need)));
    }

    /** A count column scaled to k, M or G so that the largest value stays under 1000. */
    private static Column scaled(String header, String unit, ResultsStore s, List<Entry> entries, String column,
            Better better) {
        double max = range(s, entries, column)[1];
        String[] prefix = {"", "k", "M", "G", "T"};
        int i = 0;
        double div = 1;
        while (!Double.isNaN(max) && max / div >= 999.95 && i < prefix.length - 1) {
            div *= 1000;
            i++;
        }
        String u = prefix[i] + unit;
        Column c = Column.number(u.isEmpty() ? header : header + " (" + u + ")", div, i == 0 ? 0 : 1, better);
        return i == 0 ? c : legible(c, s, entries, column);
    }
}
