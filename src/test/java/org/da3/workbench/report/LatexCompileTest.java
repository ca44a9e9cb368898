package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported LaTeX compiles with pdflatex (and booktabs) when a LaTeX installation is present;
 * skipped with a message otherwise.
 */
class LatexCompileTest {

    @Test
    void exportedTablesCompile(@TempDir Path tmp) throws Exception {
        Path pdflatex = onPath("pdflatex");
        Assumptions.assumeTrue(pdflatex != null, "pdflatex is not installed: skipping the LaTeX compile check"
                + " (on Debian: apt-get install texlive-latex-base texlive-latex-recommended)");
        StringBuilder body = new StringBuilder();
        ResultsStore paper = ReportFixtures.paperStore();
        for (TableKind k : TableKind.values()) {
            body.append(new LatexExporter(null).render(k.build(paper, TableOptions.DEFAULTS))).append('\n');
            body.append(new LatexExporter("tab:" + k.id() + "-runs")
                    .render(k.build(paper, TableOptions.DEFAULTS.withPerRun(true)).withCaption("Per run: 100% & more_")))
                    .append('\n');
            body.append(new LatexExporter("tab:dec-" + k.id())
                    .render(k.build(TableGoldenTest.decathlonStore(), TableOptions.DEFAULTS))).append('\n');
        }
        // names with LaTeX's special characters, a label that starts with [ and a letter beyond ASCII
        ResultsStore names = ResultsStore.of(List.of(ReportFixtures.syntheticRun("exp_1 & co", "n1",
                "[lr=2]_a%b#c&d", 1, Map.of("dtd_1 ü", 0.5), 1_000_000, false, null)));
        body.append(new LatexExporter("tab:names").render(TableKind.ACCURACY.build(names, TableOptions.DEFAULTS)))
                .append('\n');
        String doc = "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
                + "\\usepackage[a4paper,landscape,margin=1cm]{geometry}\n\\begin{document}\n" + body
                + "\\end{document}\n";
        Files.writeString(tmp.resolve("tables.tex"), doc, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(pdflatex.toString(), "-interaction=nonstopmode", "-halt-on-error",
                "-no-shell-escape", "tables.tex").directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("pdflatex.out").toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String log = Files.readString(tmp.resolve("pdflatex.out"), StandardCharsets.UTF_8);
        assertThat(done).as("pdflatex finished").isTrue();
        assertThat(p.exitValue()).as("pdflatex exit code; its output:\n%s", log).isZero();
        assertThat(tmp.resolve("tables.pdf")).exists();
        assertThat(log).doesNotContain("Undefined control sequence");
    }

    static Path onPath(String exe) throws IOException {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path c = Path.of(dir, exe);
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }
}
