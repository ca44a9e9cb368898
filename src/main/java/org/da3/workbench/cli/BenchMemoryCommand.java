package org.da3.workbench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.memory.MemoryProfile;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.memory.ProbeResult;
import org.da3.workbench.memory.Profiler;
import org.da3.workbench.run.AtomicFiles;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code da3 bench memory}: measured against analytic training memory per method, each method in
 * its own worker JVM, side by side in one run.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Training memory per method: analytic against measured, each in its own worker JVM.",
            "The measured figure is the training-step peak above the idle baseline, in a fresh worker JVM"
                + " (pre-touched fixed heap, MALLOC_MMAP_THRESHOLD_=131072). Prints a table, writes a CSV, and"
                + " updates docs/benchmarks.md."})
public final class BenchMemoryCommand implements Callable<Integer> {

    @Option(names = "--arch", defaultValue = "resnet26", description = "backbone (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--width", defaultValue = "64", description = "backbone width (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--image-size", defaultValue = "64", description = "image side (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--batch", defaultValue = "32", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--methods", split = ",", paramLabel = "LIST",
            description = {"methods to measure (default: every method, plus da3 with engine=autograd);",
                "options after colons, for example da3:micro_batch=0:gates=false"})
    List<String> methods;

    @Option(names = "--steps", defaultValue = "3", description = "measured steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "steps before measuring (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads, 0 for all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV to write (default: bench/results/"
        + "memory-ARCH-WIDTH-SIZE-bBATCH.csv; with --methods, ...-subset.csv, which leaves the published one alone)")
    Path csv;

    @Option(names = "--no-docs", description = "do not update docs/benchmarks.md")
    boolean noDocs;

    /**
     * One method's row: measured, or the reason its probe failed (then {@code measured} is -1 and
     * {@code raw} null).
     */
    record Row(String label, String engine, long trainable, long analytic, long measured, double stepSeconds,
            ProbeResult raw, String error) {
        Row(String label, String engine, long trainable, long analytic, long measured, double stepSeconds,
                ProbeResult raw) {
            this(label, engine, trainable, analytic, measured, stepSeconds, raw, null);
        }

        boolean failed() {
            return error != null;
        }
    }

    @Override
    public Integer call() throws Exception {
        // checked before any worker starts: a zero-step run would write NaN into the docs' table
        Flags.arch("--arch", arch);
        Flags.wholeNumber("--width", width, 4, 512);
        Flags.wholeNumber("--image-size", imageSize, 8, 1024);
        Flags.wholeNumber("--batch", batch, 1, Flags.MAX_BATCH);
        Flags.wholeNumber("--steps", steps, 1, 10_000);
        Flags.wholeNumber("--warmup", warmup, 0, 10_000);
        Flags.wholeNumber("--threads", threads, 0, 1024);
        Workspace ws = Workspace.locate(null);
        List<MethodSpec> specs = new ArrayList<>();
        if (methods == null || methods.isEmpty()) {
            for (String m : MethodCatalog.names()) {
                specs.add(MethodSpec.of(m));
            }
            specs.add(new MethodSpec("da3", Map.of("engine", "autograd"), "da3-autograd"));
        } else {
            for (String m : methods) {
                specs.add(BenchCommand.parseMethod(m, "--methods"));
            }
        }
        // a subset of the methods is no replacement for the published table or its CSV
        boolean subset = methods != null;
        Path out = csv != null ? csv : ws.root().resolve("bench/results/memory-" + arch + "-" + width + "-" + imageSize
                + "-b" + batch + (subset ? "-subset" : "") + ".csv");
        Path doc = ws.root().resolve("docs/benchmarks.md");
        String section = "memory-" + arch + "-" + width + "-" + imageSize + "-b" + batch;
        // where the results go is checked before minutes of probes, not after them
        Flags.outputFile("--csv", out);
        if (!subset && !noDocs) {
            checkSection(doc, section);
        }
        System.out.printf(Locale.ROOT, "Training memory, %s-%d, %d px, batch %d: each method in its own JVM%n", arch,
                width, imageSize, batch);
        List<Row> rows = new ArrayList<>();
        for (MethodSpec ms : specs) {
            MemoryProfile p = Profiler.profile(arch, width, ms, 10, batch, imageSize, "sgd", 0.9, 1.0);
            ProbeRequest req = new ProbeRequest(arch, width, imageSize, batch, 10, ms.name(), ms.options(),
                    ms.displayLabel(), steps, warmup, "sgd", 0.01, 0.9, threads, 7, null);
            ProbeResult r;
            try {
                BenchCommand.checkCanTrain(ms, arch, width, imageSize, batch);
                r = ProbeRunner.run(req, true);
            } catch (IOException e) {
                // one method's failure (a crash, the OOM killer) leaves the others' measurements
                Row row = new Row(ms.displayLabel(), p.engine(), p.trainableParams(), p.stepBytes(), -1, Double.NaN,
                        null, ProbeRunner.summary(e));
                rows.add(row);
                System.out.printf(Locale.ROOT, "  %-16s analytic %8.1f MB   FAILED: %s%n", row.label(),
                        row.analytic() / 1e6, e.getMessage());
                continue;
            }
            long measured = r.stepPeakBytes().subList(warmup, r.stepPeakBytes().size()).stream()
                    .mapToLong(Long::longValue).max().orElse(-1);
            Row row = new Row(ms.displayLabel(), p.engine(), p.trainableParams(), p.stepBytes(), measured,
                    r.medianStepSeconds(warmup), r);
            rows.add(row);
            System.out.printf(Locale.ROOT, "  %-16s analytic %8.1f MB   measured %8.1f MB   step %.3f s%n", row.label(),
                    row.analytic() / 1e6, row.measured() / 1e6, row.stepSeconds());
        }
        String md = markdown(rows);
        System.out.println();
        System.out.print(md);
        AtomicFiles.writeString(out, csvText(rows));
        System.out.println("CSV: " + out);
        long failed = rows.stream().filter(Row::failed).count();
        if (failed > 0) {
            // a partial table stays out of the docs: the last complete one is kept there
            System.out.println(failed + " of " + rows.size() + " methods failed; docs/benchmarks.md is left as it was");
            return 1;
        }
        if (subset && !noDocs) {
            System.out.println("--methods measured a subset: docs/benchmarks.md keeps its table of every method");
        } else if (!noDocs) {
            updateSection(doc, section, md);
            System.out.println("Updated " + doc);
        }
        return 0;
    }

    private Row finetune(List<Row> rows) {
        for (Row r : rows) {
            if (r.label().equals("finetune") && !r.failed()) {
                return r;
            }
        }
        return null;
    }

    String markdown(List<Row> rows) {
        Row ft = finetune(rows);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s-%d, %d px, batch %d, SGD with momentum; measured %s on %s with %d"
                + " cores (`%s`).%n%n", arch, width, imageSize, batch, LocalDate.now(), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), rerunCommand()));
        sb.append("| method | engine | trainable | analytic MB | measured MB | measured/analytic | vs fine-tune |"
                + " step s | step vs fine-tune |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (r.failed()) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | failed | - | - | - | - |%n", r.label(),
                        r.engine(), r.trainable(), r.analytic() / 1e6));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.2f | %s | %.3f | %s |%n", r.label(),
                    r.engine(), r.trainable(), r.analytic() / 1e6, r.measured() / 1e6,
                    (double) r.measured() / r.analytic(),
                    ft == null ? "-" : r == ft ? "1x" : versus(ft.measured(), r.measured()),
                    r.stepSeconds(),
                    ft == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.stepSeconds() / ft.stepSeconds())));
        }
        for (Row r : rows) {
            if (r.failed()) {
                sb.append(String.format(Locale.ROOT, "%n%s failed: %s.%n", r.label(), r.error()));
            }
        }
        return sb.toString();
    }

    /** @return the command that measures this table again: every option that differs from its default */
    String rerunCommand() {
        StringBuilder c = new StringBuilder(String.format(Locale.ROOT,
                "da3 bench memory --arch %s --width %d --image-size %d --batch %d", arch, width, imageSize, batch));
        if (methods != null) {
            c.append(" --methods ").append(String.join(",", methods));
        }
        if (steps != 3) {
            c.append(" --steps ").append(steps);
        }
        if (warmup != 2) {
            c.append(" --warmup ").append(warmup);
        }
        if (threads != 0) {
            c.append(" --threads ").append(threads);
        }
        return c.toString();
    }

    /** "19.2x less" or "1.7x more": a method's memory against fine-tune's; "-" when either is not a size. */
    static String versus(long fineTune, long method) {
        if (method <= 0 || fineTune <= 0) {
            return "-"; // not measured, or nothing above the baseline: no ratio, not 'Infinityx less'
        }
        return method <= fineTune ? String.format(Locale.ROOT, "%.1fx less", (double) fineTune / method)
                : String.format(Locale.ROOT, "%.1fx more", (double) method / fineTune);
    }

    static String csvText(List<Row> rows) {
        StringBuilder sb = new StringBuilder("method,engine,trainable_params,analytic_step_bytes,measured_step_bytes,"
                + "step_seconds,baseline_bytes,step_peaks_bytes,error\n");
        for (Row r : rows) {
            sb.append(r.label()).append(',').append(r.engine()).append(',').append(r.trainable()).append(',')
                    .append(r.analytic()).append(',');
            if (r.failed()) {
                sb.append(",,,,\"").append(r.error().replace("\"", "\"\"")).append("\"\n");
                continue;
            }
            sb.append(r.measured()).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", r.stepSeconds())).append(',')
                    .append(r.raw().baselineBytes()).append(',').append('"')
                    .append(r.raw().stepPeakBytes().toString().replace(" ", "")).append("\",\n");
        }
        return sb.toString();
    }

    /**
     * Replaces (or appends) a marked section of a Markdown file.
     *
     * @param doc the file
     * @param key the section key
     * @param body the new body
     * @throws IOException on a write error
     * @throws IllegalArgumentException if the file has the section's begin marker without its end
     *     marker after it (the file is left as it was)
     */
    static void updateSection(Path doc, String key, String body) throws IOException {
        String begin = "<!-- bench:" + key + ":begin -->";
        String end = "<!-- bench:" + key + ":end -->";
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Benchmarks\n";
        String block = begin + "\n" + body + end;
        int b = text.indexOf(begin);
        int e = sectionEnd(doc, text, key);
        if (b >= 0) {
            text = text.substring(0, b) + block + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        }
        AtomicFiles.writeString(doc, text);
    }

    /**
     * Checks, before a benchmark measures anything, that {@link #updateSection} can write its
     * section into the file.
     *
     * @param doc the file (it may not exist yet)
     * @param key the section key
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it has the section's begin marker without its end marker
     */
    static void checkSection(Path doc, String key) throws IOException {
        if (Files.exists(doc)) {
            sectionEnd(doc, Files.readString(doc, StandardCharsets.UTF_8), key);
        }
    }

    /** @return where the section's end marker starts, after its begin marker; -1 without a begin marker */
    private static int sectionEnd(Path doc, String text, String key) {
        String begin = "<!-- bench:" + key + ":begin -->";
        String end = "<!-- bench:" + key + ":end -->";
        int b = text.indexOf(begin);
        int e = b < 0 ? -1 : text.indexOf(end, b);
        if (b >= 0 && e < 0) {
            // appending would leave this begin marker behind, and the next run would replace
            // everything from it to the appended section's end: the prose between included
            throw new IllegalArgumentException(doc + ": has " + begin + " but no " + end + " after it; put the end"
                    + " marker back after that section's table (or remove the begin marker), or give --no-docs");
        }
        return e;
    }
}
