package org.da3.workbench.data.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
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
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.YamlNodes;

/**
 * CIFAR-10 and CIFAR-100, binary version (not the Python pickles): fixed-size records of label
 * bytes followed by 32x32 pixels as three planes (R, G, B).
 *
 * <ul>
 *   <li>CIFAR-10 ({@code cifar-10-batches-bin/}): {@code data_batch_1.bin} .. {@code
 *       data_batch_5.bin} and {@code test_batch.bin}, records of 1 label byte + 3072 pixel bytes;
 *       class names in {@code batches.meta.txt}.
 *   <li>CIFAR-100 ({@code cifar-100-binary/}): {@code train.bin} and {@code test.bin}, records of 2
 *       label bytes (coarse, fine) + 3072; names in {@code fine_label_names.txt} and {@code
 *       coarse_label_names.txt}.
 * </ul>
 *
 * <pre>
 * kind: cifar
 * path: ~/data/cifar-100-binary
 * variant: cifar100        # cifar10 or cifar100; recognised from the files when absent
 * labels: fine             # fine (100 classes) or coarse (20), CIFAR-100 only
 * splits: {train: [train.bin], test: [test.bin]}   # other file names, if any
 * </pre>
 *
 * <p>A limit keeps the first records in file order. Statistics cover every training pixel.
 */
public final class CifarSource extends FileSource {

    private static final int PIXELS = 32 * 32 * 3;

    @Override
    public String kind() {
        return "cifar";
    }

    @Override
    Set<String> ownFields() {
        return Set.of("variant", "labels");
    }

    /** The resolved layout of a CIFAR folder. */
    private record Layout(boolean hundred, boolean coarse, List<Path> train, List<Path> test, int classes,
            List<String> classNames, List<String> problems) {

        int labelBytes() {
            return hundred ? 2 : 1;
        }

        int recordBytes() {
            return labelBytes() + PIXELS;
        }

        String variantName() {
            return hundred ? "CIFAR-100" : "CIFAR-10";
        }

        int labelOffset() {
            return hundred && !coarse ? 1 : 0;
        }
    }

    /**
     * Recognises the variant from the files in a folder.
     *
     * @param dir the folder
     * @return cifar10, cifar100, or null
     */
    static String detect(Path dir) {
        if (Files.exists(dir.resolve("data_batch_1.bin")) || Files.exists(dir.resolve("test_batch.bin"))) {
            return "cifar10";
        }
        if (Files.exists(dir.resolve("train.bin")) || Files.exists(dir.resolve("test.bin"))) {
            return "cifar100";
        }
        return null;
    }

    private Layout layout(DatasetDescriptor d, Common c) {
        YamlNodes y = new YamlNodes(d.fileName());
        List<String> problems = new ArrayList<>();
        String variant = y.choice(d.fields(), "", "variant", null, List.of("cifar10", "cifar100"));
        Path dir = c.path();
        if (variant == null) {
            variant = detect(dir);
        }
        if (variant == null) {
            String why;
            if (Files.exists(dir.resolve("data_batch_1")) || Files.exists(dir.resolve("meta"))) {
                why = " holds the Python (pickle) version of CIFAR; the workbench reads the binary version: download"
                        + " cifar-10-binary.tar.gz or cifar-100-binary.tar.gz and point path at its folder";
            } else if (Files.isDirectory(dir.resolve("cifar-10-batches-bin"))) {
                why = " holds cifar-10-batches-bin/; point path at that folder";
            } else if (Files.isDirectory(dir.resolve("cifar-100-binary"))) {
                why = " holds cifar-100-binary/; point path at that folder";
            } else {
                why = " has no CIFAR binary files: expected data_batch_1.bin .. data_batch_5.bin and test_batch.bin"
                        + " (CIFAR-10) or train.bin and test.bin (CIFAR-100)";
            }
            throw new org.da3.workbench.data.DatasetException(dir + ":" + why);
        }
        boolean hundred = variant.equals("cifar100");
        String labels = y.choice(d.fields(), "", "labels", "fine", List.of("fine", "coarse"));
        if (!hundred && d.fields().hasNonNull("labels")) {
            throw new SpecException(d.fileName(), "labels", "applies to CIFAR-100 only (fine or coarse); remove it");
        }
        boolean coarse = hundred && labels.equals("coarse");
        List<String> trainNames = y.textList(c.splits(), "splits", "train");
        List<String> testNames = y.textList(c.splits(), "splits", "test");
        if (trainNames.isEmpty()) {
            trainNames = hundred ? List.of("train.bin")
                    : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                            "data_batch_5.bin");
        }
        if (testNames.isEmpty()) {
            testNames = List.of(hundred ? "test.bin" : "test_batch.bin");
        }
        String expected = hundred ? "CIFAR-100 (binary) needs train.bin and test.bin"
                : "CIFAR-10 (binary) needs data_batch_1.bin .. data_batch_5.bin and test_batch.bin";
        List<Path> train = files(dir, trainNames, expected, problems);
        List<Path> test = files(dir, testNames, expected, problems);
        for (Path f : test) {
            if (train.stream().anyMatch(t -> t.normalize().equals(f.normalize()))) {
                problems.add(f.normalize() + ": is both a training and a test file (splits in " + d.fileName()
                        + "); test on images the network is not trained on");
            }
        }
        int classes = hundred ? (coarse ? 20 : 100) : 10;
        String kindName = (hundred ? "CIFAR-100" : "CIFAR-10") + (hundred ? (coarse ? " (coarse)" : " (fine)") : "");
        if (c.classCount() > 0 && c.classCount() != classes) {
            throw new SpecException(d.fileName(), "classes", (c.classNames() != null ? "lists " + c.classCount()
                    + " names" : "is " + c.classCount()) + " but " + kindName + " has " + classes + " classes");
        }
        List<String> names = c.classNames();
        if (names == null) {
            Path meta = dir.resolve(hundred ? (coarse ? "coarse_label_names.txt" : "fine_label_names.txt")
                    : "batches.meta.txt");
            names = numbered(classes);
            if (Files.isRegularFile(meta)) {
                try {
                    List<String> lines = new ArrayList<>();
                    for (String l : Files.readAllLines(meta)) {
                        if (!l.isBlank()) {
                            lines.add(l.trim());
                        }
                    }
                    if (lines.size() == classes) {
                        names = lines;
                    } else {
                        problems.add(meta + ": lists " + lines.size() + " class names but " + kindName + " has "
                                + classes + "; the file is damaged (or list the names under classes: in "
                                + d.fileName() + ")");
                    }
                } catch (IOException e) {
                    problems.add(meta + ": cannot be read: " + e.getMessage());
                }
            }
        }
        return new Layout(hundred, coarse, train, test, classes, names, problems);
    }

    private static List<Path> files(Path dir, List<String> names, String expected, List<String> problems) {
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path p = dir.resolve(n);
            if (!Files.isRegularFile(p)) {
                problems.add(p + ": does not exist; " + expected);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Checks a file's length; returns its record count or -1 (problem added). */
    private static int records(Layout l, Path f, List<String> problems) {
        long size;
        try {
            size = Files.size(f);
        } catch (IOException e) {
            problems.add(f + ": cannot be read: " + e.getMessage());
            return -1;
        }
        if (!Files.isReadable(f)) {
            problems.add(f + ": cannot be read (permission denied); make it readable to this user");
            return -1;
        }
        int rec = l.recordBytes();
        if (size == 0 || size % rec != 0) {
            String alt = "";
            if (size > 0 && size % (l.hundred() ? PIXELS + 1 : PIXELS + 2) == 0) {
                alt = "; its length fits " + (l.hundred() ? "CIFAR-10" : "CIFAR-100")
                        + " records: set variant: " + (l.hundred() ? "cifar10" : "cifar100") + " or fix the file names";
            }
            problems.add(f + ": " + size + " bytes is not a whole number of " + rec + "-byte records ("
                    + l.labelBytes() + " label byte" + (l.labelBytes() == 1 ? "" : "s") + " + 32x32x3 pixels, "
                    + l.variantName() + " binary version); the file is truncated or not " + l.variantName() + alt);
            return -1;
        }
        if (size / rec > Integer.MAX_VALUE / PIXELS) {
            problems.add(f + ": too large (" + size + " bytes) to hold in memory");
            return -1;
        }
        return (int) (size / rec);
    }

    private static byte[] readAll(Path f, List<String> problems) {
        try {
            return Files.readAllBytes(f);
        } catch (AccessDeniedException e) {
            problems.add(f + ": cannot be read (permission denied); make it readable to this user");
        } catch (IOException e) {
            problems.add(f + ": cannot be read: " + e.getMessage());
        }
        return null;
    }

    /** Adds a problem if any label of a file is out of range. */
    private static void checkLabels(Layout l, Path f, byte[] b, List<String> problems) {
        int rec = l.recordBytes();
        int n = b.length / rec;
        int bad = 0;
        int first = -1;
        int firstValue = -1;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < l.labelBytes(); k++) {
                int v = b[i * rec + k] & 0xFF;
                int max = l.hundred() && k == 0 ? 20 : l.hundred() ? 100 : 10;
                if (v >= max) {
                    if (bad++ == 0) {
                        first = i;
                        firstValue = v;
                    }
                    break;
                }
            }
        }
        if (bad > 0) {
            String range = l.hundred() ? "coarse labels 0..19 and fine labels 0..99" : "labels 0..9";
            problems.add(f + ": " + Texts.count(bad, "record") + " with labels outside " + range + " ("
                    + l.variantName() + "), the first " + firstValue + " in record " + first
                    + "; the file is corrupt or not " + l.variantName());
        }
    }

    @Override
    DatasetInfo describeFolder(DatasetDescriptor d, Common c) {
        Layout l = layout(d, c);
        List<String> problems = new ArrayList<>(l.problems());
        int train = count(l, l.train(), problems);
        int test = count(l, l.test(), problems);
        return new DatasetInfo(d.name(), kind(), c.path().toString(), true, l.classes(), train, test, problems);
    }

    private static int count(Layout l, List<Path> files, List<String> problems) {
        int n = 0;
        for (Path f : files) {
            int r = records(l, f, problems);
            if (r < 0) {
                return -1;
            }
            n += r;
        }
        return files.isEmpty() ? -1 : n;
    }

    @Override
    List<String> checkFolder(DatasetDescriptor d, Common c) {
        Layout l = layout(d, c);
        List<String> problems = new ArrayList<>(l.problems());
        int[] perClass = new int[l.classes()];
        for (List<Path> files : List.of(l.train(), l.test())) {
            for (Path f : files) {
                if (records(l, f, problems) < 0) {
                    continue;
                }
                byte[] b = readAll(f, problems);
                if (b != null) {
                    checkLabels(l, f, b, problems);
                    if (files == l.train()) {
                        for (int i = 0; i < b.length / l.recordBytes(); i++) {
                            int v = b[i * l.recordBytes() + l.labelOffset()] & 0xFF;
                            if (v < perClass.length) {
                                perClass[v]++;
                            }
                        }
                    }
                }
            }
        }
        if (problems.isEmpty()) {
            List<String> empty = new ArrayList<>();
            for (int k = 0; k < perClass.length; k++) {
                if (perClass[k] == 0) {
                    empty.add("'" + l.classNames().get(k) + "' (" + k + ")");
                }
            }
            if (!empty.isEmpty()) {
                problems.add(c.path() + ": no training images for class" + (empty.size() == 1 ? " " : "es ")
                        + Texts.some(empty, 10) + "; every class needs training images");
            }
        }
        return problems;
    }

    @Override
    Domain loadFolder(DatasetDescriptor d, Common c, LoadOptions options) {
        Layout l = layout(d, c);
        List<String> problems = new ArrayList<>(l.problems());
        for (List<Path> files : List.of(l.train(), l.test())) {
            for (Path f : files) {
                records(l, f, problems);
            }
        }
        throwIfAny(d, problems);
        Split train = split(d.name() + "-train", l, l.train(), options.trainLimit(), c.preprocess(),
                options.imageSize(), problems);
        throwIfAny(d, problems);
        Split test = split(d.name() + "-test", l, l.test(), options.testLimit(), c.preprocess(), options.imageSize(),
                problems);
        throwIfAny(d, problems);
        DataCache.Fingerprint fp = new DataCache.Fingerprint("stats-v1 cifar");
        l.train().forEach(fp::addFile);
        float[][] stats = stats(c, fp.hex(), () -> {
            PixelStats ps = new PixelStats(3);
            List<String> p = new ArrayList<>();
            for (Path f : l.train()) {
                byte[] b = readAll(f, p);
                throwIfAny(d, p);
                for (int o = 0; o + l.recordBytes() <= b.length; o += l.recordBytes()) {
                    for (int k = 0; k < 3; k++) {
                        ps.addPlane(b, o + l.labelBytes() + k * 1024, 1024, k);
                    }
                }
            }
            return ps.result();
        });
        return new Domain(d.name(), l.classNames(), train, test, stats[0], stats[1], 0);
    }

    private static Split split(String name, Layout l, List<Path> files, int limit, Preprocess pp, int size,
            List<String> problems) {
        int rec = l.recordBytes();
        long total = 0;
        for (Path f : files) {
            total += records(l, f, problems);
        }
        if (!problems.isEmpty()) {
            return null;
        }
        long wanted = limit > 0 ? Math.min(limit, total) : total;
        ImageSet.checkFits(name, wanted, size, 3);
        int count = (int) wanted;
        int bytes = size * size * 3;
        byte[] px = new byte[Math.multiplyExact(count, bytes)];
        int[] lb = new int[count];
        int done = 0;
        for (Path f : files) {
            if (done >= count) {
                break;
            }
            byte[] b = readAll(f, problems);
            if (b == null) {
                return null;
            }
            checkLabels(l, f, b, problems);
            if (!problems.isEmpty()) {
                return null;
            }
            int n = Math.min(b.length / rec, count - done);
            int start = done;
            IntStream.range(0, n).parallel().forEach(i -> {
                byte[] hwc = new byte[PIXELS];
                int base = i * rec + l.labelBytes();
                for (int p = 0; p < 1024; p++) {
                    hwc[p * 3] = b[base + p];
                    hwc[p * 3 + 1] = b[base + 1024 + p];
                    hwc[p * 3 + 2] = b[base + 2048 + p];
                }
                byte[] img = size == 32 && pp.cropFraction() == 1.0 ? hwc : Resampler.square(hwc, 32, 32, 3, pp, size);
                System.arraycopy(img, 0, px, (start + i) * bytes, bytes);
                lb[start + i] = b[i * rec + l.labelOffset()] & 0xFF;
            });
            done += n;
        }
        return new Split(px, lb, size, size, 3);
    }
}
