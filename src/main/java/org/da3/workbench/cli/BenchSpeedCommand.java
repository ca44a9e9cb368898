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
            for (Run run : runs) {
                MethodSpec spec = run.spec();
                Double open = run.gateOpen();
                String label = open == null || open == 1.0 ? spec.displayLabel()
                        : String.format(Locale.ROOT, "%s, gates %.2f open", spec.displayLabel(), open);
                ProbeRequest req = new ProbeRequest(arch, width, size, batch, 10, spec.name(), spec.options(),
                        label, steps, warmup, "sgd", 0.01, 0.9, threads, 7, open);
                ProbeResult r = ProbeRunner.run(req, false);
                double s = r.medianStepSeconds(warmup);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("label", label);
                row.put("gate_open_ratio", r.gateOpenRatio());
                row.put("engine", r.frozenPath() ? "frozen-path" : "autograd");
                row.put("arch", arch);
                row.put("width", width);
                row.put("image_size", size);
                row.put("batch", batch);
                row.put("step_seconds", s);
                row.put("images_per_second", batch / s);
                row.put("threads", threads);
                rows.add(row);
                if (json) {
                    System.out.println(EventCodec.JSON.writeValueAsString(row));
                }
            }
            String md = markdown(arch, width, size, batch, rows);
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
    private record Run(MethodSpec spec, Double gateOpen) {}

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

    private static String markdown(String arch, int width, int size, int batch, List<Map<String, Object>> rows) {
        double ft = Double.NaN;
        for (Map<String, Object> r : rows) {
            if (r.get("label").equals("finetune")) {
                ft = (Double) r.get("step_seconds");
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s-%d, %d px, batch %d; measured %s on %s with %d cores (`da3 bench"
                + " speed --config %s:%d:%d:%d`).%n%n", arch, width, size, batch, LocalDate.now(),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), arch, width, size, batch));
        sb.append("| method | engine | gates open | step s | images/s | step vs fine-tune |\n"
                + "|---|---|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : rows) {
            double s = (Double) r.get("step_seconds");
            Double open = (Double) r.get("gate_open_ratio");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f | %s |%n", r.get("label"), r.get("engine"),
                    open == null ? "-" : String.format(Locale.ROOT, "%.2f", open), s,
                    (Double) r.get("images_per_second"), Double.isNaN(ft) ? "-" : String.format(Locale.ROOT, "%.2fx", s / ft)));
        }
        return sb.toString();
    }
}
