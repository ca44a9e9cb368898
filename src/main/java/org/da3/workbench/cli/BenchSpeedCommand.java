package org.da3.workbench.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.memory.ProbeResult;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code da3 bench speed}: training throughput and step time per method, each method in its own
 * worker JVM with glibc's default allocator (the speed a user gets), on the configurations of
 * docs/benchmarks.md.
 *
 * <p>Shared machines drift by tens of percent within seconds, so the ratios to fine-tune come from
 * paired steps: in each round a fine-tune probe stays up while every other method's probe runs,
 * the two JVMs stepping in turn (never together, the order alternating), and each of the method's
 * steps is divided by the fine-tune step beside it. The table gives the median over every pair
 * and, with more than one round, the range of the rounds' medians.
 */
@Command(name = "speed", mixinStandardHelpOptions = true,
        description = {"Training throughput (images/s) and step time per method, each in its own worker JVM.",
            "Default configurations: ResNet-26 at 64 px with batch 32, and ResNet-18 at 224 px with batch 8."})
public final class BenchSpeedCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "ARCH:WIDTH:SIZE:BATCH", split = ",",
            description = "configurations (default: resnet26:64:64:32,resnet18:64:224:8)")
    List<String> configs;

    @Option(names = "--methods", split = ",", paramLabel = "LIST",
            description = "methods (default: finetune, linear, da3; 'all' for every method; options after colons,"
                    + " for example da3:micro_batch=0)")
    List<String> methods;

    @Option(names = "--steps", defaultValue = "5", description = "measured steps per method and round, each paired with a fine-tune step"
                + " (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "5", description = "steps before measuring (default: ${DEFAULT-VALUE}; gated methods meet new batch shapes"
                + " in their first steps, which the engine then caches)")
    int warmup;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds: every method once per round, each in a fresh JVM"
                + " stepping in turn with a fine-tune JVM; the table gives the range of the rounds' median ratios"
                + " (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads, 0 for all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--gate-open", defaultValue = "rho", paramLabel = "R|rho|none",
            description = "also measure each gated method with its gates set so that this fraction of the batch passes"
                + " each gate, as training leaves them at the budget's target: a ratio in [0, 1], 'rho' for each"
                + " method's own target, or 'none' (default: ${DEFAULT-VALUE}); the gated methods' plain rows hold"
                + " every gate open, as training starts")
    String gateOpen;

    @Option(names = "--json", description = "print one JSON object per measurement instead of tables")
    boolean json;

    @Option(names = "--no-docs", description = "do not update docs/benchmarks.md")
    boolean noDocs;

    @Override
    public Integer call() throws Exception {
        List<String> cfgs = configs == null || configs.isEmpty() ? List.of("resnet26:64:64:32", "resnet18:64:224:8") : configs;
        List<String> names = methods == null || methods.isEmpty() ? List.of("finetune", "linear", "da3")
                : methods.size() == 1 && methods.get(0).equals("all") ? MethodCatalog.names() : methods;
        Flags.wholeNumber("--rounds", rounds, 1, 100);
        Flags.wholeNumber("--steps", steps, 1, 10_000);
        Flags.wholeNumber("--warmup", warmup, 0, 10_000);
        Flags.wholeNumber("--threads", threads, 0, 1024);
        if (!gateOpen.equals("rho") && !gateOpen.equals("none")) {
            // checked whether or not a gated method is measured: a typo is not silently ignored
            gatedRatio(MethodSpec.of("da3"));
        }
        // every configuration, and the docs' section it will replace, is checked before the first probe starts
        boolean docs = !noDocs && !json && (methods == null || methods.isEmpty());
        for (String cfg : cfgs) {
            int[] shape = Flags.config("--config", cfg);
            if (docs) {
                BenchMemoryCommand.checkSection(Workspace.locate(null).root().resolve("docs/benchmarks.md"), "speed-"
                        + cfg.split(":")[0] + "-" + shape[0] + "-" + shape[1] + "-b" + shape[2]);
            }
        }
        List<MethodSpec> ms = new ArrayList<>();
        for (String m : names) {
            ms.add(BenchCommand.parseMethod(m, "--methods"));
        }
        StringBuilder doc = new StringBuilder();
        int failures = 0;
        for (String cfg : cfgs) {
            int failedHere = 0;
            int[] shape = Flags.config("--config", cfg);
            String arch = cfg.split(":")[0];
            int width = shape[0];
            int size = shape[1];
            int batch = shape[2];
            List<Map<String, Object>> rows = new ArrayList<>();
            List<Run> runs = new ArrayList<>();
            for (MethodSpec spec : ms) {
                Double open = gatedRatio(spec);
                // a gated method is measured with its gates held: all open (as training starts),
                // then at the budget's target (as training leaves them)
                runs.add(new Run(spec, open == null ? null : 1.0));
                if (open != null && open < 1) {
                    runs.add(new Run(spec, open));
                }
            }
            int ftIndex = -1;
            for (int ri = 0; ri < runs.size(); ri++) {
                if (runs.get(ri).label().equals("finetune")) {
                    ftIndex = ri;
                }
            }
            Measured got = new Measured(runs);
            for (int round = 0; round < rounds; round++) {
                measureRound(round, runs, ftIndex, arch, width, size, batch, got);
            }
            for (int ri = 0; ri < runs.size(); ri++) {
                Map<String, Object> row = row(runs.get(ri).label(), ri, ftIndex, got);
                row.put("arch", arch);
                row.put("width", width);
                row.put("image_size", size);
                row.put("batch", batch);
                row.put("threads", threads);
                Double s = (Double) row.get("step_seconds");
                row.put("images_per_second", s == null ? null : batch / s);
                rows.add(row);
                if (json) {
                    System.out.println(EventCodec.JSON.writeValueAsString(row));
                }
                failedHere += got.error[ri] == null ? 0 : 1;
            }
            String methodsArg = methods == null || methods.isEmpty() ? "" : " --methods " + String.join(",", methods);
            String md = markdown(arch, width, size, batch, rounds, methodsArg + otherOptions(), rows);
            if (!json) {
                System.out.print(md);
                System.out.println();
            }
            doc.append(md).append('\n');
            failures += failedHere;
            if (failedHere > 0 && !noDocs && !json) {
                // a partial table stays out of the docs: the last complete one is kept there
                System.out.println("A probe failed; docs/benchmarks.md keeps its table for this configuration.");
            } else if (!methodsArg.isEmpty() && !noDocs && !json) {
                // nor does a table of some of the methods replace the one of them all
                System.out.println("--methods measured a subset: docs/benchmarks.md keeps its table for this"
                        + " configuration.");
            } else if (!noDocs && !json) {
                Path d = Workspace.locate(null).root().resolve("docs/benchmarks.md");
                BenchMemoryCommand.updateSection(d, "speed-" + arch + "-" + width + "-" + size + "-b" + batch, md);
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * The options besides --config, --methods and --rounds that differ from their defaults, for the
     * command a table names as the one that measured it.
     */
    String otherOptions() {
        StringBuilder c = new StringBuilder();
        if (steps != 5) {
            c.append(" --steps ").append(steps);
        }
        if (warmup != 5) {
            c.append(" --warmup ").append(warmup);
        }
        if (threads != 0) {
            c.append(" --threads ").append(threads);
        }
        if (!gateOpen.equals("rho")) {
            c.append(" --gate-open ").append(gateOpen);
        }
        return c.toString();
    }

    /**
     * A run's row: step times and ratios over the rounds it measured (null where it measured none),
     * and its failure, if any.
     */
    private Map<String, Object> row(String label, int ri, int ftIndex, Measured got) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", label);
        row.put("gate_open_ratio", got.open[ri]);
        row.put("engine", got.frozen[ri] == null ? null : got.frozen[ri] ? "frozen-path" : "autograd");
        double[] all = flatten(got.times.get(ri));
        row.put("step_seconds", all.length == 0 ? null : median(all));
        row.put("round_step_seconds", roundMedians(got.times.get(ri)));
        // every measured step, round by round, for statistics of one's own
        row.put("steps", got.times.get(ri));
        if (ftIndex >= 0) {
            Double[] roundRatios = roundMedians(got.ratios.get(ri));
            double[] pairs = flatten(got.ratios.get(ri));
            row.put("vs_finetune", pairs.length == 0 ? null : median(pairs));
            row.put("vs_finetune_pairs", pairs.length);
            row.put("round_vs_finetune", roundRatios);
            row.put("pair_ratios", got.ratios.get(ri));
            row.put("vs_finetune_min", java.util.Arrays.stream(roundRatios).filter(java.util.Objects::nonNull)
                    .min(Double::compare).orElse(null));
            row.put("vs_finetune_max", java.util.Arrays.stream(roundRatios).filter(java.util.Objects::nonNull)
                    .max(Double::compare).orElse(null));
        }
        if (got.error[ri] != null) {
            row.put("error", got.error[ri]);
        }
        return row;
    }

    /** Each round's median, null for a round without values. */
    private static Double[] roundMedians(List<List<Double>> perRound) {
        Double[] out = new Double[perRound.size()];
        for (int round = 0; round < out.length; round++) {
            out[round] = perRound.get(round).isEmpty() ? null : median(perRound.get(round));
        }
        return out;
    }

    /** One measurement: a method, and the open ratio its gates are held at (null: not held). */
    private record Run(MethodSpec spec, Double gateOpen) {
        String label() {
            return gateOpen == null || gateOpen == 1.0 ? spec.displayLabel()
                    : String.format(Locale.ROOT, "%s, gates %.2f open", spec.displayLabel(), gateOpen);
        }
    }

    /** What the rounds measured, per run: steps and pair ratios round by round, open ratio, engine. */
    private static final class Measured {
        final List<List<List<Double>>> times = new ArrayList<>();
        final List<List<List<Double>>> ratios = new ArrayList<>();
        final Double[] open;
        /** Per run, whether it trained on the frozen path (null until one of its probes finished). */
        final Boolean[] frozen;
        /** Per run, its first failure ("round R: message"), or null. */
        final String[] error;
        final List<Run> runs;

        Measured(List<Run> runs) {
            this.runs = runs;
            for (int ri = 0; ri < runs.size(); ri++) {
                times.add(new ArrayList<>());
                ratios.add(new ArrayList<>());
            }
            open = new Double[runs.size()];
            frozen = new Boolean[runs.size()];
            error = new String[runs.size()];
        }

        /** Records a run's failure in a round, and says so at once. */
        void fail(int run, int round, Exception e) {
            String msg = ProbeRunner.summary(e);
            if (error[run] == null) {
                error[run] = "round " + (round + 1) + ": " + msg;
            }
            System.err.printf(Locale.ROOT, "round %d  %s FAILED: %s%n", round + 1, runs.get(run).label(), e.getMessage());
        }
    }

    /**
     * One round: a fine-tune probe (when fine-tune is measured) stays up while each other run's
     * probe steps in turn with it, the order alternating, so the machine's drift falls on both
     * alike; each of the run's steps is divided by the fine-tune step beside it.
     *
     * <p>A probe that fails (a crash, the OOM killer, a method that cannot train this
     * configuration) fails only its own run: its steps so far are kept, the failure is recorded,
     * and the round goes on. When the fine-tune probe fails, the round's later runs are measured
     * without pairs.
     */
    private void measureRound(int round, List<Run> runs, int ftIndex, String arch, int width, int size, int batch,
            Measured got) {
        for (int ri = 0; ri < runs.size(); ri++) {
            got.times.get(ri).add(new ArrayList<>());
            got.ratios.get(ri).add(new ArrayList<>());
        }
        ProbeRunner.Stepwise ft = null;
        if (ftIndex >= 0) {
            try {
                ft = open(runs.get(ftIndex), arch, width, size, batch);
            } catch (java.io.IOException | RuntimeException e) {
                got.fail(ftIndex, round, e);
            }
        }
        try {
            for (int ri = 0; ri < runs.size(); ri++) {
                if (ri == ftIndex) {
                    continue;
                }
                List<Double> times = got.times.get(ri).get(round);
                List<Double> ratios = got.ratios.get(ri).get(round);
                ProbeRunner.Stepwise m;
                try {
                    m = open(runs.get(ri), arch, width, size, batch);
                } catch (java.io.IOException | RuntimeException e) {
                    got.fail(ri, round, e);
                    continue;
                }
                try (m) {
                    for (int i = 0; i < steps; i++) {
                        double tf = Double.NaN;
                        if (ft != null && i % 2 == 0) {
                            tf = fineTuneStep(ft, ftIndex, round, got);
                            ft = Double.isNaN(tf) ? null : ft;
                        }
                        double tm = m.step();
                        if (ft != null && i % 2 == 1) {
                            tf = fineTuneStep(ft, ftIndex, round, got);
                            ft = Double.isNaN(tf) ? null : ft;
                        }
                        times.add(tm);
                        if (!Double.isNaN(tf)) {
                            got.times.get(ftIndex).get(round).add(tf);
                            got.ratios.get(ftIndex).get(round).add(1.0);
                            ratios.add(tm / tf);
                        }
                    }
                    ProbeResult r = m.finish();
                    got.open[ri] = r.gateOpenRatio();
                    got.frozen[ri] = r.frozenPath();
                } catch (java.io.IOException | RuntimeException e) {
                    got.fail(ri, round, e);
                }
                if (!json && !times.isEmpty()) {
                    System.err.printf(Locale.ROOT, "round %d/%d  %-40s %.3f s%s%n", round + 1, rounds, runs.get(ri).label(),
                            median(times), ratios.isEmpty() ? "" : String.format(Locale.ROOT,
                                    "  %.2fx fine-tune's paired steps", median(ratios)));
                }
            }
            if (ft != null) {
                List<Double> own = got.times.get(ftIndex).get(round);
                if (runs.size() == 1) {
                    // fine-tune alone: its own steps
                    for (int i = 0; i < steps && ft != null; i++) {
                        double t = fineTuneStep(ft, ftIndex, round, got);
                        if (Double.isNaN(t)) {
                            ft = null;
                        } else {
                            own.add(t);
                            got.ratios.get(ftIndex).get(round).add(1.0);
                        }
                    }
                }
                if (ft != null) {
                    try {
                        got.frozen[ftIndex] = ft.finish().frozenPath();
                    } catch (java.io.IOException | RuntimeException e) {
                        got.fail(ftIndex, round, e);
                    }
                }
                if (!json && !own.isEmpty()) {
                    System.err.printf(Locale.ROOT, "round %d/%d  %-40s %.3f s  (the paired reference)%n", round + 1,
                            rounds, "finetune", median(own));
                }
            }
        } finally {
            if (ft != null) {
                ft.close();
            }
        }
    }

    /**
     * One fine-tune step, or NaN when the fine-tune probe failed (recorded, and the probe closed:
     * the round's later steps go unpaired).
     */
    private double fineTuneStep(ProbeRunner.Stepwise ft, int ftIndex, int round, Measured got) {
        try {
            return ft.step();
        } catch (java.io.IOException | RuntimeException e) {
            got.fail(ftIndex, round, e);
            ft.close();
            return Double.NaN;
        }
    }

    /** Starts a method's probe and runs its warm-up steps. */
    private ProbeRunner.Stepwise open(Run run, String arch, int width, int size, int batch) throws java.io.IOException {
        BenchCommand.checkCanTrain(run.spec(), arch, width, size, batch);
        ProbeRequest req = new ProbeRequest(arch, width, size, batch, 10, run.spec().name(), run.spec().options(),
                run.label(), steps, warmup, "sgd", 0.01, 0.9, threads, 7, run.gateOpen());
        ProbeRunner.Stepwise p = new ProbeRunner.Stepwise(req);
        try {
            for (int i = 0; i < warmup; i++) {
                p.step();
            }
        } catch (java.io.IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    private static double[] flatten(List<List<Double>> perRound) {
        return perRound.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
    }

    private static double median(List<Double> v) {
        return median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * The open ratio at which to measure a method a second time, or null: only DA3 with gates has
     * them (and skips closed blocks in training on the frozen path only), at its budget's target rho unless
     * --gate-open names a ratio.
     */
    private Double gatedRatio(MethodSpec spec) {
        if (!spec.name().equals("da3") || !spec.flag("gates", true) || gateOpen.equals("none")
                || spec.text("engine", "frozen-path").equals("autograd")) {
            return null;
        }
        if (gateOpen.equals("rho")) {
            return spec.number("rho", 0.7);
        }
        double r;
        try {
            r = Double.parseDouble(gateOpen);
        } catch (NumberFormatException e) {
            r = Double.NaN;
        }
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException("--gate-open: '" + gateOpen + "' is not a ratio in [0, 1], 'rho' or 'none'");
        }
        return r;
    }

    private static String markdown(String arch, int width, int size, int batch, int rounds, String options,
            List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        boolean paired = rows.stream().anyMatch(r -> r.get("vs_finetune") != null);
        String ratios = !paired ? " (no fine-tune measured, so no ratios)"
                : "; each ratio to fine-tune is the median over paired steps, each of the method's steps divided by a"
                        + " fine-tune step run beside it in a second JVM" + (rounds == 1 ? ""
                                : " (the range of the rounds' medians beside it)");
        sb.append(String.format(Locale.ROOT, "%s-%d, %d px, batch %d; measured %s on %s with %d cores (`da3 bench"
                + " speed --config %s:%d:%d:%d%s --rounds %d`): step times are the median of every measured step over %d"
                + " round%s%s.%n%n", arch, width, size, batch, LocalDate.now(), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), arch, width, size, batch, options, rounds, rounds,
                rounds == 1 ? "" : "s", ratios));
        sb.append("| method | engine | gates open | step s | images/s | step vs fine-tune |"
                + (rounds > 1 ? " range over rounds |\n" : "\n")
                + "|---|---|---:|---:|---:|---:|" + (rounds > 1 ? "---:|\n" : "\n"));
        for (Map<String, Object> r : rows) {
            Double s = (Double) r.get("step_seconds");
            Double open = (Double) r.get("gate_open_ratio");
            Double vs = (Double) r.get("vs_finetune");
            Object engine = r.get("engine");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", r.get("label"),
                    engine == null ? "-" : engine, open == null ? "-" : String.format(Locale.ROOT, "%.2f", open),
                    s == null ? "failed" : String.format(Locale.ROOT, "%.3f", s),
                    s == null ? "-" : String.format(Locale.ROOT, "%.1f", (Double) r.get("images_per_second")),
                    vs == null ? "-" : String.format(Locale.ROOT, "%.2fx", vs)));
            if (rounds > 1) {
                sb.append(vs == null ? " - |" : String.format(Locale.ROOT, " %.2f-%.2f |", (Double) r.get("vs_finetune_min"),
                        (Double) r.get("vs_finetune_max")));
            }
            sb.append('\n');
        }
        for (Map<String, Object> r : rows) {
            if (r.get("error") != null) {
                sb.append(String.format(Locale.ROOT, "%n%s failed in %s.%n", r.get("label"), r.get("error")));
            }
        }
        return sb.toString();
    }
}
