package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code da3 bench memory} with real probe JVMs on a tiny network. */
class BenchMemoryCommandTest {

    /** What a bench memory run printed and returned, and whether the watcher killed a probe. */
    private record Run(int code, String out, boolean killed) {}

    /** Runs bench memory in this JVM with its standard output captured, a child watcher beside it. */
    private static Run run(ChildKiller k, String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (k; PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            int code = new CommandLine(new BenchMemoryCommand()).execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8), k.killed());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void aProbeThatDiesFailsItsMethodAloneAndTheCsvKeepsEveryRow(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("memory.csv");
        // the first probe (linear's) dies as it starts, as a crash or the OOM killer would end it
        Run r = run(new ChildKiller(1, 1, 120), "--arch", "resnet26", "--width", "8", "--image-size", "16", "--batch",
                "4", "--methods", "linear,da3", "--steps", "1", "--warmup", "1", "--threads", "1", "--csv",
                csv.toString(), "--no-docs");
        assertThat(r.killed()).isTrue();
        int code = r.code();
        String printed = r.out();
        assertThat(code).as(printed).isEqualTo(1);
        assertThat(printed).contains("| linear | frozen-path | ").contains("| failed | - |")
                .contains("linear failed: the probe for linear")
                .contains("1 of 2 methods failed; docs/benchmarks.md is left as it was");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).endsWith(",error");
        assertThat(lines.get(1)).startsWith("linear,frozen-path,").contains(",,,,\"the probe for linear");
        // da3 was measured: a positive peak, a step time, its peaks, and no error
        String[] da3 = lines.get(2).split(",", 6);
        assertThat(da3[0]).isEqualTo("da3");
        assertThat(Long.parseLong(da3[4])).isPositive();
        assertThat(Double.parseDouble(da3[5].split(",")[0])).isPositive();
        assertThat(lines.get(2)).endsWith("\",");
    }

    @Test
    void oneImagePerStepThatABatchStatisticsBatchNormCannotTakeFailsItsRowWithoutAProbe(@TempDir Path dir)
            throws Exception {
        Path csv = dir.resolve("memory.csv");
        // fine-tune's last stage is 1x1 at 8 px on ResNet-26: libtorch would refuse its BatchNorm in the
        // probe; no probe starts (ChildKiller would see one) and the row says what to change
        Run r = run(new ChildKiller(1, 1, 5), "--arch", "resnet26", "--width", "4", "--image-size", "8", "--batch",
                "1", "--methods", "finetune", "--steps", "1", "--warmup", "0", "--threads", "1", "--csv",
                csv.toString(), "--no-docs");
        assertThat(r.killed()).as("a probe started").isFalse();
        int code = r.code();
        String printed = r.out();
        assertThat(code).as(printed).isEqualTo(1);
        assertThat(printed).contains("finetune failed: 1 image per step leaves finetune one value per channel in its"
                + " BatchNorms, whose last stage is 1x1 at --image-size 8, too few for batch statistics; use a --batch"
                + " of at least 2, or an --image-size of at least 9");
        assertThat(Files.readAllLines(csv).get(1)).startsWith("finetune,autograd,")
                .contains(",,,,\"1 image per step leaves finetune one value per channel");
    }

    @Test
    void aSubsetOfMethodsLeavesThePublishedTableAndItsCsvAlone() throws Exception {
        Path root = org.da3.workbench.test.TestWorkspace.projectDir();
        Path subsetCsv = root.resolve("bench/results/memory-resnet26-8-16-b4-subset.csv");
        Path fullCsv = root.resolve("bench/results/memory-resnet26-8-16-b4.csv");
        PublishedDocs.Printed r = PublishedDocs.runKeeping(new BenchMemoryCommand(), "--arch", "resnet26", "--width",
                "8", "--image-size", "16", "--batch", "4", "--methods", "linear", "--steps", "1", "--warmup", "0",
                "--threads", "1");
        try {
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).contains("--methods measured a subset: docs/benchmarks.md keeps its table of every method")
                    .contains("(`da3 bench memory --arch resnet26 --width 8 --image-size 16 --batch 4 --methods linear"
                            + " --steps 1 --warmup 0 --threads 1`)");
            assertThat(subsetCsv).isRegularFile();
            assertThat(fullCsv).doesNotExist();
        } finally {
            Files.deleteIfExists(subsetCsv);
        }
    }

    @Test
    void aSectionWhoseEndMarkerIsMissingIsRefusedAndTheProseAroundItKept(@TempDir Path dir) throws Exception {
        // the end marker was lost in an edit: appending a second section would leave the first begin
        // marker behind, and the run after it would replace everything from there on, prose included
        Path doc = dir.resolve("benchmarks.md");
        String text = "# Benchmarks\n\n<!-- bench:k:begin -->\nold table\n\nHand-written prose.\n";
        Files.writeString(doc, text);
        assertThatThrownBy(() -> BenchMemoryCommand.updateSection(doc, "k", "new table\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(doc + ": has <!-- bench:k:begin --> but no <!-- bench:k:end --> after it; put the end"
                        + " marker back after that section's table (or remove the begin marker), or give --no-docs");
        assertThatThrownBy(() -> BenchMemoryCommand.checkSection(doc, "k"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readString(doc)).isEqualTo(text);
        // an end marker quoted before the section is not taken for the section's end
        String quoted = "Sections end with `<!-- bench:k:end -->`.\n\n<!-- bench:k:begin -->\nold\n"
                + "<!-- bench:k:end -->\n\nProse after.\n";
        Files.writeString(doc, quoted);
        BenchMemoryCommand.updateSection(doc, "k", "new\n");
        assertThat(Files.readString(doc)).isEqualTo(quoted.replace("\nold\n", "\nnew\n"));
    }
}
