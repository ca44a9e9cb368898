package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.da3.workbench.test.DatasetFixtures.descriptor;
import static org.da3.workbench.test.DatasetFixtures.image;
import static org.da3.workbench.test.DatasetFixtures.imageFolder;
import static org.da3.workbench.test.DatasetFixtures.notAnImage;
import static org.da3.workbench.test.DatasetFixtures.pixel;
import static org.da3.workbench.test.DatasetFixtures.truncate;
import static org.da3.workbench.test.DatasetFixtures.writeImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.data.Split;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
    private static final String[] CLASSES = {"ant", "bee", "cat"};

    @TempDir
    Path tmp;

    private CacheDir cache;
    private final ImageFolderSource source = new ImageFolderSource();
    private Path root;

    @BeforeEach
    void fixture() throws IOException {
        cache = new CacheDir(tmp.resolve("cache"));
        root = tmp.resolve("birds");
        imageFolder(root, "train", CLASSES, 3, 8);
        imageFolder(root, "val", CLASSES, 2, 8);
    }

    @AfterEach
    void restore() {
        cache.close();
    }

    private DatasetDescriptor desc(String yaml) throws IOException {
        return descriptor(tmp, "birds", "kind: imagefolder\npath: birds\n" + yaml);
    }

    @Test
    void loadsClassFoldersInNameOrder() throws IOException {
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        assertThat(d.classNames()).containsExactly("ant", "bee", "cat");
        assertThat(d.train().size()).isEqualTo(9);
        assertThat(d.test().size()).isEqualTo(6);
        assertThat(d.train().labels()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
        assertThat(d.train().channels()).isEqualTo(3);
        // ant/img0.png is image 0 of the fixture, 8x8 PNG: read exactly.
        for (int c = 0; c < 3; c++) {
            assertThat(d.train().pixels()[(3 * 8 + 5) * 3 + c] & 0xFF).isEqualTo(pixel(0, 3, 5, c));
        }
        // ant/img1.png is 9x8: the centre 8x8 square starts at x = 0.5 and is resampled.
        assertThat(d.skipped()).isZero();
        DatasetInfo i = source.describe(desc(""));
        assertThat(i.classes()).isEqualTo(3);
        assertThat(i.trainSize()).isEqualTo(9);
        assertThat(i.testSize()).isEqualTo(6);
        assertThat(source.check(desc(""))).isEmpty();
    }

    @Test
    void readsBmpGifAndTiffImagesToo() throws IOException {
        for (String ext : List.of("bmp", "gif", "tif", "TIFF")) {
            Path f = root.resolve("train/bee/other." + ext);
            Files.createDirectories(f.getParent());
            assertThat(javax.imageio.ImageIO.write(image(0, 8, 8), ext.equals("gif") ? "gif" : ext.toLowerCase(
                    java.util.Locale.ROOT).startsWith("tif") ? "tiff" : ext, f.toFile())).as(ext).isTrue();
        }
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        assertThat(d.train().size()).isEqualTo(9 + 4);
        assertThat(d.skipped()).isZero();
        assertThat(source.check(desc(""))).isEmpty();
        // bee's images in name order: img*, then other.TIFF, other.bmp, other.gif, other.tif; BMP and
        // TIFF are lossless, so their pixels are image 0's exactly
        int bmp = 3 + 3 + 1;
        for (int c = 0; c < 3; c++) {
            assertThat(d.train().pixels()[(bmp * 64 + 3 * 8 + 5) * 3 + c] & 0xFF).isEqualTo(pixel(0, 3, 5, c));
        }
    }

    @Test
    void followsSymbolicLinks() throws IOException {
        Path elsewhere = writeImage(tmp.resolve("originals/x.png"), image(3, 8, 8));
        Files.createSymbolicLink(root.resolve("train/bee/linked.png"), elsewhere);
        Files.createSymbolicLink(root.resolve("train/cat/more"), tmp.resolve("originals"));
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        assertThat(d.train().labels()).containsExactly(0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2);
    }

    @Test
    void brokenSymbolicLinksAndLoopsAreNamedNotSilentlyLeftOut() throws IOException {
        Path gone = Files.createSymbolicLink(root.resolve("train/bee/moved.png"), tmp.resolve("originals/moved.png"));
        String goneMsg = gone + ": is a symbolic link to " + tmp.resolve("originals/moved.png") + ", which does not"
                + " exist; fix or remove the link";
        assertThat(source.check(desc(""))).containsExactly(goneMsg);
        assertThat(source.describe(desc("")).trainSize()).isEqualTo(10);
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, true));
        assertThat(d.skipped()).isEqualTo(1);
        assertThat(d.train().size()).isEqualTo(9);

        Files.delete(gone);
        Path folder = Files.createSymbolicLink(root.resolve("train/cat/more"), tmp.resolve("unmounted/cat"));
        Path loop = Files.createSymbolicLink(root.resolve("train/ant/again"), root.resolve("train/ant"));
        assertThat(source.check(desc(""))).containsExactly(
                loop + ": is a symbolic link to a folder that holds it (a loop); remove the link",
                folder + ": is a symbolic link to " + tmp.resolve("unmounted/cat") + ", which does not exist; fix or"
                        + " remove the link");
        Files.delete(folder);
        Files.delete(loop);
        // a class folder linked from a volume that is gone: the class must not vanish from both splits
        for (String split : new String[] {"train", "val"}) {
            Files.createSymbolicLink(root.resolve(split + "/dog"), tmp.resolve("unmounted/dog"));
        }
        assertThat(source.check(desc(""))).containsExactly(
                root.resolve("train/dog") + ": is a symbolic link to " + tmp.resolve("unmounted/dog") + ", which does"
                        + " not exist; fix or remove the link",
                root.resolve("val/dog") + ": is a symbolic link to " + tmp.resolve("unmounted/dog") + ", which does"
                        + " not exist; fix or remove the link");
    }

    @Test
    void cropsTheCentreSquareOfAWideImage() throws IOException {
        writeImage(root.resolve("train/ant/wide.png"), image(77, 12, 8));
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        int wide = 3; // after img0, img1, img2 in name order
        assertThat(d.train().pixels()[wide * 192 + (2 * 8 + 1) * 3] & 0xFF).isEqualTo(pixel(77, 2, 1 + 2, 0));
        Domain gray = source.load(desc("color: gray\n"), new LoadOptions(8, 0, 0, false));
        assertThat(gray.train().channels()).isEqualTo(1);
        assertThat(gray.train().pixels()).hasSize(10 * 64);
    }

    @Test
    void aLimitPicksEveryClassInTurn() throws IOException {
        Domain d = source.load(desc(""), new LoadOptions(8, 4, 3, false));
        assertThat(d.train().labels()).hasSize(4).contains(0, 1, 2);
        assertThat(d.test().labels()).containsExactly(0, 1, 2);
        Domain again = source.load(desc(""), new LoadOptions(8, 4, 3, false));
        assertThat(again.fingerprint()).isEqualTo(d.fingerprint());
    }

    @Test
    void aLimitPicksTheSameImagesWhereverTheDatasetLies() throws IOException {
        // the same tree in two places, as on two machines (another home, a remote worker)
        Path here = tmp.resolve("a/birds");
        Path there = tmp.resolve("elsewhere/much/deeper/birds");
        for (Path r : List.of(here, there)) {
            imageFolder(r, "train", CLASSES, 8, 8);
            imageFolder(r, "val", CLASSES, 2, 8);
        }
        LoadOptions five = new LoadOptions(8, 5, 0, false);
        Domain a = source.load(descriptor(tmp, "here", "kind: imagefolder\npath: a/birds\n"), five);
        Domain b = source.load(descriptor(tmp, "there", "kind: imagefolder\npath: elsewhere/much/deeper/birds\n"), five);
        assertThat(a.train().size()).isEqualTo(5);
        assertThat(b.train().labels()).containsExactly(a.train().labels());
        assertThat(b.train().pixels()).as("the chosen images' pixels").isEqualTo(a.train().pixels());
        // and the choice is a real one: not just each class's first files
        Domain all = source.load(descriptor(tmp, "all", "kind: imagefolder\npath: a/birds\n"),
                new LoadOptions(8, 0, 0, false));
        byte[] firsts = new byte[a.train().pixels().length];
        int per = all.train().pixels().length / all.train().size();
        int[] from = {0, 1, 8, 9, 16};
        for (int i = 0; i < 5; i++) {
            System.arraycopy(all.train().pixels(), from[i] * per, firsts, i * per, per);
        }
        assertThat(a.train().pixels()).isNotEqualTo(firsts);
    }

    @Test
    void decodedSplitsAreCachedAndTheCacheIsRead() throws IOException {
        Domain first = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        List<Path> files;
        try (var s = Files.list(tmp.resolve("cache/images"))) {
            files = s.sorted().toList();
        }
        assertThat(files).hasSize(2);
        assertThat(files.get(1).getFileName().toString()).startsWith("birds-train-8px-").endsWith(".bin");
        // Replace the training cache with black images: the next load must come from it.
        Split t = first.train();
        ImageSet.write(files.get(1), new ImageSet.Decoded(new Split(new byte[t.pixels().length], t.labels(), 8, 8, 3),
                List.of()));
        Domain cached = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        assertThat(cached.train().pixels()).containsOnly((byte) 0);
        // A damaged cache file is ignored and rebuilt.
        truncate(files.get(1), 40);
        Domain rebuilt = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        assertThat(rebuilt.fingerprint()).isEqualTo(first.fingerprint());
        // cache: false leaves no file behind.
        Domain uncached = source.load(desc("cache: false\n"), new LoadOptions(16, 0, 0, false));
        assertThat(uncached.train().height()).isEqualTo(16);
        try (var s = Files.list(tmp.resolve("cache/images"))) {
            assertThat(s.count()).isEqualTo(2);
        }
    }

    @Test
    void aCacheFileWhoseHeaderIsDamagedIsRebuiltNotAllocated() throws IOException {
        Domain first = source.load(desc(""), new LoadOptions(8, 0, 0, false));
        Path train;
        try (var s = Files.list(tmp.resolve("cache/images"))) {
            train = s.filter(p -> p.getFileName().toString().startsWith("birds-train-")).findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(train);
        // the image count (after the 8-byte magic), then the count of bad images (after 4 more ints),
        // then the length of a bad image's message: each damaged to a huge value
        for (int at : new int[] {8, 24}) {
            byte[] b = good.clone();
            b[at] = (byte) 0x7F;
            b[at + 1] = (byte) 0xFF;
            b[at + 2] = (byte) 0xFF;
            b[at + 3] = (byte) 0xF0;
            Files.write(train, b);
            Domain rebuilt = source.load(desc(""), new LoadOptions(8, 0, 0, false));
            assertThat(rebuilt.fingerprint()).isEqualTo(first.fingerprint());
        }
        ImageSet.write(train, new ImageSet.Decoded(first.train(), List.of("x.png: is empty")));
        byte[] b = Files.readAllBytes(train);
        b[28] = (byte) 0x7F;
        Files.write(train, b);
        assertThat(ImageSet.read(train, 8, 3)).isNull();
    }

    @Test
    void badImagesAreAllNamedSkippedWhenAllowedAndFatalOtherwise() throws IOException {
        Path trunc = writeImage(root.resolve("train/ant/big.jpg"), image(5, 64, 64));
        truncate(trunc, (int) Files.size(trunc) - 300);
        Path headerOnly = root.resolve("train/ant/img2.jpg");
        truncate(headerOnly, (int) Files.size(headerOnly) / 2);
        Path html = root.resolve("train/bee/page.png");
        notAnImage(html);
        Path empty = root.resolve("val/cat/empty.JPG");
        Files.write(empty, new byte[0]);
        Path truncPng = root.resolve("val/bee/img0.png");
        truncate(truncPng, 60);
        String m1 = trunc + ": is truncated or corrupt (Truncated File - Missing EOI marker); replace or remove it";
        String m0 = headerOnly + ": cannot be decoded (Invalid JPEG file structure: missing SOS marker); replace or"
                + " remove it";
        String m2 = html + ": is not a JPEG, PNG, BMP, GIF or TIFF image (it starts with bytes 3C 21 44 4F); replace or remove it";
        String m3 = truncPng + ": cannot be decoded (Error reading PNG image data: Unexpected end of ZLIB input"
                + " stream); replace or remove it";
        String m4 = empty + ": is empty (0 bytes); replace or remove it";
        assertThat(source.check(desc(""))).containsExactly(m1, m0, m2, m3, m4);

        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, true));
        assertThat(d.skipped()).isEqualTo(5);
        assertThat(d.train().size()).isEqualTo(8);
        assertThat(d.test().size()).isEqualTo(5);

        assertThatThrownBy(() -> source.load(desc(""), new LoadOptions(8, 0, 0, false)))
                .isInstanceOf(DatasetException.class)
                .hasMessage("5 images cannot be decoded, the first: " + m1 + " ('da3 datasets check birds' lists them"
                        + " all)");
    }

    @Test
    void anImageFileOfGigabytesIsNamedNotAnOutOfMemoryErrorOfTheWholeDecoding() throws IOException {
        // before: "decoding images failed: java.lang.OutOfMemoryError", naming no file
        Path huge = root.resolve("train/bee/scan.tif");
        org.da3.workbench.test.DatasetFixtures.sparseFile(huge, new byte[0], 3L << 30);
        String m = huge + ": is 3221225472 bytes, larger than an image file the workbench reads (2147483631); replace"
                + " or remove it";
        assertThat(source.check(desc(""))).containsExactly(m);
        Domain d = source.load(desc(""), new LoadOptions(8, 0, 0, true));
        assertThat(d.skipped()).isEqualTo(1);
        assertThat(d.train().size()).isEqualTo(9);
    }

    @Test
    void emptyClassFoldersAndDifferentClassSetsAreReported() throws IOException {
        Files.createDirectories(root.resolve("train/dog"));
        Files.writeString(root.resolve("train/dog/notes.txt"), "todo");
        Files.createDirectories(root.resolve("val/eel"));
        writeImage(root.resolve("val/eel/x.png"), image(1, 8, 8));
        writeImage(root.resolve("val/loose.png"), image(2, 8, 8));
        assertThat(source.check(desc(""))).containsExactly(
                root.resolve("train/dog") + ": empty class folder: no image files (.jpg, .jpeg, .png, .bmp, .gif,"
                        + " .tif, .tiff); it holds 1 other file, such as notes.txt; add its images or remove the folder",
                root.resolve("val") + ": holds 1 image outside class folders; put each image in the folder of its class",
                root.resolve("val") + ": lacks the class dog of train/; both splits must hold the same class folders",
                root.resolve("val") + ": has the class eel that train/ lacks; both splits must hold the same class"
                        + " folders");
        assertThatThrownBy(() -> source.load(desc(""), new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class)
                .hasMessageEndingWith("(and 3 more; 'da3 datasets check birds' lists them all)");
    }

    @Test
    void theTestFolderMustBeUnambiguous() throws IOException {
        imageFolder(root, "test", CLASSES, 1, 8);
        DatasetDescriptor d = desc("");
        assertThat(source.check(d)).containsExactly(root + ": has both val/ and test/; say which one to test on with"
                + " splits: {test: val} or {test: test} in " + d.fileName());
        assertThat(source.check(desc("splits: {test: test}\n"))).isEmpty();
        assertThat(source.load(desc("splits: {test: test}\n"), new LoadOptions(8, 0, 0, true)).test().size())
                .isEqualTo(3);
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare.resolve("pictures"));
        DatasetDescriptor b = descriptor(tmp, "bare", "kind: imagefolder\npath: bare\n");
        String layout = "an imagefolder dataset holds train/ and val/ or test/, each with one folder per class";
        assertThat(source.check(b)).containsExactly(bare + ": has no train/ folder; " + layout,
                bare + ": has neither val/ nor test/; " + layout);
    }

    @Test
    void splitsThatShareImagesOrNameNoFolderAreRefused() throws IOException {
        DatasetDescriptor same = desc("splits: {test: train}\n");
        String msg = root.resolve("train/ant/img0.png") + ": is a training image and a test image (as are all 9 test"
                + " images); test on images the network is not trained on (splits in " + same.fileName() + ")";
        assertThat(source.check(same)).containsExactly(msg);
        assertThatThrownBy(() -> source.load(same, new LoadOptions(8, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
        // a copy is another file (a duplicate in content is not checked)
        Files.copy(root.resolve("train/bee/img1.png"), root.resolve("val/bee/copy.png"));
        assertThat(source.check(desc(""))).isEmpty();
        // but a tree of links made by hand may link one file into both splits
        Path again = Files.createSymbolicLink(root.resolve("val/bee/again.png"), Path.of("../../train/bee/img1.png"));
        assertThat(source.check(desc(""))).containsExactly(again + ": is a training image and a test image; test on"
                + " images the network is not trained on (splits in " + same.fileName() + ")");
        Files.delete(again);
        Files.createDirectories(root.resolve("val/bee/nested"));
        Files.createSymbolicLink(root.resolve("val/bee/nested/up"), root.resolve("train/bee"));
        assertThat(source.check(desc(""))).singleElement().asString()
                .startsWith(root.resolve("val/bee/nested/up/img0.png") + ": is a training image and a test image (as"
                        + " are 3 of the 10 test images)");
        DatasetDescriptor empty = desc("splits: {test: ''}\n");
        assertThat(source.check(empty)).containsExactly(empty.fileName()
                + ": splits.test: is empty; give a value or remove the key");
    }

    @Test
    void aWrongFieldIsAProblemOfADatasetThatIsFoundNotAMissingOne() throws IOException {
        DatasetDescriptor d = desc("crop_fraction: 0\n");
        DatasetInfo i = source.describe(d);
        assertThat(i.found()).as("the data is there; the descriptor is wrong").isTrue();
        assertThat(i.location()).isEqualTo(root.toString());
        assertThat(i.problems()).containsExactly(d.fileName() + ": crop_fraction: 0 is out of range; use a fraction in"
                + " (0, 1] such as 0.875");
        DatasetInfo gone = source.describe(descriptor(tmp, "gone", "kind: imagefolder\npath: nowhere\ncache: 2\n"));
        assertThat(gone.found()).isFalse();
    }

    @Test
    void listedClassesMustBeTheFolders() throws IOException {
        DatasetDescriptor d = desc("classes: [cat, bee, ant]\n");
        Domain dom = source.load(d, new LoadOptions(8, 0, 0, true));
        assertThat(dom.classNames()).containsExactly("cat", "bee", "ant");
        assertThat(dom.train().labels()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
        // The first training image is cat/img0.png, image 6 of the fixture.
        assertThat(dom.train().pixels()[0] & 0xFF).isEqualTo(pixel(6, 0, 0, 0));
        DatasetDescriptor wrong = desc("classes: [ant, bee, cow]\n");
        assertThat(source.check(wrong)).containsExactly(
                wrong.fileName() + ": classes lists cow but " + root.resolve("train") + " has no such folder; the"
                        + " listed classes must be the class folders",
                wrong.fileName() + ": classes does not list cat, which " + root.resolve("train") + " holds; list every"
                        + " class folder, or leave classes out");
    }
}
