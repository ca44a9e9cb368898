package org.da3.workbench.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.da3.workbench.train.EngineSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight files with torchvision names: round trips and the errors of files that do not fit. */
class WeightsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        EngineSupport.start(1);
    }

    private static Map<String, NDArray> torchvisionStyle(ResNet net, NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>(Weights.arrays(net.stateDict()));
        // what a torchvision state_dict carries besides the backbone
        out.put("fc.weight", m.zeros(new Shape(1000, net.featureDim())));
        out.put("fc.bias", m.zeros(new Shape(1000)));
        out.put("bn1.num_batches_tracked", m.create(new long[] {7}));
        return out;
    }

    @Test
    void safetensorsAndNpzImportByTorchvisionName() throws IOException {
        for (String arch : new String[] {"resnet18", "resnet50", "resnet26"}) {
            for (String ext : new String[] {".safetensors", ".npz"}) {
                try (NDManager m = NDManager.newBaseManager()) {
                    ResNet source = ResNet.create(arch, 8);
                    source.allocate(m, 1);
                    Path file = dir.resolve(arch + ext);
                    Weights.save(torchvisionStyle(source, m), file);
                    assertThat(Files.size(file)).isPositive();
                    ResNet target = ResNet.create(arch, 8);
                    target.allocate(m, 2);
                    assertThat(Weights.checksum(target)).isNotEqualTo(Weights.checksum(source));
                    Weights.importInto(target, Weights.load(file, m), file.toString());
                    assertThat(Weights.checksum(target)).as(arch + ext).isEqualTo(Weights.checksum(source));
                }
            }
        }
    }

    @Test
    void aFileThatDoesNotFitListsMissingUnexpectedAndMisshapedTensors() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = ResNet.resnet18(8);
            net.allocate(m, 1);
            Map<String, NDArray> w = torchvisionStyle(net, m);
            w.remove("layer4.1.bn2.running_var");
            w.remove("conv1.weight");
            w.put("layer5.0.conv1.weight", m.zeros(new Shape(2, 2, 3, 3)));
            w.put("layer1.0.conv1.weight", m.zeros(new Shape(8, 8, 1, 1)));
            Path file = dir.resolve("bad.safetensors");
            Weights.save(w, file);
            ResNet target = ResNet.resnet18(8);
            target.allocate(m, 2);
            String before = Weights.checksum(target);
            assertThatThrownBy(() -> Weights.importInto(target, Weights.load(file, m), file.toString()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(file + ": the weights do not fit resnet18 width 8. Missing (2): conv1.weight,"
                            + " layer4.1.bn2.running_var. Unexpected (1): layer5.0.conv1.weight. Mis-shaped (1):"
                            + " layer1.0.conv1.weight (file (8, 8, 1, 1), backbone (8, 8, 3, 3)). Check backbone.name"
                            + " and backbone.width, or export the file as docs/weights.md shows.");
            assertThat(Weights.checksum(target)).as("nothing imported from a file that does not fit").isEqualTo(before);
        }
    }

    @Test
    void aFileThatIsNotATensorFileIsNamed() throws IOException {
        Path file = dir.resolve("notes.safetensors");
        Files.writeString(file, "these are not tensors");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Weights.load(file, m)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith(file + ": is not a safetensors file: its first 8 bytes announce a header of ");
            assertThatThrownBy(() -> Weights.load(dir.resolve("absent.npz"), m)).isInstanceOf(IOException.class)
                    .hasMessage(dir.resolve("absent.npz") + ": the weights file does not exist");
        }
    }

    @Test
    void damagedFramingIsDescribedFromTheHeaderAlone() throws IOException {
        Path good = dir.resolve("good.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Weights.save(Map.of("w", m.ones(new Shape(2, 3))), good);
        }
        assertThat(Weights.formatProblem(good)).isNull();
        Path goodNpz = dir.resolve("good.npz");
        try (NDManager m = NDManager.newBaseManager()) {
            Weights.save(Map.of("w", m.ones(new Shape(2, 3))), goodNpz);
        }
        assertThat(Weights.formatProblem(goodNpz)).isNull();
        byte[] bytes = Files.readAllBytes(good);
        Path shortFile = Files.write(dir.resolve("short.safetensors"), java.util.Arrays.copyOf(bytes, 5));
        assertThat(Weights.formatProblem(shortFile)).isEqualTo("is too short to be a safetensors file (5 bytes); it is"
                + " empty or was cut off");
        // the header cut in the middle: its announced length runs past the end of the file
        long n = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, (int) (8 + n / 2)));
        assertThat(Weights.formatProblem(cut)).contains("announce a header of " + n + " bytes in a file of " + (8 + n / 2));
        byte[] broken = bytes.clone();
        broken[8 + 1] = '!';
        Path badJson = Files.write(dir.resolve("badjson.safetensors"), broken);
        assertThat(Weights.formatProblem(badJson)).startsWith("is not a safetensors file: its JSON header is malformed");
        Path notZip = Files.write(dir.resolve("w.npz"), bytes);
        assertThat(Weights.formatProblem(notZip)).startsWith("is not an npz file");
        assertThat(Weights.formatProblem(dir)).isEqualTo("is a folder; give a weights file (.safetensors or .npz)");
    }
}
