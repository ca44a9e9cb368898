package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.da3.workbench.test.DatasetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsCheckCommandTest {
    @TempDir
    Path tmp;

    private final Cli cli = new Cli();

    @Test
    void aGoodFolderIsRecognisedAndPasses() throws IOException {
        Path d = DatasetFixtures.idxDataset(tmp.resolve("mnist"), 12, 4, 3, true);
        assertThat(cli.run("datasets", "check", d.toString())).isZero();
        assertThat(cli.out.toString()).isEqualTo("mnist (idx, " + d + "): 12 training and 4 test images in 3 classes\n"
                + "  ok: no problems found\n");
    }

    @Test
    void everyProblemIsListedAndTheExitCodeIsTwo() throws IOException {
        Path d = DatasetFixtures.imageFolder(tmp.resolve("flowers"), "train", new String[] {"iris", "rose"}, 2, 8);
        DatasetFixtures.imageFolder(d, "test", new String[] {"iris", "tulip"}, 1, 8);
        DatasetFixtures.notAnImage(d.resolve("train/iris/bad.jpg"));
        Path rose = d.resolve("train/rose/img1.png");
        Files.write(rose, Arrays.copyOf(Files.readAllBytes(rose), 50));
        assertThat(cli.run("datasets", "check", d.toString())).isEqualTo(2);
        assertThat(cli.out.toString()).isEqualTo("flowers (imagefolder, " + d + "): 5 training and 1 test images in 2"
                + " classes\n"
                + "  4 problems:\n"
                + "  - " + d.resolve("test") + ": lacks the class rose of train/; both splits must hold the same class"
                + " folders\n"
                + "  - " + d.resolve("test") + ": has the class tulip that train/ lacks; both splits must hold the same"
                + " class folders\n"
                + "  - " + d.resolve("train/iris/bad.jpg") + ": is not a JPEG, PNG, BMP, GIF or TIFF image (it starts"
                + " with bytes 3C 21 44 4F); replace or remove it\n"
                + "  - " + rose + ": cannot be decoded (Error reading PNG image data: Unexpected end of ZLIB input"
                + " stream); replace or remove it\n");
    }

    @Test
    void anUnknownNameSaysWhatIsAccepted() {
        assertThat(cli.run("datasets", "check", "no-such-dataset")).isEqualTo(2);
        assertThat(cli.err.toString()).startsWith("da3: datasets check: NAME|PATH: 'no-such-dataset' is neither a dataset"
                + " of datasets/*.yaml nor an existing path; known datasets: ");
        assertThat(cli.err.toString()).contains("accepted layouts: idx (");
    }

    /** list and check read the workspace --workspace names, as datasets add and targets do. */
    @Test
    void listAndCheckReadTheWorkspaceNamed() throws IOException {
        org.da3.workbench.test.TestWorkspace.create(tmp.resolve("ws"), 8, 4);
        assertThat(cli.run("datasets", "list", "--workspace", tmp.resolve("ws").toString())).isZero();
        assertThat(cli.out.toString()).containsPattern("(?m)^tiny-shapes +procedural ");
        cli.out.getBuffer().setLength(0);
        assertThat(cli.run("datasets", "check", "tiny-glyphs", "--workspace", tmp.resolve("ws").toString())).isZero();
        assertThat(cli.out.toString()).startsWith("tiny-glyphs (procedural").contains("ok: no problems found");
        assertThat(cli.run("datasets", "list", "--workspace", tmp.resolve("none").toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--workspace " + tmp.resolve("none") + ": no such folder");
    }

    /**
     * A descriptor's numbers are read as a spec's: hexadecimal and '_' between digits are named
     * with the plain decimal, not taken silently (a train_size of 0x10 is 16 images).
     */
    @Test
    void aDescriptorsNumbersInYaml11FormsAreNamed() throws IOException {
        Path ws = org.da3.workbench.test.TestWorkspace.create(tmp.resolve("ws"), 8, 4).root();
        Files.writeString(ws.resolve("datasets/odd-shapes.yaml"), "kind: procedural\ngenerator: shapes\n"
                + "train_size: 0x10\ntest_size: 8\n");
        DatasetFixtures.idxDataset(ws.resolve("mnist"), 12, 4, 3, false);
        Files.writeString(ws.resolve("datasets/odd-mnist.yaml"), "kind: idx\npath: mnist\nmean: [0.5, 0.4_5, 0.5]\n"
                + "std: 0.25\n");
        assertThat(cli.run("datasets", "check", "odd-shapes", "--workspace", ws.toString())).isEqualTo(2);
        assertThat(cli.out.toString()).contains("  - " + ws.resolve("datasets/odd-shapes.yaml") + ": train_size: '0x10'"
                + " is a hexadecimal number, which YAML reads as 16; write numbers as plain decimals (16)\n");
        cli.clear();
        assertThat(cli.run("datasets", "check", "odd-mnist", "--workspace", ws.toString())).isEqualTo(2);
        assertThat(cli.out.toString()).contains("  - " + ws.resolve("datasets/odd-mnist.yaml") + ": mean[1]: '0.4_5'"
                + " has '_' between its digits; write numbers as plain decimals, without '_' (0.45)\n");
    }

    /** A kind or a generator in the wrong case is named with the word meant. */
    @Test
    void aKindOrGeneratorNearAnAllowedOneSaysWhichWasMeant() throws IOException {
        Path ws = org.da3.workbench.test.TestWorkspace.create(tmp.resolve("ws"), 8, 4).root();
        Files.writeString(ws.resolve("datasets/flowers.yaml"), "kind: ImageFolder\npath: flowers\n");
        Files.writeString(ws.resolve("datasets/odd-shapes.yaml"), "kind: procedural\ngenerator: Shapes\n");
        assertThat(cli.run("datasets", "check", "odd-shapes", "--workspace", ws.toString())).isEqualTo(2);
        assertThat(cli.out.toString()).contains(ws.resolve("datasets/odd-shapes.yaml") + ": generator: 'Shapes' is not"
                + " a generator (did you mean shapes?); allowed: shapes, ");
        assertThat(cli.run("datasets", "check", ws.resolve("datasets/flowers.yaml").toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains(ws.resolve("datasets/flowers.yaml") + ": kind: 'ImageFolder' is not a"
                + " source kind (did you mean imagefolder?); allowed: ");
    }

    @Test
    void aProblemNamingAFileWithALineBreakStaysOnOneLine() {
        assertThat(org.da3.workbench.run.EventLog.oneLine("train/cat/a\nb.png: not an image\u001b[2J", 0))
                .isEqualTo("train/cat/a\\nb.png: not an image\\u001b[2J");
        assertThat(org.da3.workbench.run.EventLog.oneLine("train/Käse/ü.png: ok", 0)).isEqualTo("train/Käse/ü.png: ok");
    }
}
