package org.da3.workbench.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.da3.workbench.report.ChartFiles;
import org.da3.workbench.report.ComparisonTable;
import org.da3.workbench.report.ExportFormat;
import org.da3.workbench.report.FigureKind;
import org.da3.workbench.report.FigureOptions;
import org.da3.workbench.report.OutputGuard;
import org.da3.workbench.report.ResultsStore;
import org.da3.workbench.report.TableExporter;
import org.da3.workbench.report.TableKind;
import org.da3.workbench.report.TableOptions;
import org.da3.workbench.run.AtomicFiles;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code da3 export RUN_DIR...}: comparison tables (LaTeX, CSV, Markdown) and figures (PNG, SVG)
 * from run directories and experiment directories.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export comparison tables and figures for papers from finished (or stopped) runs.",
            "Completed runs of a method are aggregated over seeds (mean ± standard deviation); runs that stopped"
                + " part-way (failed, cancelled, running) are listed on their own with their status and the"
                + " values they reached.",
            "",
            "Examples:",
            "  da3 export experiments/quickstart",
            "  da3 export experiments/quickstart --table cost -o cost.tex",
            "  da3 export experiments/decathlon -f latex --reference aircraft=0.39",
            "  da3 export experiments/quickstart -F pareto -o pareto.svg --width 1200"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:a file could not be read or written",
            "2:bad input: an option, or a path that holds no run (the message names it)"})
public final class ExportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", arity = "1..*",
            description = "run directories (with events.jsonl) or experiment directories (experiments/<name>: every"
                + " run under its runs/ folder)")
    private List<Path> paths = new ArrayList<>();

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "latex, csv, md, png or svg (default: from the --out file's extension, which must then be"
                + " .tex, .csv, .md, .png or .svg; else png with --figure, md otherwise)")
    private String format;

    @Option(names = {"-t", "--table"}, paramLabel = "TABLE",
            description = "the table for latex, csv and md: accuracy (per domain, mean, Decathlon score) or cost"
                + " (memory, time, sizes, gates, MACs) (default: accuracy)")
    private String table;

    @Option(names = {"-F", "--figure"}, paramLabel = "FIGURE",
            description = "the figure for png and svg: pareto (accuracy against training memory), memory (per"
                + " method), accuracy (curves) or gates (sparsity curves) (default: pareto)")
    private String figure;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "where to write (default: tables to standard output, figures to FIGURE.png or"
                + " FIGURE.svg in the current folder); never inside an input run directory, nor onto a run's"
                + " own files")
    private Path out;

    @Option(names = "--caption", paramLabel = "TEXT",
            description = "the table's caption (latex, md) or the figure's title (default: a caption that says"
                + " what the numbers are)")
    private String caption;

    @Option(names = "--label", paramLabel = "LABEL",
            description = "the LaTeX label (default: tab:accuracy or tab:cost)")
    private String label;

    @Option(names = "--width", paramLabel = "PX", description = "figure width in pixels (default: 800)")
    private Integer width;

    @Option(names = "--height", paramLabel = "PX", description = "figure height in pixels (default: 500)")
    private Integer height;

    @Option(names = "--per-run",
            description = "one row per run instead of completed runs aggregated over seeds (tables)")
    private boolean perRun;

    @Option(names = "--score", paramLabel = "WHEN",
            description = "Visual Decathlon score column in the accuracy table: auto (when every domain is a"
                + " Decathlon domain), on or off (default: auto)")
    private String score;

    @Option(names = "--reference-method", paramLabel = "METHOD",
            description = "the method that memory ratios and, without --reference, the score's reference errors"
                + " come from (default: finetune)")
    private String referenceMethod;

    @Option(names = "--reference", paramLabel = "DOMAIN=ERROR", arity = "1",
            description = "the score's reference error of a domain, as a fraction (0.25) or a percentage (25%%);"
                + " repeat for every domain (default: the errors of --reference-method in these runs)")
    private List<String> referenceArgs = new ArrayList<>();

    @Option(names = "--memory", paramLabel = "KIND",
            description = "the memory on the pareto figure's axis: measured (peak RSS) or analytic (default:"
                + " measured)")
    private String memory;

    @Override
    public Integer call() throws IOException {
        ExportFormat f = resolveFormat();
        Map<String, String> reference = referencePairs(referenceArgs);
        PrintWriter stdout = spec.commandLine().getOut();
        if (f.figure()) {
            requireAbsent(f, "--table", table, "tables (latex, csv, md); use --figure with png and svg");
            requireAbsent(f, "--label", label, "LaTeX tables");
            requireAbsent(f, "--score", score, "the accuracy table");
            requireAbsent(f, "--reference", reference.isEmpty() ? null : "x", "the accuracy table");
            requireAbsent(f, "--per-run", perRun ? "x" : null, "tables");
            requireAbsent(f, "--reference-method", referenceMethod, "tables");
            FigureKind kind = FigureKind.of(figure == null ? FigureKind.PARETO.id() : figure);
            if (memory != null && kind != FigureKind.PARETO) {
                throw new IllegalArgumentException("--memory applies to --figure pareto, not " + kind.id());
            }
            FigureOptions fo = FigureOptions.DEFAULTS.withTitle(caption)
                    .withMemory(memory == null ? FigureOptions.Memory.MEASURED : memoryKind(memory));
            Path file = out != null ? out : Path.of(kind.id() + "." + f.extension());
            List<Path> runDirs = ResultsStore.runDirectories(paths);
            OutputGuard.check(file, runDirs, "-o " + file);
            ResultsStore store = load(runDirs);
            JFreeChart chart = kind.build(store, fo);
            int w = width == null ? ChartFiles.WIDTH : width;
            int h = height == null ? ChartFiles.HEIGHT : height;
            byte[] bytes = ChartFiles.bytes(chart, f, w, h);
            // a name the user did not give: say when it replaced a figure of an earlier export
            boolean replaced = out == null && Files.exists(file);
            AtomicFiles.write(file, bytes);
            stdout.println("Wrote " + file + " (" + kind.id() + " figure, " + w + "x" + h + ", "
                    + store.runs().size() + " runs" + (replaced ? "; replaced the " + file + " that was there; give -o"
                            + " FILE to keep both" : "") + ")");
            stdout.flush();
            return 0;
        }
        requireAbsent(f, "--figure", figure, "figures (png, svg); use --table with latex, csv and md");
        requireAbsent(f, "--width", width, "figures");
        requireAbsent(f, "--height", height, "figures");
        requireAbsent(f, "--memory", memory, "the pareto figure");
        if (f != ExportFormat.LATEX) {
            requireAbsent(f, "--label", label, "--format latex");
        }
        if (f == ExportFormat.CSV) {
            requireAbsent(f, "--caption", caption, "latex and md (CSV has no caption)");
        }
        TableKind kind = TableKind.of(table == null ? TableKind.ACCURACY.id() : table);
        TableOptions to = TableOptions.DEFAULTS.withPerRun(perRun)
                .withScore(score == null ? TableOptions.ScoreMode.AUTO : scoreMode(score))
                .withReferenceMethod(referenceMethod == null ? TableOptions.FINETUNE : referenceMethod)
                .withReferenceErrors(referenceErrors(reference)).forFormat(f);
        List<Path> runDirs = ResultsStore.runDirectories(paths);
        if (out != null) {
            OutputGuard.check(out, runDirs, "-o " + out);
        }
        ResultsStore store = load(runDirs);
        for (String d : reference.keySet()) {
            if (!store.domains().contains(d)) {
                throw new IllegalArgumentException("--reference " + d + ": no run has domain '" + d
                        + "'; the domains are " + String.join(", ", store.domains()));
            }
        }
        if (referenceMethod != null && store.runs().stream().noneMatch(r -> referenceMethod.equals(r.record().label())
                || referenceMethod.equals(r.record().method()))) {
            throw new IllegalArgumentException("--reference-method " + referenceMethod + ": no run has this method"
                    + " (label or name); the methods are " + store.runs().stream().map(r -> r.record().label())
                            .distinct().collect(Collectors.joining(", ")));
        }
        List<String> unreferenced = store.domains().stream().filter(d -> !reference.containsKey(d)).toList();
        if (!reference.isEmpty() && !unreferenced.isEmpty()) {
            // the score sums over every domain: without a reference for one, no row would have a score
            throw new IllegalArgumentException("--reference gives no reference error for "
                    + String.join(", ", unreferenced) + "; the score needs one for every domain: give "
                    + unreferenced.stream().map(d -> "--reference " + d + "=ERROR").collect(Collectors.joining(" "))
                    + ", or no --reference to take the errors of --reference-method");
        }
        ComparisonTable t = kind.build(store, to).withCaption(caption);
        String text = TableExporter.of(f, label).render(t);
        if (out == null) {
            stdout.print(text);
            stdout.flush();
        } else {
            AtomicFiles.writeString(out, text);
            stdout.println("Wrote " + out + " (" + kind.id() + " table, " + f.id() + ", " + t.rows().size()
                    + " rows from " + store.runs().size() + " runs)");
            stdout.flush();
        }
        return 0;
    }

    /** Reads the runs and prints what was skipped on standard error, one line each. */
    private ResultsStore load(List<Path> runDirs) throws IOException {
        ResultsStore store = ResultsStore.load(runDirs);
        PrintWriter err = spec.commandLine().getErr();
        for (String w : store.warnings()) {
            err.println("da3: warning: " + w);
        }
        if (!store.skipped().isEmpty()) {
            err.println("da3: warning: exporting " + store.runs().size() + " of " + runDirs.size() + " runs; skipped "
                    + store.skipped().stream().map(Path::toString).collect(Collectors.joining(", ")));
        }
        err.flush();
        return store;
    }

    private ExportFormat resolveFormat() {
        if (out != null && Files.isDirectory(out)) {
            throw new IllegalArgumentException("-o " + out + ": is a directory; give a file name (such as "
                    + out.resolve("table.md") + ")");
        }
        if (format != null) {
            ExportFormat f = ExportFormat.of(format);
            ExportFormat byFile = out == null ? null : ExportFormat.ofFile(out);
            if (byFile != null && byFile != f) {
                throw new IllegalArgumentException("--format " + f.id() + " does not match --out " + out
                        + " (a ." + byFile.extension() + " file); change one of them");
            }
            return f;
        }
        if (out != null) {
            ExportFormat byFile = ExportFormat.ofFile(out);
            if (byFile == null) {
                String name = out.getFileName().toString();
                int dot = name.lastIndexOf('.');
                throw new IllegalArgumentException("-o " + out + ": "
                        + (dot < 0 ? "has no extension" : "unknown extension '" + name.substring(dot) + "'")
                        + "; use .tex, .csv, .md, .png or .svg, or give --format");
            }
            return byFile;
        }
        return figure != null ? ExportFormat.PNG : ExportFormat.MD;
    }

    private static void requireAbsent(ExportFormat f, String option, Object value, String appliesTo) {
        if (value != null) {
            throw new IllegalArgumentException(option + " cannot be used with --format " + f.id() + ": it applies to "
                    + appliesTo);
        }
    }

    private static TableOptions.ScoreMode scoreMode(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "auto":
                return TableOptions.ScoreMode.AUTO;
            case "on":
                return TableOptions.ScoreMode.ON;
            case "off":
                return TableOptions.ScoreMode.OFF;
            default:
                throw new IllegalArgumentException("--score " + s + " is not allowed; use auto, on or off");
        }
    }

    private static FigureOptions.Memory memoryKind(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "measured":
                return FigureOptions.Memory.MEASURED;
            case "analytic":
                return FigureOptions.Memory.ANALYTIC;
            default:
                throw new IllegalArgumentException("--memory " + s + " is not allowed; use measured or analytic");
        }
    }

    /**
     * Splits the {@code --reference} arguments into domain and error text.
     *
     * @param args each DOMAIN=ERROR
     * @return domain to error text, in the order given
     * @throws IllegalArgumentException naming an argument that is not DOMAIN=ERROR, or a domain given twice
     */
    static Map<String, String> referencePairs(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new IllegalArgumentException("--reference " + a
                        + ": give DOMAIN=ERROR, a domain and its reference error (aircraft=0.39 or aircraft=39%)");
            }
            String domain = a.substring(0, eq).trim();
            if (out.put(domain, a.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("--reference " + domain + ": given twice; give each domain once");
            }
        }
        return out;
    }

    /**
     * Parses reference errors: fractions (0.25) or percentages (25%).
     *
     * @param given domain to text
     * @return domain to error fraction
     */
    static Map<String, Double> referenceErrors(Map<String, String> given) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String v = e.getValue().trim();
            double d;
            try {
                d = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100
                        : Double.parseDouble(v);
            } catch (NumberFormatException ex) {
                d = Double.NaN;
            }
            if (!(d >= 0 && d <= 1)) {
                throw new IllegalArgumentException("--reference " + e.getKey() + "=" + e.getValue()
                        + ": give the error as a fraction from 0 to 1 (0.25) or a percentage (25%)");
            }
            out.put(e.getKey(), d);
        }
        return out;
    }
}
