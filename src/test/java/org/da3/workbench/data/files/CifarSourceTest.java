package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.da3.workbench.test.DatasetFixtures.cifar10;
import static org.da3.workbench.test.DatasetFixtures.cifarRecords;
import static org.da3.workbench.test.DatasetFixtures.descriptor;
import static org.da3.workbench.test.DatasetFixtures.pixel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.spec.SpecException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarSourceTest {
    @TempDir
    Path tmp;

    private CacheDir cache;
    private final CifarSource source = new CifarSource();

    @BeforeEach
    void cache() {
        cache = new CacheDir(tmp.resolve("cache"));
    }

    @AfterEach
    void restore() {
        cache.close();
    }

    private DatasetDescriptor desc(String yaml) throws IOException {
        return descriptor(tmp, "cifar", "kind: cifar\n" + yaml);
    }

    private Path cifar100(int train, int test) throws IOException {
        Path d = tmp.resolve("c100");
        Files.createDirectories(d);
        int[][] l = new int[train][];
        for (int i = 0; i < train; i++) {
            l[i] = new int[] {i % 20, i % 100};
        }
        Files.write(d.resolve("train.bin"), cifarRecords(0, l));
        int[][] t = new int[test][];
        for (int i = 0; i < test; i++) {
            t[i] = new int[] {(i + 1) % 20, (i + 1) % 100};
        }
        Files.write(d.resolve("test.bin"), cifarRecords(500, t));
        return d;
    }

    @Test
    void readsCifar10BatchesAsHwcWithTheMetaNames() throws IOException {
        cifar10(tmp.resolve("c10"), 4, 6);
        Domain d = source.load(desc("path: c10\n"), new LoadOptions(32, 0, 0, false));
        assertThat(d.classNames()).containsExactly("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                "horse", "ship", "truck");
        assertThat(d.train().size()).isEqualTo(20);
        assertThat(d.test().size()).isEqualTo(6);
        assertThat(d.train().channels()).isEqualTo(3);
        assertThat(d.train().labels()[13]).isEqualTo(3);
        int img = 13;
        int y = 5;
        int x = 7;
        for (int c = 0; c < 3; c++) {
            assertThat(d.train().pixels()[img * 3072 + (y * 32 + x) * 3 + c] & 0xFF).isEqualTo(pixel(img, y, x, c));
        }
        assertThat(d.test().pixels()[2 * 3072 + 1] & 0xFF).isEqualTo(pixel(1002, 0, 0, 1));
        assertThat(source.check(desc("path: c10\n"))).isEmpty();
    }

    @Test
    void aLimitKeepsTheFirstRecordsAcrossBatchesAndResizes() throws IOException {
        cifar10(tmp.resolve("c10"), 4, 6);
        Domain d = source.load(desc("path: c10\n"), new LoadOptions(16, 7, 2, false));
        assertThat(d.train().size()).isEqualTo(7);
        assertThat(d.train().labels()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(d.train().height()).isEqualTo(16);
        assertThat(d.test().size()).isEqualTo(2);
    }

    @Test
    void aSplitTooLargeForMemoryAtTheImageSizeSaysWhatToLower() throws IOException {
        // 700 records of 32x32 at 1024 px need 2.2 GB: more than one array
        cifar10(tmp.resolve("c10"), 140, 6);
        assertThatThrownBy(() -> source.load(desc("path: c10\n"), new LoadOptions(1024, 0, 0, false)))
                .isInstanceOf(DatasetException.class)
                .hasMessage("cifar-train: 700 images of 1024x1024x3 need 2.2 GB, more than one split can hold in"
                        + " memory (2 GB); set training.train_limit or test_limit, or a smaller image_size");
    }

    @Test
    void readsCifar100FineOrCoarseLabels() throws IOException {
        Path dir = cifar100(30, 5);
        Files.writeString(dir.resolve("coarse_label_names.txt"), String.join("\n", FileSource.numbered(20))
                .replace("0", "c0") + "\n");
        Domain fine = source.load(desc("path: c100\n"), new LoadOptions(32, 0, 0, false));
        assertThat(fine.numClasses()).isEqualTo(100);
        assertThat(fine.classNames().get(42)).isEqualTo("42");
        assertThat(fine.train().labels()[25]).isEqualTo(25);
        assertThat(fine.test().labels()[0]).isEqualTo(1);
        assertThat(fine.train().pixels()[3 * 3072 + 2] & 0xFF).isEqualTo(pixel(3, 0, 0, 2));
        Domain coarse = source.load(desc("path: c100\nlabels: coarse\n"), new LoadOptions(32, 0, 0, false));
        assertThat(coarse.numClasses()).isEqualTo(20);
        assertThat(coarse.classNames().get(0)).isEqualTo("c0");
        assertThat(coarse.train().labels()[25]).isEqualTo(5);
        DatasetInfo i = source.describe(desc("path: c100\n"));
        assertThat(i.trainSize()).isEqualTo(30);
        assertThat(i.testSize()).isEqualTo(5);
        assertThat(i.classes()).isEqualTo(100);
    }

    @Test
    void truncatedBatchSaysTheRecordSize() throws IOException {
        Path d = cifar10(tmp.resolve("c10"), 4, 6);
        Path b3 = d.resolve("data_batch_3.bin");
        Files.write(b3, Arrays.copyOf(Files.readAllBytes(b3), 4 * 3073 - 100));
        String msg = b3 + ": 12192 bytes is not a whole number of 3073-byte records (1 label byte + 32x32x3 pixels,"
                + " CIFAR-10 binary version); the file is truncated or not CIFAR-10";
        assertThat(source.check(desc("path: c10\n"))).containsExactly(msg);
        assertThatThrownBy(() -> source.load(desc("path: c10\n"), new LoadOptions(32, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void cifar100RecordsUnderACifar10NameAreRecognised() throws IOException {
        Path d = cifar10(tmp.resolve("c10"), 3, 6);
        Files.write(d.resolve("test_batch.bin"), cifarRecords(0, new int[][] {{1, 1}, {2, 2}, {3, 3}, {4, 4}}));
        assertThat(source.check(desc("path: c10\n"))).containsExactly(d.resolve("test_batch.bin")
                + ": 12296 bytes is not a whole number of 3073-byte records (1 label byte + 32x32x3 pixels, CIFAR-10"
                + " binary version); the file is truncated or not CIFAR-10; its length fits CIFAR-100 records: set"
                + " variant: cifar100 or fix the file names");
    }

    @Test
    void labelsOutOfRangeAreCountedAndTheFirstNamed() throws IOException {
        Path d = cifar10(tmp.resolve("c10"), 4, 6);
        Files.write(d.resolve("data_batch_2.bin"), cifarRecords(0, new int[][] {{1}, {12}, {3}, {200}}));
        assertThat(source.check(desc("path: c10\n"))).containsExactly(d.resolve("data_batch_2.bin")
                + ": 2 records with labels outside labels 0..9 (CIFAR-10), the first 12 in record 1; the file is"
                + " corrupt or not CIFAR-10");
        Path c100 = cifar100(4, 2);
        Files.write(c100.resolve("test.bin"), cifarRecords(0, new int[][] {{19, 99}, {20, 5}}));
        assertThat(source.check(desc("path: c100\n"))).containsExactly(c100.resolve("test.bin")
                + ": 1 record with labels outside coarse labels 0..19 and fine labels 0..99 (CIFAR-100), the first 20"
                + " in record 1; the file is corrupt or not CIFAR-100");
    }

    @Test
    void missingBatchesAndDamagedMetaAreAllListed() throws IOException {
        Path d = cifar10(tmp.resolve("c10"), 4, 6);
        Files.delete(d.resolve("data_batch_4.bin"));
        Files.delete(d.resolve("data_batch_5.bin"));
        Files.writeString(d.resolve("batches.meta.txt"), "airplane\nautomobile\n");
        DatasetDescriptor desc = desc("path: c10\n");
        assertThat(source.check(desc)).containsExactly(
                d.resolve("data_batch_4.bin") + ": does not exist; CIFAR-10 (binary) needs data_batch_1.bin .."
                        + " data_batch_5.bin and test_batch.bin",
                d.resolve("data_batch_5.bin") + ": does not exist; CIFAR-10 (binary) needs data_batch_1.bin .."
                        + " data_batch_5.bin and test_batch.bin",
                d.resolve("batches.meta.txt") + ": lists 2 class names but CIFAR-10 has 10; the file is damaged (or"
                        + " list the names under classes: in " + desc.fileName() + ")");
    }

    @Test
    void thePythonVersionIsRecognisedAndRefused() throws IOException {
        Path d = tmp.resolve("cifar-10-batches-py");
        Files.createDirectories(d);
        Files.write(d.resolve("data_batch_1"), new byte[] {(byte) 0x80, 2});
        assertThat(source.check(desc("path: cifar-10-batches-py\n"))).containsExactly(d
                + ": holds the Python (pickle) version of CIFAR; the workbench reads the binary version: download"
                + " cifar-10-binary.tar.gz or cifar-100-binary.tar.gz and point path at its folder");
        Files.createDirectories(tmp.resolve("top/cifar-10-batches-bin"));
        assertThat(source.check(desc("path: top\n"))).containsExactly(tmp.resolve("top")
                + ": holds cifar-10-batches-bin/; point path at that folder");
    }

    @Test
    void aFileInBothSplitsIsRefused() throws IOException {
        Path d = cifar10(tmp.resolve("c10"), 4, 6);
        DatasetDescriptor same = desc("path: c10\nsplits: {test: [test_batch.bin, ./data_batch_5.bin]}\n");
        String msg = d.resolve("data_batch_5.bin") + ": is both a training and a test file (splits in "
                + same.fileName() + "); test on images the network is not trained on";
        assertThat(source.check(same)).containsExactly(msg);
        assertThatThrownBy(() -> source.load(same, new LoadOptions(32, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void descriptorFieldsAreValidated() throws IOException {
        cifar10(tmp.resolve("c10"), 2, 2);
        DatasetDescriptor wrongCount = desc("path: c10\nclasses: [a, b, c]\n");
        assertThatThrownBy(() -> source.load(wrongCount, new LoadOptions(32, 0, 0, true)))
                .isInstanceOf(SpecException.class)
                .hasMessage(wrongCount.fileName() + ": classes: lists 3 names but CIFAR-10 has 10 classes");
        DatasetDescriptor coarse = desc("path: c10\nlabels: coarse\n");
        assertThat(source.check(coarse)).containsExactly(coarse.fileName()
                + ": labels: applies to CIFAR-100 only (fine or coarse); remove it");
    }
}
