package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.da3.workbench.test.DatasetFixtures.cycle;
import static org.da3.workbench.test.DatasetFixtures.descriptor;
import static org.da3.workbench.test.DatasetFixtures.gzip;
import static org.da3.workbench.test.DatasetFixtures.idxDataset;
import static org.da3.workbench.test.DatasetFixtures.idxImages;
import static org.da3.workbench.test.DatasetFixtures.idxLabels;
import static org.da3.workbench.test.DatasetFixtures.pixel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.data.LoadOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {
    @TempDir
    Path tmp;

    private CacheDir cache;
    private final IdxSource source = new IdxSource();

    @BeforeEach
    void cache() {
        cache = new CacheDir(tmp.resolve("cache"));
    }

    @AfterEach
    void restore() {
        cache.close();
    }

    private DatasetDescriptor mini(String yaml) throws IOException {
        return descriptor(tmp, "mini", "kind: idx\n" + yaml);
    }

    @Test
    void loadsGzippedAndPlainFilesAlike() throws IOException {
        idxDataset(tmp.resolve("gz"), 30, 10, 3, true);
        idxDataset(tmp.resolve("plain"), 30, 10, 3, false);
        Domain gz = DomainSources.load(mini("path: gz\n"), new LoadOptions(8, 0, 0, false));
        Domain plain = DomainSources.load(mini("path: plain\n"), new LoadOptions(8, 0, 0, false));

        assertThat(gz.classNames()).containsExactly("0", "1", "2");
        assertThat(gz.train().size()).isEqualTo(30);
        assertThat(gz.test().size()).isEqualTo(10);
        assertThat(gz.train().channels()).isEqualTo(1);
        assertThat(gz.train().labels()).containsExactly(cycle(30, 3));
        assertThat(gz.train().pixels()[4 * 64 + 2 * 8 + 3] & 0xFF).isEqualTo(pixel(4, 2, 3, 0));
        assertThat(gz.skipped()).isZero();
        assertThat(plain.fingerprint()).isEqualTo(gz.fingerprint());
    }

    @Test
    void resizesToTheImageSizeAndKeepsTheFirstImagesUnderALimit() throws IOException {
        idxDataset(tmp.resolve("d"), 30, 10, 3, true);
        Domain d = DomainSources.load(mini("path: d\nclasses: [zero, one, two]\n"), new LoadOptions(16, 12, 5, true));
        assertThat(d.train().size()).isEqualTo(12);
        assertThat(d.test().size()).isEqualTo(5);
        assertThat(d.train().height()).isEqualTo(16);
        assertThat(d.train().width()).isEqualTo(16);
        assertThat(d.train().labels()).containsExactly(cycle(12, 3));
        assertThat(d.classNames()).containsExactly("zero", "one", "two");
    }

    @Test
    void describesFromHeadersAndLabels() throws IOException {
        idxDataset(tmp.resolve("d"), 30, 10, 3, true);
        DatasetInfo i = source.describe(mini("path: d\n"));
        assertThat(i.found()).isTrue();
        assertThat(i.classes()).isEqualTo(3);
        assertThat(i.trainSize()).isEqualTo(30);
        assertThat(i.testSize()).isEqualTo(10);
        assertThat(i.problems()).isEmpty();
        assertThat(source.check(mini("path: d\n"))).isEmpty();
    }

    @Test
    void computesStatisticsOnceAndReadsThemFromTheCache() throws IOException {
        idxDataset(tmp.resolve("d"), 30, 10, 3, true);
        Domain first = DomainSources.load(mini("path: d\n"), new LoadOptions(8, 0, 0, true));
        double sum = 0;
        double sq = 0;
        byte[] raw = idxImages(30, 8, 8);
        for (int i = 16; i < raw.length; i++) {
            double v = (raw[i] & 0xFF) / 255.0;
            sum += v;
            sq += v * v;
        }
        int n = raw.length - 16;
        assertThat(first.mean()[0]).isCloseTo((float) (sum / n), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(first.std()[2]).isCloseTo((float) Math.sqrt(sq / n - (sum / n) * (sum / n)),
                org.assertj.core.data.Offset.offset(1e-5f));

        List<Path> cached;
        try (var s = Files.list(tmp.resolve("cache/stats"))) {
            cached = s.toList();
        }
        assertThat(cached).hasSize(1);
        Files.writeString(cached.get(0), "{\"mean\": [0.25, 0.25, 0.25], \"std\": [0.5, 0.5, 0.5]}");
        Domain again = DomainSources.load(mini("path: d\n"), new LoadOptions(8, 0, 0, true));
        assertThat(again.mean()).containsExactly(0.25f, 0.25f, 0.25f);

        Domain given = DomainSources.load(mini("path: d\nmean: 0.5\nstd: [0.1, 0.2, 0.3]\n"),
                new LoadOptions(8, 0, 0, true));
        assertThat(given.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(given.std()).containsExactly(0.1f, 0.2f, 0.3f);
    }

    @Test
    void anImagesFileOfGigabytesIsNamedInsteadOfReadWhole() throws IOException {
        // 4 million 28x28 images (Infinite MNIST's size): read whole, it ended da3 with an OutOfMemoryError
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Path images = d.resolve("train-images-idx3-ubyte");
        // 0x3D0900 = 4000000
        org.da3.workbench.test.DatasetFixtures.sparseFile(images,
                new byte[] {0, 0, 8, 3, 0, 0x3D, 0x09, 0, 0, 0, 0, 28, 0, 0, 0, 28}, 16 + 4_000_000L * 28 * 28);
        assertThat(source.check(mini("path: d\n"))).contains(images + ": the header announces 4000000 images of"
                + " 28x28 (3136000000 bytes of pixels), more than one file can hold in memory");
    }

    @Test
    void wrongMagicNumberNamesTheFileAndTheLikelyMixUp() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Files.write(d.resolve("train-images-idx3-ubyte"), idxLabels(cycle(30, 3)));
        assertThat(source.check(mini("path: d\n"))).containsExactly(d.resolve("train-images-idx3-ubyte")
                + ": magic number 0x00000801 is not that of an IDX images file (0x00000803: unsigned bytes in 3"
                + " dimensions); it looks like an IDX labels file: are the names swapped?");
        Files.write(d.resolve("train-images-idx3-ubyte"), new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(source.check(mini("path: d\n"))).containsExactly(d.resolve("train-images-idx3-ubyte")
                + ": magic number 0x01020304 is not that of an IDX images file (0x00000803: unsigned bytes in 3"
                + " dimensions); the file is corrupt or not IDX");
    }

    @Test
    void truncatedAndOverlongFilesSayWhatTheHeaderAnnounced() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Path images = d.resolve("train-images-idx3-ubyte");
        byte[] full = idxImages(30, 8, 8);
        Files.write(images, Arrays.copyOf(full, full.length - 10));
        assertThat(source.check(mini("path: d\n"))).containsExactly(images
                + ": truncated: the header announces 30 images of 8x8 (1920 bytes of pixels) but 1910 follow;"
                + " download the file again");
        Files.write(images, Arrays.copyOf(full, 10));
        assertThat(source.check(mini("path: d\n"))).containsExactly(images
                + ": truncated: 10 bytes, but an IDX images file starts with a 16-byte header (magic 0x00000803,"
                + " count, rows, columns); download it again");
        Files.write(images, Arrays.copyOf(full, full.length + 7));
        assertThat(source.check(mini("path: d\n"))).containsExactly(images
                + ": 7 bytes more than the header announces (30 images of 8x8 (1920 bytes of pixels)); the file is"
                + " corrupt or not IDX");
    }

    @Test
    void truncatedOrMisnamedGzipIsReported() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, true);
        Path labels = d.resolve("train-labels-idx1-ubyte.gz");
        byte[] gz = gzip(idxLabels(cycle(30, 3)));
        Files.write(labels, Arrays.copyOf(gz, gz.length / 2));
        assertThat(source.check(mini("path: d\n"))).containsExactly(labels
                + ": the gzip data is truncated (Unexpected end of ZLIB input stream); download the file again");
        Files.write(labels, new byte[0]);
        assertThat(source.check(mini("path: d\n"))).containsExactly(labels + ": is empty (0 bytes); download it again");
        Files.write(labels, idxLabels(cycle(30, 3)));
        assertThat(source.check(mini("path: d\n"))).containsExactly(labels
                + ": is not gzip-compressed although its name ends in .gz (Not in GZIP format); rename it without"
                + " .gz, or download it again");
        Files.delete(labels);
        Files.write(d.resolve("train-labels-idx1-ubyte"), gz);
        assertThat(source.check(mini("path: d\n"))).containsExactly(d.resolve("train-labels-idx1-ubyte")
                + ": is gzip-compressed but its name does not end in .gz; rename it to train-labels-idx1-ubyte.gz"
                + " or decompress it");
    }

    @Test
    void labelsMustMatchImagesAndListedClasses() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Files.write(d.resolve("train-labels-idx1-ubyte"), idxLabels(cycle(29, 3)));
        DatasetDescriptor two = mini("path: d\nclasses: [a, b]\n");
        assertThat(source.check(two)).containsExactly(
                d.resolve("train-labels-idx1-ubyte") + ": holds 29 labels but train-images-idx3-ubyte holds 30 images;"
                        + " each image needs one label",
                d.resolve("train-labels-idx1-ubyte") + ": 9 labels are outside 0..1 (classes lists 2 names in "
                        + two.fileName() + "), the first 2 at index 2; fix the labels or list every class",
                d.resolve("t10k-labels-idx1-ubyte") + ": 3 labels are outside 0..1 (classes lists 2 names in "
                        + two.fileName() + "), the first 2 at index 2; fix the labels or list every class");
        assertThatThrownBy(() -> source.load(two, new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class)
                .hasMessage(d.resolve("train-labels-idx1-ubyte") + ": holds 29 labels but train-images-idx3-ubyte"
                        + " holds 30 images; each image needs one label (and 2 more; 'da3 datasets check mini' lists"
                        + " them all)");
    }

    @Test
    void classesWithoutTrainingImagesAreReported() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        assertThat(source.check(mini("path: d\nclasses: 5\n"))).containsExactly(d.resolve("train-labels-idx1-ubyte")
                + ": no training images for classes '3' (3), '4' (4); every class needs training images");
    }

    @Test
    void anEmptySplitIsReportedNotEvaluatedAsNaN() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 0, 3, false);
        String empty = d.resolve("t10k-images-idx3-ubyte") + ": holds no images (its header gives a count of 0); the"
                + " test split needs images, download the file again or name another prefix in splits";
        assertThat(source.check(mini("path: d\n"))).containsExactly(empty);
        assertThat(source.describe(mini("path: d\n")).problems()).containsExactly(empty);
        assertThatThrownBy(() -> source.load(mini("path: d\n"), new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(empty);
        Path t = idxDataset(tmp.resolve("t"), 0, 10, 3, false);
        assertThat(source.check(mini("path: t\n"))).containsExactly(t.resolve("train-images-idx3-ubyte")
                + ": holds no images (its header gives a count of 0); the training split needs images, download the"
                + " file again or name another prefix in splits");
    }

    @Test
    void splitsOfDifferentSizesAreReported() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idxImages(10, 9, 9));
        assertThat(source.check(mini("path: d\n"))).containsExactly(d.resolve("t10k-images-idx3-ubyte")
                + ": images are 9x9 but the training images are 8x8; both splits must have one size");
    }

    @Test
    void missingFilesAndFoldersSayWhatIsExpected() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, true);
        Files.delete(d.resolve("t10k-labels-idx1-ubyte.gz"));
        assertThat(source.check(mini("path: d\n"))).containsExactly(d + ": has no t10k-labels-idx1-ubyte[.gz] (the"
                + " test labels); an idx dataset holds PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte for the"
                + " prefixes train and t10k, optionally gzipped (other prefixes: splits: {train: ..., test: ...})");

        DatasetDescriptor gone = mini("path: nowhere\ninstall: sudo apt-get install dataset-nowhere\n");
        String msg = tmp.resolve("nowhere") + ": does not exist; install it (sudo apt-get install dataset-nowhere) or"
                + " change path in " + gone.fileName();
        assertThat(source.check(gone)).containsExactly(msg);
        DatasetInfo i = source.describe(gone);
        assertThat(i.found()).isFalse();
        assertThat(i.problems()).containsExactly(msg);
        assertThatThrownBy(() -> source.load(gone, new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void otherPrefixesAreNamedInSplits() throws IOException {
        Path d = tmp.resolve("d");
        Files.createDirectories(d);
        Files.write(d.resolve("mine-images.idx3-ubyte"), idxImages(6, 8, 8));
        Files.write(d.resolve("mine-labels.idx1-ubyte"), idxLabels(cycle(6, 2)));
        Files.write(d.resolve("test-images-idx3-ubyte"), idxImages(4, 8, 8));
        Files.write(d.resolve("test-labels-idx1-ubyte"), idxLabels(cycle(4, 2)));
        Domain m = DomainSources.load(mini("path: d\nsplits: {train: mine}\n"), new LoadOptions(8, 0, 0, true));
        assertThat(m.train().size()).isEqualTo(6);
        assertThat(m.test().size()).isEqualTo(4);
    }

    @Test
    void aSplitTooLargeForMemoryAtTheImageSizeSaysWhatToLower() throws IOException {
        // 2100 images of 8x8 are small on disk, but at 1024 px they need 2.2 GB: more than one array
        idxDataset(tmp.resolve("d"), 2100, 10, 3, false);
        assertThatThrownBy(() -> DomainSources.load(mini("path: d\n"), new LoadOptions(1024, 0, 0, true)))
                .isInstanceOf(DatasetException.class)
                .hasMessage("mini-train: 2100 images of 1024x1024x1 need 2.2 GB, more than one split can hold in"
                        + " memory (2 GB); set training.train_limit or test_limit, or a smaller image_size");
        assertThat(DomainSources.load(mini("path: d\n"), new LoadOptions(1024, 20, 0, true)).train().size())
                .isEqualTo(20);
    }

    @Test
    void testingOnTheTrainingFilesIsRefused() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        DatasetDescriptor same = mini("path: d\nsplits: {test: train}\n");
        String msg = d.resolve("train-images-idx3-ubyte") + ": holds both the training and the test images (splits"
                + " in " + same.fileName() + " name the prefix train for both); test on images the network is not"
                + " trained on";
        assertThat(source.check(same)).containsExactly(msg);
        assertThatThrownBy(() -> source.load(same, new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void everyProblemIsListedNotOnlyTheFirst() throws IOException {
        Path d = idxDataset(tmp.resolve("d"), 30, 10, 3, false);
        Files.write(d.resolve("train-images-idx3-ubyte"), Arrays.copyOf(idxImages(30, 8, 8), 100));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idxLabels(1, 2));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), new byte[3]);
        assertThat(source.check(mini("path: d\n"))).hasSize(3);
    }
}
