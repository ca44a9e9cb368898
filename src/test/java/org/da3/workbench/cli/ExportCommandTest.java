package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {

    private static final Path REPORT = TestWorkspace.projectDir().resolve("src/test/resources/org/da3/workbench/report");
    private static final Path PAPER = REPORT.resolve("experiments/paper");

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cl = Da3.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "export";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void markdownToStandardOutputByDefault() throws Exception {
        Result r = run(PAPER.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(REPORT.resolve("golden/accuracy.md"), StandardCharsets.UTF_8));
    }

    @Test
    void latexToAFileWithCaptionAndLabel(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("sub/cost.tex");
        Result r = run(PAPER.toString(), "--table", "cost", "-o", out.toString(), "--caption", "Costs (50%).",
                "--label", "tab:costs");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Wrote " + out);
        String tex = Files.readString(out);
        assertThat(tex).contains("\\caption{Costs (50\\%).}").contains("\\label{tab:costs}").contains("\\toprule")
                .contains("$\\times$ FT: ratio of the mean to that of finetune.");
    }

    /** Without -o a figure goes to FIGURE.png in the current folder, and says so when it replaces one. */
    @Test
    void aFigureWithoutAnOutputFileSaysWhenItReplacesOne(@TempDir Path tmp) throws Exception {
        for (int i = 0; i < 2; i++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), Da3.class.getName(),
                    "export", PAPER.toString(), "-F", "memory").directory(tmp.toFile()).redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("Wrote memory.png (memory figure, 800x500, ");
            if (i == 0) {
                assertThat(out).doesNotContain("replaced");
            } else {
                assertThat(out).contains("; replaced the memory.png that was there; give -o FILE to keep both)");
            }
            assertThat(ImageIO.read(tmp.resolve("memory.png").toFile()).getWidth()).isEqualTo(800);
        }
    }

    @Test
    void figureFormatFromTheFileExtension(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("memory.png");
        Result r = run(PAPER.toString(), "--figure", "memory", "-o", png.toString(), "--width", "400", "--height",
                "300");
        assertThat(r.code()).as(r.err()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(400);
        assertThat(img.getHeight()).isEqualTo(300);
        Path svg = tmp.resolve("p.svg");
        assertThat(run(PAPER.resolve("runs").toString(), "-o", svg.toString(), "-F", "gates").code()).isZero();
        assertThat(Files.readString(svg)).contains("<svg");
    }

    @Test
    void badInputExitsWithTwoAndSaysWhy(@TempDir Path tmp) {
        assertBad(run(PAPER.toString(), "--format", "pdf"), "unknown format 'pdf'; allowed: latex, csv, md, png, svg");
        assertBad(run(PAPER.toString(), "--format", "png", "--table", "cost"), "--table cannot be used with --format png");
        assertBad(run(PAPER.toString(), "--figure", "pareto", "--format", "md"), "--figure cannot be used");
        assertBad(run(PAPER.toString(), "--label", "x"), "--label cannot be used with --format md");
        assertBad(run(PAPER.toString(), "--table", "speed"), "unknown table 'speed'; allowed: accuracy, cost");
        assertBad(run(PAPER.toString(), "-F", "pie"), "unknown figure 'pie'");
        assertBad(run(PAPER.toString(), "--reference", "dtd=40"), "--reference dtd=40");
        assertBad(run(PAPER.toString(), "--score", "maybe"), "use auto, on or off");
        assertBad(run(PAPER.toString(), "-f", "latex", "-o", tmp.resolve("t.md").toString()), "does not match");
        assertBad(run(PAPER.toString(), "-F", "pareto", "--width", "5"), "out of range");
        assertBad(run(tmp.resolve("none").toString()), "no such directory");
        assertBad(run(tmp.toString()), "not a run directory");
        assertBad(run(), "Missing required parameter");
    }

    @Test
    void refusesToWriteOntoTheFilesOfARun(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1");
        Path run = exp.resolve("runs/20261125-002255-linear-s1");
        Path events = run.resolve("events.jsonl");
        byte[] before = Files.readAllBytes(events);
        assertBad(run(exp.toString(), "-f", "md", "-o", events.toString()),
                "-o " + events + ": is inside the input run directory " + run);
        assertBad(run(run.toString(), "-o", run.resolve("table.md").toString()), "is inside the input run directory");
        assertBad(run(exp.toString(), "-F", "pareto", "-o", run.resolve("plots/p.png").toString()),
                "is inside the input run directory");
        assertThat(Files.readAllBytes(events)).isEqualTo(before);
        assertThat(run).isDirectoryNotContaining(x -> !x.getFileName().toString().equals("events.jsonl"));
        Path other = exp.resolve("runs/20261125-002301-finetune-s1");
        Path results = other.resolve("results.csv");
        assertBad(run(run.toString(), "-o", results.toString()),
                "-o " + results + ": would replace a run's results.csv (" + other + " is a run directory)");
        assertBad(run(run.toString(), "-f", "md", "-o", other.resolve("patches/a.safetensors").toString()),
                "would replace a run's a.safetensors");
        assertBad(run(run.toString(), "-f", "md", "-o", other.resolve("spec.yaml").toString()),
                "would replace a run's spec.yaml");
        assertThat(results).doesNotExist();
        Path notes = tmp.resolve("notes/events.jsonl");
        Result ok = run(run.toString(), "-f", "md", "-o", notes.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(notes).content().contains("| linear |");
    }

    @Test
    void refusesAnUnknownExtensionAndADirectoryAsTheOutput(@TempDir Path tmp) throws Exception {
        Path jsonl = tmp.resolve("t.jsonl");
        assertBad(run(PAPER.toString(), "-o", jsonl.toString()),
                "-o " + jsonl + ": unknown extension '.jsonl'; use .tex, .csv, .md, .png or .svg, or give --format");
        assertBad(run(PAPER.toString(), "-o", tmp.resolve("table").toString()), "has no extension");
        assertThat(jsonl).doesNotExist();
        assertBad(run(PAPER.toString(), "-o", tmp.toString()), "-o " + tmp + ": is a directory; give a file name");
        assertBad(run(PAPER.toString(), "-F", "memory", "-f", "png", "-o", tmp.toString()), "is a directory");
        Result ok = run(PAPER.toString(), "-f", "md", "-o", tmp.resolve("t.txt").toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(tmp.resolve("t.txt")).content().contains("| Method |");
    }

    @Test
    void anOutputUnderAFileSaysSo(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("notes"), "mine");
        for (String[] args : new String[][] {{"-f", "md"}, {"-F", "pareto", "-f", "png"}}) {
            Path out = file.resolve("sub/t.out");
            String[] all = new String[args.length + 3];
            all[0] = PAPER.toString();
            System.arraycopy(args, 0, all, 1, args.length);
            all[args.length + 1] = "-o";
            all[args.length + 2] = out.toString();
            Result r = run(all);
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("da3: cannot write " + out + ": " + file + " is a file, not a folder");
        }
        assertThat(file).hasContent("mine");
    }

    @Test
    void aLineThatIsNotUtf8IsSkippedWithAWarningAndEveryRunIsExported(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1");
        Path events = exp.resolve("runs/20261125-002301-finetune-s1/events.jsonl");
        byte[] b = Files.readAllBytes(events);
        int line = 1;
        int i = 0;
        for (; line < 10; i++) {
            line += b[i] == '\n' ? 1 : 0;
        }
        b[i + 5] = (byte) 0xFF;
        Files.write(events, b);
        Result r = run(exp.toString(), "--per-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("da3: warning: " + events.toAbsolutePath().normalize()
                + ":10: not UTF-8 text (byte 0xFF at column 6); line skipped" + System.lineSeparator());
        assertThat(r.out()).contains("| linear s1 |").contains("| finetune s1 |");
    }

    /**
     * An event type this workbench does not know (a typo, damage, or a newer worker) is named once
     * per type on standard error, with the line and the types known; the export goes on.
     */
    @Test
    void anUnknownEventTypeIsNamedOnceAndTheRunIsExported(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1");
        Path run = exp.resolve("runs/20261125-002301-finetune-s1");
        Path events = run.resolve("events.jsonl");
        String log = Files.readString(events);
        assertThat(log).contains("\"type\":\"train_metrics\"");
        Files.writeString(events, log.replace("\"type\":\"train_metrics\"", "\"type\":\"train_metric\""));
        int first = 1 + (int) log.substring(0, log.indexOf("\"type\":\"train_metrics\"")).chars()
                .filter(c -> c == '\n').count();
        Result r = run(exp.toString(), "--per-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("da3: warning: " + events.toAbsolutePath().normalize() + ":" + first
                + ": unknown event type 'train_metric' (did you mean train_metrics?); its "
                + (log.split("\"type\":\"train_metrics\"", -1).length - 1) + " lines are ignored. Known types: "
                + String.join(", ", org.da3.workbench.run.event.EventTypes.names())
                + "; if a newer workbench wrote this log, read it with that one" + System.lineSeparator());
        assertThat(r.out()).contains("| linear s1 |").contains("| finetune s1 |");
    }

    @Test
    void aRunThatCannotBeNamedOrHasNoEventsIsSkippedAndTheOthersAreExported(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1",
                "20261125-002304-finetune-s2");
        Path nomethod = exp.resolve("runs/20261125-002301-finetune-s1");
        edit(nomethod, "\"method\":\"finetune\",", "");
        Path empty = exp.resolve("runs/20261125-002304-finetune-s2");
        Files.writeString(empty.resolve("events.jsonl"), "");
        for (String[] args : new String[][] {{"--per-run"}, {"-t", "cost"}, {"-F", "accuracy", "-o",
            tmp.resolve("a.png").toString()}}) {
            String[] all = new String[args.length + 1];
            all[0] = exp.toString();
            System.arraycopy(args, 0, all, 1, args.length);
            Result r = run(all);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).isEqualTo(String.join(System.lineSeparator(),
                    "da3: warning: " + nomethod.resolve("events.jsonl") + ":1: run_started has no method, and there"
                        + " is no " + nomethod.resolve("spec.yaml") + "; run skipped",
                    "da3: warning: " + empty.resolve("events.jsonl") + ": holds no events that can be read (the run"
                        + " never started, or its log was emptied or overwritten); run skipped",
                    "da3: warning: exporting 1 of 3 runs; skipped " + nomethod + ", " + empty, ""));
            assertThat(r.out()).doesNotContain("| finetune").doesNotContain("running before training");
        }
        assertBad(run(empty.toString()), "no run could be read: " + empty.resolve("events.jsonl")
                + ": holds no events");
    }

    @Test
    void aRunFolderWhoseEventLogIsGoneIsNamedInsteadOfMissingFromTheTableWithoutAWord(@TempDir Path tmp)
            throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1",
                "20261125-002304-finetune-s2");
        Path gone = exp.resolve("runs/20261125-002301-finetune-s1");
        Files.writeString(gone.resolve("spec.yaml"), "name: paper\n");
        Files.delete(gone.resolve("events.jsonl"));
        Path folder = exp.resolve("runs/20261125-002304-finetune-s2");
        Files.delete(folder.resolve("events.jsonl"));
        Files.createDirectory(folder.resolve("events.jsonl"));
        Files.createDirectories(exp.resolve("runs/notes")); // a folder that is no run's: passed over
        Result r = run(exp.toString(), "--per-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo(String.join(System.lineSeparator(),
                "da3: warning: " + gone + ": has no events.jsonl, the run's event log (it was cut off before its worker"
                        + " started, or the log was moved or deleted); run skipped",
                "da3: warning: " + folder.resolve("events.jsonl") + ": is not a file (a run's event log is a file of"
                        + " JSON lines, one event each); run skipped",
                "da3: warning: exporting 1 of 3 runs; skipped " + gone + ", " + folder, ""));
        assertThat(r.out()).contains("| linear s1 |").doesNotContain("finetune");
        // given by itself, it is named too
        assertBad(run(gone.toString()), "no run could be read: " + gone + ": has no events.jsonl");
    }

    /**
     * A spec file or a run's event log given in place of a folder is named as what it is, with the
     * folder to give, not as a directory that does not exist.
     */
    @Test
    void aSpecFileOrAnEventLogGivenInPlaceOfAFolderSaysWhichFolderToGive(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("paper"), "20261125-002255-linear-s1");
        Path spec = Files.writeString(tmp.resolve("paper.yaml"), "name: paper\ndomains: [tiny-shapes]\nmethods: [linear]\n");
        assertBad(run(spec.toString()), "da3: " + spec + ": is a spec file, not runs; its runs are in " + exp
                + ": give that folder");
        Path fresh = Files.writeString(tmp.resolve("fresh.yaml"), "name: fresh\ndomains: [tiny-shapes]\nmethods: [linear]\n");
        assertBad(run(fresh.toString()), "da3: " + fresh + ": is a spec file, not runs; its runs go to"
                + " experiments/fresh/ when it runs: give that folder");
        Path events = exp.resolve("runs/20261125-002255-linear-s1/events.jsonl");
        assertBad(run(events.toString()), "da3: " + events + ": is a file of a run; give its run directory, "
                + events.getParent());
        Path table = Files.writeString(tmp.resolve("table.md"), "| a |\n");
        assertBad(run(table.toString()), "da3: " + table + ": is a file; give run directories (with events.jsonl) or"
                + " experiment directories");
    }

    @Test
    void aRunWithoutLabelIsNamedBySpecYamlInTablesAndFigures(@TempDir Path tmp) throws Exception {
        Path exp = copyRuns(tmp.resolve("exp"), "20261125-002255-linear-s1", "20261125-002301-finetune-s1");
        Path run = exp.resolve("runs/20261125-002301-finetune-s1");
        edit(run, "\"label\":\"finetune\",", "\"label\":null,");
        edit(run, "\"domains\":[\"tiny-shapes\",", "\"domains\":[null,");
        Files.writeString(run.resolve("spec.yaml"), "name: paper\ndomains: [tiny-shapes, tiny-textures]\n"
                + "methods: [{name: finetune, label: \"finetune[lr=0.1]\"}]\n");
        Result r = run(exp.toString(), "--per-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("| finetune[lr=0.1] s1 |").doesNotContain("null");
        assertThat(r.err()).contains(run.resolve("events.jsonl") + ":1: run_started has no label; using"
                + " 'finetune[lr=0.1]' from spec.yaml");
        assertThat(run(exp.toString(), "-t", "cost").code()).isZero();
        for (String fig : new String[] {"accuracy", "pareto", "memory", "gates"}) {
            Result f = run(exp.toString(), "-F", fig, "-o", tmp.resolve(fig + ".svg").toString());
            assertThat(f.code()).as(f.err()).isZero();
        }
    }

    @Test
    void aReferenceErrorForADomainNotInTheRunsIsRefused() {
        assertBad(run(PAPER.toString(), "--reference", "cars=0.3", "--score", "on"),
                "--reference cars: no run has domain 'cars'; the domains are tiny-shapes, tiny-textures");
        Result ok = run(PAPER.toString(), "--reference", "tiny-shapes=0.3", "--reference", "tiny-textures=0.3",
                "--score", "on");
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    @Test
    void referenceErrorsForSomeDomainsOnlyAreRefused() {
        // a score sums over every domain: with tiny-textures' reference missing, every row had "-"
        assertBad(run(PAPER.toString(), "--score", "on", "--reference", "tiny-shapes=0.5"),
                "--reference gives no reference error for tiny-textures; the score needs one for every domain: give"
                        + " --reference tiny-textures=ERROR, or no --reference to take the errors of"
                        + " --reference-method");
        Result ok = run(PAPER.toString(), "--score", "on", "--reference", "tiny-shapes=0.5",
                "--reference", "tiny-textures=50%");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("reference errors: given (tiny-shapes 50.0%, tiny-textures 50.0%)");
    }

    @Test
    void aReferenceMethodThatNoRunHasIsRefused() {
        // a typo left every × FT ratio and the score empty, with no word but the caption's
        assertBad(run(PAPER.toString(), "-t", "cost", "--reference-method", "fintune"),
                "--reference-method fintune: no run has this method (label or name); the methods are linear,"
                        + " finetune");
        assertBad(run(PAPER.toString(), "-F", "pareto", "--reference-method", "linear"),
                "--reference-method cannot be used with --format png: it applies to tables");
        Result ok = run(PAPER.toString(), "-t", "cost", "--reference-method", "linear");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("Analytic peak × linear");
    }

    @Test
    void aReferenceThatIsNotDomainEqualsErrorIsNamed() {
        assertBad(run(PAPER.toString(), "--reference", "tiny-shapes"),
                "--reference tiny-shapes: give DOMAIN=ERROR, a domain and its reference error");
        assertBad(run(PAPER.toString(), "--reference", "tiny-shapes=0.3", "--reference", "tiny-shapes=0.4"),
                "--reference tiny-shapes: given twice");
    }

    private static void edit(Path run, String from, String to) throws Exception {
        Path events = run.resolve("events.jsonl");
        String s = Files.readString(events);
        assertThat(s).contains(from);
        Files.writeString(events, s.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
    }

    /** Copies recorded runs of the paper experiment into {@code exp/runs}. */
    static Path copyRuns(Path exp, String... runIds) throws Exception {
        for (String id : runIds) {
            Path d = Files.createDirectories(exp.resolve("runs").resolve(id));
            Files.copy(PAPER.resolve("runs").resolve(id).resolve("events.jsonl"), d.resolve("events.jsonl"));
        }
        return exp;
    }

    private static void assertBad(Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }
}
