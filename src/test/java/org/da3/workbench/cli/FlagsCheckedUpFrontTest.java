package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flag values picocli's types let through (zero steps, a ratio of 2, a width that is not a
 * number) are refused as bad input before any worker starts, naming the flag and the range.
 */
class FlagsCheckedUpFrontTest {
    @TempDir
    Path tmp;

    private final Cli cli = new Cli();

    private String refused(String... args) {
        assertThat(cli.run(args)).as(String.join(" ", args)).isEqualTo(2);
        String err = cli.err.toString();
        cli.clear();
        return err;
    }

    @Test
    void benchMemoryRefusesZeroStepsBeforeItWritesAnything() {
        assertThat(refused("bench", "memory", "--steps", "0", "--csv", tmp.resolve("m.csv").toString(), "--no-docs"))
                .startsWith("da3: --steps: 0 is out of range; use a whole number from 1 to 10000");
        assertThat(Files.exists(tmp.resolve("m.csv"))).isFalse();
        assertThat(refused("bench", "memory", "--warmup", "-1", "--no-docs"))
                .startsWith("da3: --warmup: -1 is out of range; use a whole number from 0 to 10000");
        assertThat(refused("bench", "memory", "--arch", "vgg", "--no-docs"))
                .startsWith("da3: --arch: unknown backbone 'vgg'; use one of resnet26, resnet18, resnet50");
    }

    @Test
    void benchMemoryChecksWhereItWillWriteItsCsvBeforeItMeasures() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        // without the check, this tiny probe would run, and the CSV fail after it (minutes at full size)
        assertThat(refused("bench", "memory", "--width", "4", "--image-size", "8", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--methods", "linear", "--csv", file.resolve("m.csv").toString(), "--no-docs"))
                .isEqualTo("da3: --csv " + file.resolve("m.csv") + ": " + file + " is a file, not a folder; give a path"
                        + " under a folder\n");
        assertThat(refused("bench", "memory", "--csv", tmp.toString(), "--no-docs"))
                .isEqualTo("da3: --csv " + tmp + ": is a folder; give a file name\n");
        assertThat(tmp.toFile().list()).containsExactly("notes.txt");
    }

    @Test
    void benchSpeedChecksEveryConfigurationFirst() {
        assertThat(refused("bench", "speed", "--config", "resnet26:x:16:4"))
                .startsWith("da3: --config resnet26:x:16:4: width 'x' is not a whole number");
        assertThat(refused("bench", "speed", "--config", "resnet26:8:16:4", "--config", "bogus:8:16:4"))
                .startsWith("da3: --config bogus:8:16:4: unknown backbone 'bogus'");
        assertThat(refused("bench", "speed", "--config", "resnet26:8:16:0"))
                .startsWith("da3: --config resnet26:8:16:0: batch: 0 is out of range; use a whole number from 1 to 4096");
        // a bad ratio is refused even when no gated method is measured
        assertThat(refused("bench", "speed", "--config", "resnet26:8:16:4", "--methods", "linear", "--gate-open",
                "1.5", "--no-docs")).startsWith("da3: --gate-open: '1.5' is not a ratio in [0, 1], 'rho' or 'none'");
    }

    @Test
    void aMemoryRatioNeedsTwoSizes() {
        assertThat(BenchMemoryCommand.versus(300_000_000, 15_000_000)).isEqualTo("20.0x less");
        assertThat(BenchMemoryCommand.versus(300_000_000, 0)).isEqualTo("-");
        assertThat(BenchMemoryCommand.versus(300_000_000, -1)).isEqualTo("-");
        assertThat(BenchMemoryCommand.versus(-1, 15_000_000)).isEqualTo("-");
    }

    @Test
    void profileChecksItsOverrides() throws Exception {
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "name: s\ndomains: [shapes]\nmethods: [linear]\n"
                + "backbone: {name: resnet26, width: 8}\n");
        assertThat(refused("profile", spec.toString(), "--batch", "0"))
                .startsWith("da3: --batch: 0 is out of range; use a whole number from 1 to 4096");
        assertThat(refused("profile", spec.toString(), "--image-size", "100000"))
                .startsWith("da3: --image-size: 100000 is out of range; use a whole number from 8 to 1024");
        assertThat(refused("profile", spec.toString(), "--open-ratio", "NaN"))
                .startsWith("da3: --open-ratio: NaN is not a ratio; use a number from 0 to 1");
    }

    @Test
    void profileTakesSomeOfTheMethodsAsRunDoes() throws Exception {
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "name: s\ndomains: [shapes]\nmethods: [linear, finetune]\n"
                + "backbone: {name: resnet26, width: 8}\n");
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        try (java.io.PrintStream out = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(out);
            assertThat(cli.run("profile", spec.toString(), "-m", "finetune")).isZero();
        } finally {
            System.setOut(old);
        }
        String printed = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(printed).containsPattern("(?m)^finetune ").doesNotContainPattern("(?m)^linear ");
        assertThat(refused("profile", spec.toString(), "-m", "da3"))
                .startsWith("da3: " + spec + ": --method: none of [da3] is in the spec; its methods: [linear, finetune]");
        // a typo beside a good name is refused, not dropped
        assertThat(refused("profile", spec.toString(), "-m", "finetune", "-m", "linaer"))
                .startsWith("da3: " + spec + ": --method: linaer is not in the spec; its methods: [linear, finetune]");

        // a sweep's label picks all its variants; a variant's label, that one
        Path sweep = Files.writeString(tmp.resolve("w.yaml"), "name: w\ndomains: [shapes]\nmethods: [linear,"
                + " {name: finetune, label: ft, options: {learning_rate: [0.01, 0.02]}}]\n"
                + "backbone: {name: resnet26, width: 8}\n");
        for (String[] c : new String[][] {{"ft", "ft[learning_rate=0.01]", "ft[learning_rate=0.02]"},
            {"ft[learning_rate=0.02]", "ft[learning_rate=0.02]"}}) {
            buf.reset();
            try (java.io.PrintStream out = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
                System.setOut(out);
                assertThat(cli.run("profile", sweep.toString(), "-m", c[0])).isZero();
            } finally {
                System.setOut(old);
            }
            String shown = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
            List<String> rows = shown.lines().filter(l -> l.startsWith("ft[") || l.startsWith("linear "))
                    .map(l -> l.split(" ")[0]).toList();
            assertThat(rows).as(shown).containsExactly(java.util.Arrays.copyOfRange(c, 1, c.length));
        }
    }

    @Test
    void pretrainChecksWhereItWillWriteBeforeItTrains() {
        String recipe = org.da3.workbench.test.TestWorkspace.projectDir()
                .resolve("pretrained/resnet26-w16-procsource.yaml").toString();
        assertThat(refused("pretrain", recipe, "--out", tmp.toString()))
                .startsWith("da3: --out " + tmp + ": is a folder; give a file NAME.safetensors");
        assertThat(refused("pretrain", recipe, "--out", tmp.resolve("w.bin").toString()))
                .contains(": the weights are written as safetensors").contains("end the name in .safetensors");
        assertThat(cli.out.toString()).as("nothing trained").doesNotContain("[pretrain]");
    }

    @Test
    void pretrainDoesNotReplaceFinishedWeightsUnlessForced() throws Exception {
        // a tiny recipe: without the check, it would train in seconds and replace the file
        Path ws = tmp.resolve("ws");
        org.da3.workbench.test.TestWorkspace.create(ws, 32, 16);
        Path recipe = Files.writeString(ws.resolve("pretrained/w.yaml"),
                org.da3.workbench.test.TestWorkspace.tinySpec("w", "finetune", "tiny-shapes"));
        Path out = Files.write(tmp.resolve("w.safetensors"), new byte[] {1, 2, 3});
        Files.writeString(tmp.resolve("w.json"), "{\"created\": \"2026-01-02T03:04:05Z\", \"source_test_accuracy\": 0.8125}");
        assertThat(refused("pretrain", recipe.toString(), "--out", out.toString()))
                .startsWith("da3: " + out + ": exists (pretrained 2026-01-02T03:04:05Z, source test accuracy 81.3%, by"
                        + " w.json); pretraining again would replace it: give --force to replace it, or --out"
                        + " OTHER.safetensors to keep both");
        assertThat(Files.readAllBytes(out)).containsExactly(1, 2, 3);
        assertThat(cli.out.toString()).as("nothing trained").doesNotContain("[pretrain]");
        // a provenance of other weights (the weights replaced, their .json not) is not quoted for these
        Files.writeString(tmp.resolve("w.json"), "{\"created\": \"2026-01-02T03:04:05Z\", \"source_test_accuracy\":"
                + " 0.8125, \"weights_sha256\": \"" + "0".repeat(64) + "\"}");
        assertThat(refused("pretrain", recipe.toString(), "--out", out.toString()))
                .startsWith("da3: " + out + ": exists (its w.json describes other weights); pretraining again");
    }

    @Test
    void pretrainGivenAWeightsFileNamesTheRecipeBesideIt() throws Exception {
        Path recipe = Files.writeString(tmp.resolve("w.yaml"), "name: w\n");
        Path weights = Files.write(tmp.resolve("w.safetensors"), new byte[] {1, 2, 3});
        assertThat(refused("pretrain", weights.toString())).isEqualTo("da3: " + weights + ": is a weights file, not a"
                + " recipe; give the recipe (a spec, NAME.yaml), here " + recipe + ", and the weights are written beside"
                + " it\n");
    }

    @Test
    void torchvisionCheckRefusesBadInputAsBadInput() throws Exception {
        Path missing = tmp.resolve("absent.npz");
        assertThat(refused("bench", "torchvision-check", missing.toString(), "--arch", "resnet18"))
                .isEqualTo("da3: " + missing + ": the weights file does not exist\n");
        assertThat(refused("bench", "torchvision-check", tmp.toString(), "--arch", "resnet18"))
                .isEqualTo("da3: " + tmp + ": is a folder; give a weights file (.safetensors or .npz)\n");
        assertThat(refused("bench", "torchvision-check", missing.toString(), "--arch", "resnet18", "--width", "0"))
                .startsWith("da3: --width 0: out of range; allowed: 4 to 512");
        Path file = tmp.resolve("r18.npz");
        org.da3.workbench.train.EngineSupport.start(1);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.da3.workbench.nn.ResNet net = org.da3.workbench.nn.ResNet.resnet18(4);
            net.allocate(m, 1);
            java.util.Map<String, ai.djl.ndarray.NDArray> w = new java.util.LinkedHashMap<>(
                    org.da3.workbench.nn.Weights.arrays(net.stateDict()));
            w.put("check.input", m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 16, 16)));
            w.put("check.features", m.zeros(new ai.djl.ndarray.types.Shape(1, 10)));
            org.da3.workbench.nn.Weights.save(w, file);
        }
        assertThat(refused("bench", "torchvision-check", file.toString(), "--arch", "resnet18", "--width", "4"))
                .isEqualTo("da3: " + file + ": check.features has the shape (1, 10), but resnet18 width 4 gives 1 x 32"
                        + " features for check.input; check --arch and --width\n");
    }

    @Test
    void theHelpHintNamesTheWholeCommand() {
        assertThat(refused("datasets", "check")).contains("Try 'da3 datasets check --help'.");
        assertThat(refused("frobnicate")).contains("Try 'da3 --help'.");
    }
}
