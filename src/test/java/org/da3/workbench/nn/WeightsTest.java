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
    void theFitIsToldFromTheHeadersAloneAsTheImportTellsIt() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String arch : new String[] {"resnet18", "resnet50", "resnet26"}) {
                // the shapes known before allocation are those allocated
                ResNet net = ResNet.create(arch, 8);
                net.allocate(m, 1);
                Map<String, Shape> allocated = new LinkedHashMap<>();
                net.stateDict().forEach((k, v) -> allocated.put(k, v.getArray().getShape()));
                assertThat(ResNet.create(arch, 8).stateShapes()).as(arch).isEqualTo(allocated);
                for (String ext : new String[] {".safetensors", ".npz"}) {
                    Path file = dir.resolve("fit-" + arch + ext);
                    Weights.save(torchvisionStyle(net, m), file);
                    assertThat(Weights.problem(file, arch, 8)).as(arch + ext).isNull();
                }
            }
            ResNet net = ResNet.resnet18(8);
            net.allocate(m, 1);
            Map<String, NDArray> w = torchvisionStyle(net, m);
            w.remove("conv1.weight");
            w.put("layer1.0.conv1.weight", m.zeros(new Shape(8, 8, 1, 1)));
            Path file = dir.resolve("misfit.npz");
            Weights.save(w, file);
            ResNet target = ResNet.resnet18(8);
            target.allocate(m, 2);
            String imported = null;
            try {
                Weights.importInto(target, Weights.load(file, m), file.toString());
            } catch (IllegalArgumentException e) {
                imported = e.getMessage();
            }
            assertThat(imported).isEqualTo(file + ": the weights do not fit "
                    + Weights.problem(file, "resnet18", 8).substring("does not fit ".length()));
            assertThat(Weights.problem(file, "resnet18", 8)).startsWith("does not fit resnet18 width 8. Missing (1):"
                    + " conv1.weight. Mis-shaped (1): layer1.0.conv1.weight (file (8, 8, 1, 1), backbone (8, 8, 3, 3)).");
            assertThat(Weights.problem(dir.resolve("fit-resnet50.npz"), "resnet18", 8))
                    .contains("the file holds a resnet50 width 8: set backbone.name: resnet50");
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

    /** A safetensors file written by hand: the header as given, then the data. */
    private Path safetensors(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return rawSafetensors(name, h, data);
    }

    private Path rawSafetensors(String name, byte[] h, byte[] data) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return Files.write(dir.resolve(name), b.array());
    }

    private static byte[] floats(java.nio.ByteOrder order, float... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(order);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** One npy array (format 1.0) with the given header fields and data. */
    private static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }";
        int pad = 64 - (10 + h.length() + 1) % 64;
        h = h + " ".repeat(pad) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + h.length() + data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length()).put(h.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path file = dir.resolve(name);
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    @Test
    void bfloat16IsReadAsFloat32InsteadOfAbortingTheEngine() throws IOException {
        // 1.5 and -2.0 are exact in bfloat16: the upper halves 0x3FC0 and 0xC000
        Path file = safetensors("bf16.safetensors", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}", new byte[] {(byte) 0xC0, 0x3F, 0x00, (byte) 0xC0});
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = Weights.load(file, m).get("w");
            assertThat(w.toFloatArray()).containsExactly(1.5f, -2.0f);
        }
    }

    @Test
    void aSafetensorsHeaderWhoseTensorsDoNotTileItsDataIsRefusedNamingThem() throws IOException {
        byte[] eight = floats(java.nio.ByteOrder.LITTLE_ENDIAN, 1, 2);
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":";
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":";
        Path overlap = safetensors("overlap.safetensors", "{" + a + "[0,4]}," + b + "[0,4]}}", java.util.Arrays.copyOf(eight, 4));
        assertThat(Weights.formatProblem(overlap)).isEqualTo("is damaged: the tensors 'a' (bytes 0 to 4) and 'b' (bytes 0"
                + " to 4) overlap, so at least one of them holds the other's values; write the file again");
        Path gap = safetensors("gap.safetensors", "{" + a + "[0,4]}," + b + "[8,12]}}", new byte[12]);
        assertThat(Weights.formatProblem(gap)).isEqualTo("is damaged: bytes 4 to 8 of its data belong to no tensor"
                + " (between 'a' and 'b'), so its offsets are wrong; write the file again");
        Path past = safetensors("past.safetensors", "{" + a + "[0,4]}," + b + "[4,8]}}", java.util.Arrays.copyOf(eight, 6));
        assertThat(Weights.formatProblem(past)).isEqualTo("is cut off: its tensors need 8 bytes of data but the file"
                + " holds 6 after its header (the tensor 'b' runs past the end); copy or write it again");
        Path trailing = safetensors("trailing.safetensors", "{" + a + "[0,4]}}", eight);
        assertThat(Weights.formatProblem(trailing)).isEqualTo("is damaged: its last 4 bytes belong to no tensor (the"
                + " tensors end at byte 4 of 8 bytes of data); write the file again");
        Path size = safetensors("size.safetensors", "{" + a + "[0,8]}}", eight);
        assertThat(Weights.formatProblem(size)).isEqualTo("is damaged: tensor 'a' (F32, shape [1]) needs 4 bytes but"
                + " its data_offsets [0,8] give it 8; write the file again");
        Path dup = safetensors("dup.safetensors", "{" + a + "[0,4]}," + a + "[4,8]}}", eight);
        assertThat(Weights.formatProblem(dup)).isEqualTo("names the tensor 'a' twice in its header, so which one is meant"
                + " cannot be told; write the file again from a state dict");
        Path dtype = safetensors("f8.safetensors", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],"
                + "\"data_offsets\":[0,4]}}", new byte[4]);
        assertThat(Weights.formatProblem(dtype)).isEqualTo("has the tensor 'a' of dtype \"F8_E4M3\", which the workbench"
                + " cannot read; it reads F64, F32, F16, BF16, I64, I32, I8, U8 and BOOL");
        byte[] latin1 = ("{\"caf\u00e9\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path notUtf8 = rawSafetensors("latin1.safetensors", latin1, new byte[4]);
        assertThat(Weights.formatProblem(notUtf8)).isEqualTo("is not a safetensors file: its header is not UTF-8 text"
                + " (byte 13 of the file)");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Weights.load(overlap, m)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith(overlap + ": is damaged: the tensors 'a'");
        }
    }

    @Test
    void npzArraysAreReadWhateverTheirByteOrderAndLayout() throws IOException {
        // a 2x3 array 0..5: C order 0 1 2 3 4 5, Fortran order 0 3 1 4 2 5
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("big.npy", npy(">f4", false, "(2, 3)", floats(java.nio.ByteOrder.BIG_ENDIAN, 0, 1, 2, 3, 4, 5)));
        entries.put("fortran.npy", npy("<f4", true, "(2, 3)", floats(java.nio.ByteOrder.LITTLE_ENDIAN, 0, 3, 1, 4, 2,
                5)));
        entries.put("scalar.npy", npy("<i8", false, "()", new byte[] {7, 0, 0, 0, 0, 0, 0, 0}));
        entries.put("arr_0.npy", npy("<f4", false, "(1,)", floats(java.nio.ByteOrder.LITTLE_ENDIAN, 9)));
        Path file = zip("odd.npz", entries);
        assertThat(Weights.formatProblem(file)).isNull();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = Weights.load(file, m);
            assertThat(w.keySet()).containsExactly("big", "fortran", "scalar", "arr_0");
            assertThat(w.get("big").toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(w.get("fortran").getShape()).isEqualTo(new Shape(2, 3));
            assertThat(w.get("fortran").toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(w.get("scalar").getShape().dimension()).isZero();
            // an array saved without a name (np.savez(f, a)) is listed by its name, not lost
            ResNet net = ResNet.resnet18(4);
            net.allocate(m, 1);
            assertThatThrownBy(() -> Weights.importInto(net, w, "odd.npz")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Unexpected (4): arr_0, big, fortran, scalar.");
        }
    }

    @Test
    void anNpzOfObjectsOrAZipWithoutArraysIsRefusedForWhatItIs() throws IOException {
        Path objects = zip("objects.npz", Map.of("names.npy", npy("|O", false, "(2,)", new byte[16])));
        assertThat(Weights.formatProblem(objects)).isEqualTo("holds the array 'names', an array of Python objects (dtype"
                + " |O), which the workbench cannot read as weights; save it as float32 (numpy: a.astype('float32'))");
        Path notNpz = zip("docs.npz", Map.of("readme.txt", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(Weights.formatProblem(notNpz)).isEqualTo("is a zip archive but not an npz file: it holds no NAME.npy"
                + " arrays (it holds 'readme.txt'); write the weights with numpy.savez");
        Path cut = zip("cut.npz", Map.of("w.npy", npy("<f4", false, "(4,)", new byte[12])));
        assertThat(Weights.formatProblem(cut)).isEqualTo("is cut off: its array 'w' (<f4, shape (4,)) needs 16 bytes of"
                + " data but has 12; write it again");
    }

    @Test
    void aDataParallelStateDictImportsWithoutItsModulePrefix() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet source = ResNet.resnet18(4);
            source.allocate(m, 1);
            Map<String, NDArray> w = new LinkedHashMap<>();
            torchvisionStyle(source, m).forEach((k, v) -> w.put("module." + k, v));
            ResNet target = ResNet.resnet18(4);
            target.allocate(m, 2);
            Weights.importInto(target, w, "dp.safetensors");
            assertThat(Weights.checksum(target)).isEqualTo(Weights.checksum(source));
        }
    }

    @Test
    void aFileOfAnotherArchitectureSaysWhichItHolds() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r50 = ResNet.resnet50(8);
            r50.allocate(m, 1);
            ResNet r18 = ResNet.resnet18(4);
            r18.allocate(m, 1);
            assertThatThrownBy(() -> Weights.importInto(r18, torchvisionStyle(r50, m), "r50.npz"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("r50.npz: the weights do not fit"
                            + " resnet18 width 4.")
                    .hasMessageEndingWith(" By its tensor names and layer1.0.conv1.weight, the file holds a resnet50"
                            + " width 8: set backbone.name: resnet50 and backbone.width: 8, or give a file of resnet18"
                            + " width 4.");
            ResNet r50small = ResNet.resnet50(4);
            r50small.allocate(m, 1);
            assertThatThrownBy(() -> Weights.importInto(r50small, torchvisionStyle(r18, m), "r18.npz"))
                    .hasMessageEndingWith("the file holds a resnet18 width 4: set backbone.name: resnet18 and"
                            + " backbone.width: 4, or give a file of resnet50 width 4.");
        }
    }

    @Test
    void integerOrNonFiniteWeightsAreRefusedNamingTheTensorsAndNothingIsImported() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet source = ResNet.resnet18(4);
            source.allocate(m, 1);
            ResNet target = ResNet.resnet18(4);
            target.allocate(m, 2);
            String before = Weights.checksum(target);
            Map<String, NDArray> ints = torchvisionStyle(source, m);
            ints.put("conv1.weight", ints.get("conv1.weight").toType(ai.djl.ndarray.types.DataType.INT32, false));
            assertThatThrownBy(() -> Weights.importInto(target, ints, "q.safetensors"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("q.safetensors: the backbone's weights are"
                            + " floating point, but the file holds integer tensors for 1 of them: conv1.weight (int32)"
                            + " (a quantised export?); export the float32 state dict as docs/weights.md shows");
            Map<String, NDArray> bad = torchvisionStyle(source, m);
            float[] var = bad.get("bn1.running_var").toFloatArray();
            var[1] = Float.POSITIVE_INFINITY;
            bad.put("bn1.running_var", m.create(var));
            float[] w = bad.get("layer2.0.conv1.weight").toFloatArray();
            w[0] = Float.NaN;
            w[5] = Float.NaN;
            bad.put("layer2.0.conv1.weight", m.create(w, bad.get("layer2.0.conv1.weight").getShape()));
            assertThatThrownBy(() -> Weights.importInto(target, bad, "nan.safetensors"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("nan.safetensors: the weights hold NaN or"
                            + " infinite values in 2 tensors: bn1.running_var (1 infinite of 4), layer2.0.conv1.weight"
                            + " (2 NaN of " + w.length + "); the training or export that wrote them diverged or the file"
                            + " is damaged: use another checkpoint");
            assertThat(Weights.checksum(target)).as("nothing imported").isEqualTo(before);
        }
    }
}
