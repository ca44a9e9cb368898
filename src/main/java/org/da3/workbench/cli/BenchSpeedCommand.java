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
 * <p>Shared machines drift by tens of percent over minutes, so the methods are measured in rounds
 * (every method once per round, in the same order) and each ratio to fine-tune is taken within a
 * round, against that round's fine-tune: the table gives the median over the rounds and, with more
 * than one round, the range.
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

    @Option(names = "--steps", defaultValue = "5", description = "measured steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "5", description = "steps before measuring (default: ${DEFAULT-VALUE}; gated methods meet new batch shapes"
                + " in their first steps, which the engine then caches)")
    int warmup;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds: every method once per round, ratios to fine-tune"
                + " taken within a round; the table gives their median and range (default: ${DEFAULT-VALUE})")
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
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds: " + rounds + " is not a positive number of rounds");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("--steps: " + steps + " is not a positive number of steps");
        }
        List<MethodSpec> ms = new ArrayList<>();
        for (String m : names) {
            ms.add(BenchCommand.parseMethod(m, "--methods"));
        }
        StringBuilder doc = new StringBuilder();
        for (String cfg : cfgs) {
            String[] p = cfg.split(":");
            if (p.length != 4) {
                throw new IllegalArgumentException("--config: '" + cfg + "' is not ARCH:WIDTH:SIZE:BATCH, for example"
                        + " resnet26:64:64:32");
            }
            String arch = p[0];
            int width = Integer.parseInt(p[1]);
            int size = Integer.parseInt(p[2]);
            int batch = Integer.parseInt(p[3]);
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
            // per run, per round: the median step and the open ratio measured
            double[][] seconds = new double[runs.size()][rounds];
            Double[] measuredOpen = new Double[runs.size()];
            boolean[] frozen = new boolean[runs.size()];
            for (int round = 0; round < rounds; round++) {
                for (int ri = 0; ri < runs.size(); ri++) {
                    Run run = runs.get(ri);
                    ProbeRequest req = new ProbeRequest(arch, width, size, batch, 10, run.spec().name(),
                            run.spec().options(), run.label(), steps, warmup, "sgd", 0.01, 0.9, threads, 7, run.gateOpen());
                    ProbeResult r = ProbeRunner.run(req, false);
                    seconds[ri][round] = r.medianStepSeconds(warmup);
                    measuredOpen[ri] = r.gateOpenRatio();
                    frozen[ri] = r.frozenPath();
                    if (!json) {
                        System.err.printf(Locale.ROOT, "round %d/%d  %-40s %.3f s%n", round + 1, rounds, run.label(),
                                seconds[ri][round]);
                    }
                }
            }
            int ftIndex = -1;
            for (int ri = 0; ri < runs.size(); ri++) {
                if (runs.get(ri).label().equals("finetune")) {
                    ftIndex = ri;
                }
            }
            for (int ri = 0; ri < runs.size(); ri++) {
                String label = runs.get(ri).label();
                double s = median(seconds[ri]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("label", label);
                row.put("gate_open_ratio", measuredOpen[ri]);
                row.put("engine", frozen[ri] ? "frozen-path" : "autograd");
                row.put("arch", arch);
                row.put("width", width);
                row.put("image_size", size);
                row.put("batch", batch);
                row.put("step_seconds", s);
                row.put("images_per_second", batch / s);
                row.put("threads", threads);
                row.put("round_step_seconds", seconds[ri].clone());
                if (ftIndex >= 0) {
                    double[] ratios = new double[rounds];
                    for (int round = 0; round < rounds; round++) {
                        ratios[round] = seconds[ri][round] / seconds[ftIndex][round];
                    }
                    row.put("vs_finetune", median(ratios));
                    row.put("vs_finetune_min", java.util.Arrays.stream(ratios).min().getAsDouble());
                    row.put("vs_finetune_max", java.util.Arrays.stream(ratios).max().getAsDouble());
                }
                rows.add(row);
                if (json) {
                    System.out.println(EventCodec.JSON.writeValueAsString(row));
                }
            }
            String md = markdown(arch, width, size, batch, rounds, rows);
            if (!json) {
                System.out.print(md);
                System.out.println();
            }
            doc.append(md).append('\n');
            if (!noDocs && !json) {
                Path d = Workspace.locate(null).root().resolve("docs/benchmarks.md");
                BenchMemoryCommand.updateSection(d, "speed-" + arch + "-" + width + "-" + size + "-b" + batch, md);
            }
        }
        return 0;
    }

    /** One measurement: a method, and the open ratio its gates are held at (null: not held). */
    private record Run(MethodSpec spec, Double gateOpen) {
        String label() {
            return gateOpen == null || gateOpen == 1.0 ? spec.displayLabel()
                    : String.format(Locale.ROOT, "%s, gates %.2f open", spec.displayLabel(), gateOpen);
        }
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

    private static String markdown(String arch, int width, int size, int batch, int rounds, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s-%d, %d px, batch %d; measured %s on %s with %d cores (`da3 bench"
                + " speed --config %s:%d:%d:%d --rounds %d`): step times are the median over %d round%s, each ratio to"
                + " fine-tune the median of the rounds' ratios%s.%n%n", arch, width, size, batch, LocalDate.now(),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), arch, width, size, batch,
                rounds, rounds, rounds == 1 ? "" : "s", rounds == 1 ? "" : " (their range beside it)"));
        sb.append("| method | engine | gates open | step s | images/s | step vs fine-tune |"
                + (rounds > 1 ? " range over rounds |\n" : "\n")
                + "|---|---|---:|---:|---:|---:|" + (rounds > 1 ? "---:|\n" : "\n"));
        for (Map<String, Object> r : rows) {
            double s = (Double) r.get("step_seconds");
            Double open = (Double) r.get("gate_open_ratio");
            Double vs = (Double) r.get("vs_finetune");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f | %s |", r.get("label"), r.get("engine"),
                    open == null ? "-" : String.format(Locale.ROOT, "%.2f", open), s,
                    (Double) r.get("images_per_second"), vs == null ? "-" : String.format(Locale.ROOT, "%.2fx", vs)));
            if (rounds > 1) {
                sb.append(vs == null ? " - |" : String.format(Locale.ROOT, " %.2f-%.2f |", (Double) r.get("vs_finetune_min"),
                        (Double) r.get("vs_finetune_max")));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
