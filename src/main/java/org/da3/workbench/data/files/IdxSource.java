package org.da3.workbench.data.files;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.data.Split;

/**
 * MNIST-style IDX files, gzip-compressed or plain: for each split a {@code PREFIX-images-idx3-ubyte}
 * and a {@code PREFIX-labels-idx1-ubyte} (or the {@code PREFIX-images.idx3-ubyte} spelling), each
 * optionally ending in {@code .gz}. Images are grayscale and stay one channel in memory.
 *
 * <pre>
 * kind: idx
 * path: /usr/share/datasets/fashion-mnist
 * splits: {train: train, test: t10k}   # file prefixes; test defaults to t10k, else test
 * classes: [T-shirt/top, Trouser, ...] # or a count; else 0..(largest label)
 * </pre>
 *
 * <p>Training and test images keep the files' order; a limit keeps the first images. Statistics are
 * computed over every training pixel at the files' resolution.
 */
public final class IdxSource extends FileSource {

    @Override
    public String kind() {
        return "idx";
    }

    @Override
    Set<String> ownFields() {
        return Set.of();
    }

    /** The four files of a dataset, any of them possibly null (missing or unusable). */
    private record Files4(IdxFile trainImages, IdxFile trainLabels, IdxFile testImages, IdxFile testLabels,
            List<String> classNames, List<String> problems) {}

    /**
     * Finds a split's file.
     *
     * @param dir the folder
     * @param prefix the split prefix
     * @param part images or labels
     * @return the file, or null
     */
    static Path find(Path dir, String prefix, String part) {
        int n = part.equals("images") ? 3 : 1;
        for (String base : new String[] {prefix + "-" + part + "-idx" + n + "-ubyte", prefix + "-" + part + ".idx" + n
                + "-ubyte"}) {
            for (String name : new String[] {base, base + ".gz"}) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String testPrefix(DatasetDescriptor d, Common c) {
        String given = splitName(d, c, "test", null);
        if (given != null) {
            return given;
        }
        return find(c.path(), "t10k", "images") == null && find(c.path(), "test", "images") != null ? "test" : "t10k";
    }

    private Files4 read(DatasetDescriptor d, Common c, boolean full) {
        List<String> problems = new ArrayList<>();
        String trainPrefix = splitName(d, c, "train", "train");
        String testPrefix = testPrefix(d, c);
        IdxFile[] f = new IdxFile[4];
        String[][] parts = {{trainPrefix, "images", "training images"}, {trainPrefix, "labels", "training labels"},
            {testPrefix, "images", "test images"}, {testPrefix, "labels", "test labels"}};
        for (int i = 0; i < 4; i++) {
            Path p = find(c.path(), parts[i][0], parts[i][1]);
            int n = parts[i][1].equals("images") ? 3 : 1;
            if (p == null) {
                problems.add(c.path() + ": has no " + parts[i][0] + "-" + parts[i][1] + "-idx" + n + "-ubyte[.gz] (the "
                        + parts[i][2] + "); an idx dataset holds PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte"
                        + " for the prefixes " + trainPrefix + " and " + testPrefix
                        + ", optionally gzipped (other prefixes: splits: {train: ..., test: ...})");
                continue;
            }
            f[i] = IdxFile.read(p, n, n == 3 && !full, problems);
        }
        if (f[0] != null && f[2] != null && f[0].file().equals(f[2].file())) {
            problems.add(f[0].file() + ": holds both the training and the test images (splits in " + d.fileName()
                    + " name the prefix " + trainPrefix + " for both); test on images the network is not trained on");
        }
        for (int s = 0; s < 2; s++) {
            IdxFile im = f[2 * s];
            IdxFile lb = f[2 * s + 1];
            if (im != null && im.count() == 0) {
                problems.add(im.file() + ": holds no images (its header gives a count of 0); the "
                        + (s == 0 ? "training" : "test") + " split needs images, download the file again or name"
                        + " another prefix in splits");
            }
            if (im != null && lb != null && im.count() != lb.count()) {
                problems.add(lb.file() + ": holds " + lb.count() + " labels but " + im.file().getFileName() + " holds "
                        + im.count() + " images; each image needs one label");
            }
        }
        if (f[0] != null && f[2] != null && (f[0].dims()[1] != f[2].dims()[1] || f[0].dims()[2] != f[2].dims()[2])) {
            problems.add(f[2].file() + ": images are " + f[2].dims()[1] + "x" + f[2].dims()[2]
                    + " but the training images are " + f[0].dims()[1] + "x" + f[0].dims()[2]
                    + "; both splits must have one size");
        }
        // Classes: listed, counted, or discovered from the labels.
        int maxLabel = -1;
        for (IdxFile lb : new IdxFile[] {f[1], f[3]}) {
            if (lb != null) {
                for (int i = 0; i < lb.count(); i++) {
                    maxLabel = Math.max(maxLabel, lb.bytes()[lb.offset() + i] & 0xFF);
                }
            }
        }
        int classes = c.classCount() > 0 ? c.classCount() : maxLabel + 1;
        List<String> names = c.classNames() != null ? c.classNames() : numbered(Math.max(0, classes));
        if (c.classCount() > 0) {
            String listed = c.classNames() != null ? "classes lists " + classes + " names" : "classes is " + classes;
            for (IdxFile lb : new IdxFile[] {f[1], f[3]}) {
                if (lb == null) {
                    continue;
                }
                int bad = 0;
                int first = -1;
                for (int i = 0; i < lb.count(); i++) {
                    if ((lb.bytes()[lb.offset() + i] & 0xFF) >= classes) {
                        if (bad++ == 0) {
                            first = i;
                        }
                    }
                }
                if (bad > 0) {
                    problems.add(lb.file() + ": " + bad + " label" + (bad == 1 ? " is" : "s are") + " outside 0.."
                            + (classes - 1) + " (" + listed + " in " + d.fileName() + "), the first "
                            + (lb.bytes()[lb.offset() + first] & 0xFF) + " at index " + first
                            + "; fix the labels or list every class");
                }
            }
        }
        if (f[1] != null && f[1].count() > 0 && classes > 0) {
            int[] perClass = new int[classes];
            for (int i = 0; i < f[1].count(); i++) {
                int l = f[1].bytes()[f[1].offset() + i] & 0xFF;
                if (l < classes) {
                    perClass[l]++;
                }
            }
            List<String> empty = new ArrayList<>();
            for (int k = 0; k < classes; k++) {
                if (perClass[k] == 0) {
                    empty.add("'" + names.get(k) + "' (" + k + ")");
                }
            }
            if (!empty.isEmpty()) {
                problems.add(f[1].file() + ": no training images for class" + (empty.size() == 1 ? " " : "es ")
                        + Texts.some(empty, 10) + "; every class needs training images");
            }
        }
        return new Files4(f[0], f[1], f[2], f[3], names, problems);
    }

    @Override
    DatasetInfo describeFolder(DatasetDescriptor d, Common c) {
        Files4 f = read(d, c, false);
        return new DatasetInfo(d.name(), kind(), c.path().toString(), true, f.classNames().size(),
                f.trainImages() == null ? -1 : f.trainImages().count(),
                f.testImages() == null ? -1 : f.testImages().count(), f.problems());
    }

    @Override
    List<String> checkFolder(DatasetDescriptor d, Common c) {
        return read(d, c, true).problems();
    }

    @Override
    Domain loadFolder(DatasetDescriptor d, Common c, LoadOptions options) {
        Files4 f = read(d, c, true);
        throwIfAny(d, f.problems());
        int size = options.imageSize();
        Split train = split(d.name() + "-train", f.trainImages(), f.trainLabels(), options.trainLimit(),
                c.preprocess(), size);
        Split test = split(d.name() + "-test", f.testImages(), f.testLabels(), options.testLimit(), c.preprocess(),
                size);
        IdxFile ti = f.trainImages();
        String fp = new DataCache.Fingerprint("stats-v1 idx").addFile(ti.file()).hex();
        float[][] stats = stats(c, fp, () -> {
            PixelStats ps = new PixelStats(1);
            ps.addPlane(ti.bytes(), ti.offset(), ti.count() * ti.itemBytes(), 0);
            return ps.result();
        });
        return new Domain(d.name(), f.classNames(), train, test, stats[0], stats[1], 0);
    }

    private static Split split(String name, IdxFile images, IdxFile labels, int limit, Preprocess pp, int size) {
        int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
        ImageSet.checkFits(name, n, size, 1);
        int rows = images.dims()[1];
        int cols = images.dims()[2];
        int in = rows * cols;
        int out = size * size;
        byte[] px = new byte[Math.multiplyExact(n, out)];
        int[] lb = new int[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            byte[] img = new byte[in];
            System.arraycopy(images.bytes(), images.offset() + i * in, img, 0, in);
            byte[] r = Resampler.square(img, cols, rows, 1, pp, size);
            System.arraycopy(r, 0, px, i * out, out);
            lb[i] = labels.bytes()[labels.offset() + i] & 0xFF;
        });
        return new Split(px, lb, size, size, 1);
    }
}
