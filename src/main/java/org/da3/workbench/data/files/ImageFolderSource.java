package org.da3.workbench.data.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.data.Split;
import org.da3.workbench.spec.YamlNodes;

/**
 * The ImageFolder layout (torchvision's, and the one Piggyback and TinyTL use for CUB-200,
 * Stanford Cars, Flowers-102, WikiArt and Sketch): a training folder and a test folder, each with
 * one folder per class holding that class's images ({@code .jpg}, {@code .jpeg}, {@code .png},
 * {@code .bmp}, {@code .gif}, {@code .tif}, {@code .tiff}, in any case; subfolders of a class folder are searched too, symbolic links followed; hidden files are
 * ignored).
 *
 * <pre>
 * kind: imagefolder
 * path: ~/data/cub200
 * splits: {train: train, test: test}   # test defaults to val/ or test/, whichever exists
 * classes: [...]                       # optional: must name exactly the training folders
 * color: rgb                           # rgb, or gray for one channel (sketches, scans)
 * </pre>
 *
 * <p>Classes are the training folders in name order (as torchvision numbers them) unless listed;
 * the test folder must hold the same classes. A limit picks a class-balanced subset. Decoded
 * splits are cached (see {@link ImageSet}); statistics are computed from the decoded training
 * images and cached.
 */
public final class ImageFolderSource extends FileSource {

    @Override
    public String kind() {
        return "imagefolder";
    }

    @Override
    Set<String> ownFields() {
        return Set.of("color");
    }

    /**
     * One split folder: its class folders in name order, their images, and each image's identity
     * (its file key where the file system has one, else its path), so that two links to one file
     * are known as one file.
     */
    private record Folder(Path dir, TreeMap<String, List<ImageSet.Entry>> classes, int loose,
            TreeMap<String, List<String>> others, Map<Path, Object> identities) {}

    /** Both splits, the class order and the problems of the listing. */
    private record Listing(Folder train, Folder test, List<String> classNames, List<ImageSet.Entry> trainEntries,
            List<ImageSet.Entry> testEntries, List<String> problems) {}

    /**
     * Which test folder a dataset folder uses when none is named.
     *
     * @param dir the dataset folder
     * @return val or test, or null when neither or both exist
     */
    static String defaultTest(Path dir) {
        boolean val = Files.isDirectory(dir.resolve("val"));
        boolean test = Files.isDirectory(dir.resolve("test"));
        return val == test ? null : val ? "val" : "test";
    }

    private static Folder list(Path dir, List<String> problems) {
        TreeMap<String, List<ImageSet.Entry>> classes = new TreeMap<>();
        TreeMap<String, List<String>> others = new TreeMap<>();
        Map<Path, Object> identities = new HashMap<>();
        int loose = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    classes.put(n, new ArrayList<>());
                    others.put(n, new ArrayList<>());
                } else if (ImageDecoder.isImageName(n)) {
                    loose++;
                } else if (!Files.exists(p)) {
                    // a class folder linked from elsewhere whose target is gone: its class would vanish silently
                    problems.add(ImageDecoder.brokenLink(p));
                }
            }
        } catch (IOException e) {
            problems.add(dir + ": cannot be listed (" + e.getMessage() + "); make it readable to this user");
            return new Folder(dir, classes, 0, others, identities);
        }
        for (String cls : classes.keySet()) {
            Path cdir = dir.resolve(cls);
            List<ImageSet.Entry> files = classes.get(cls);
            List<String> other = others.get(cls);
            try {
                Files.walkFileTree(cdir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                        new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                        return d.equals(cdir) || !d.getFileName().toString().startsWith(".")
                                ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                        String n = f.getFileName().toString();
                        if (n.startsWith(".")) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (a.isSymbolicLink()) {
                            // links are followed, so these are the link's own attributes: its target is gone.
                            // An image is listed to fail decoding (named by check, skipped and counted in
                            // training); a link to a folder would lose part of the class silently.
                            if (ImageDecoder.isImageName(n)) {
                                files.add(new ImageSet.Entry(f, -1, -1, -1));
                            } else {
                                problems.add(ImageDecoder.brokenLink(f));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                        if (!a.isRegularFile()) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (ImageDecoder.isImageName(n)) {
                            files.add(new ImageSet.Entry(f, -1, a.size(), a.lastModifiedTime().toMillis()));
                            if (a.fileKey() != null) {
                                identities.put(f, a.fileKey());
                            }
                        } else {
                            other.add(n);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException e) {
                        problems.add(e instanceof FileSystemLoopException
                                ? f + ": is a symbolic link to a folder that holds it (a loop); remove the link"
                                : f + ": cannot be listed (" + e.getMessage() + "); make it readable to this user");
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                problems.add(cdir + ": cannot be listed (" + e.getMessage() + ")");
            }
            files.sort((a, b) -> a.file().toString().compareTo(b.file().toString()));
            Collections.sort(other);
        }
        return new Folder(dir, classes, loose, others, identities);
    }

    private Listing listing(DatasetDescriptor d, Common c) {
        List<String> problems = new ArrayList<>();
        Path root = c.path();
        String trainName = splitName(d, c, "train", "train");
        String testName = splitName(d, c, "test", null);
        String layout = "an imagefolder dataset holds train/ and val/ or test/, each with one folder per class";
        Path trainDir = root.resolve(trainName);
        if (!Files.isDirectory(trainDir)) {
            problems.add(root + ": has no " + trainName + "/ folder; " + layout);
        }
        if (testName == null) {
            testName = defaultTest(root);
            if (testName == null) {
                boolean both = Files.isDirectory(root.resolve("val"));
                problems.add(root + ": " + (both ? "has both val/ and test/; say which one to test on with"
                        + " splits: {test: val} or {test: test} in " + d.fileName()
                        : "has neither val/ nor test/; " + layout));
            }
        } else if (!Files.isDirectory(root.resolve(testName))) {
            problems.add(root + ": has no " + testName + "/ folder (splits.test in " + d.fileName() + ")");
            testName = null;
        }
        Folder train = Files.isDirectory(trainDir) ? list(trainDir, problems) : null;
        Folder test = testName != null ? list(root.resolve(testName), problems) : null;
        for (Folder f : new Folder[] {train, test}) {
            if (f == null) {
                continue;
            }
            if (f.classes().isEmpty()) {
                problems.add(f.dir() + ": has no class folders; " + layout);
            }
            if (f.loose() > 0) {
                problems.add(f.dir() + ": holds " + Texts.count(f.loose(), "image")
                        + " outside class folders; put each image in the folder of its class");
            }
            for (var e : f.classes().entrySet()) {
                if (e.getValue().isEmpty()) {
                    List<String> other = f.others().get(e.getKey());
                    problems.add(f.dir().resolve(e.getKey()) + ": empty class folder: no image files ("
                            + String.join(", ", ImageDecoder.EXTENSIONS) + ")"
                            + (other.isEmpty() ? "" : "; it holds " + Texts.count(other.size(), "other file")
                                    + ", such as " + other.get(0))
                            + "; add its images or remove the folder");
                }
            }
        }
        if (train != null && test != null) {
            Set<String> missing = new LinkedHashSet<>(train.classes().keySet());
            missing.removeAll(test.classes().keySet());
            Set<String> extra = new LinkedHashSet<>(test.classes().keySet());
            extra.removeAll(train.classes().keySet());
            if (!missing.isEmpty()) {
                problems.add(test.dir() + ": lacks the class" + (missing.size() == 1 ? " " : "es ")
                        + Texts.some(new ArrayList<>(missing), 10) + " of " + trainName
                        + "/; both splits must hold the same class folders");
            }
            if (!extra.isEmpty()) {
                problems.add(test.dir() + ": has the class" + (extra.size() == 1 ? " " : "es ")
                        + Texts.some(new ArrayList<>(extra), 10) + " that " + trainName
                        + "/ lacks; both splits must hold the same class folders");
            }
        }
        List<String> names = train == null ? List.of() : new ArrayList<>(train.classes().keySet());
        if (c.classNames() != null && train != null) {
            Set<String> notFolders = new LinkedHashSet<>(c.classNames());
            notFolders.removeAll(train.classes().keySet());
            Set<String> notListed = new LinkedHashSet<>(train.classes().keySet());
            notListed.removeAll(c.classNames());
            if (!notFolders.isEmpty()) {
                problems.add(d.fileName() + ": classes lists " + Texts.some(new ArrayList<>(notFolders), 10)
                        + " but " + train.dir() + " has no such folder; the listed classes must be the class folders");
            }
            if (!notListed.isEmpty()) {
                problems.add(d.fileName() + ": classes does not list " + Texts.some(new ArrayList<>(notListed), 10)
                        + ", which " + train.dir() + " holds; list every class folder, or leave classes out");
            }
            names = c.classNames();
        } else if (c.classCount() > 0 && c.classCount() != names.size() && train != null) {
            problems.add(d.fileName() + ": classes is " + c.classCount() + " but " + train.dir() + " holds "
                    + Texts.count(names.size(), "class folder"));
        }
        List<ImageSet.Entry> trainEntries = entries(train, names);
        List<ImageSet.Entry> testEntries = entries(test, names);
        Map<Path, Object> identities = new HashMap<>();
        for (Folder f : new Folder[] {train, test}) {
            if (f != null) {
                identities.putAll(f.identities());
            }
        }
        String overlap = ImageSet.overlap(trainEntries, testEntries,
                e -> identities.getOrDefault(e.file(), e.file().toAbsolutePath().normalize()),
                "splits in " + d.fileName());
        if (overlap != null) {
            problems.add(overlap);
        }
        return new Listing(train, test, names, trainEntries, testEntries, problems);
    }

    private static List<ImageSet.Entry> entries(Folder f, List<String> names) {
        List<ImageSet.Entry> out = new ArrayList<>();
        if (f == null) {
            return out;
        }
        for (int k = 0; k < names.size(); k++) {
            for (ImageSet.Entry e : f.classes().getOrDefault(names.get(k), List.of())) {
                out.add(new ImageSet.Entry(e.file(), k, e.size(), e.mtime()));
            }
        }
        return out;
    }

    private static boolean gray(DatasetDescriptor d) {
        return new YamlNodes(d.fileName()).choice(d.fields(), "", "color", "rgb", List.of("rgb", "gray")).equals("gray");
    }

    @Override
    DatasetInfo describeFolder(DatasetDescriptor d, Common c) {
        gray(d);
        Listing l = listing(d, c);
        return new DatasetInfo(d.name(), kind(), c.path().toString(), true, l.classNames().size(),
                l.train() == null ? -1 : l.trainEntries().size(), l.test() == null ? -1 : l.testEntries().size(),
                l.problems());
    }

    @Override
    List<String> checkFolder(DatasetDescriptor d, Common c) {
        gray(d);
        Listing l = listing(d, c);
        List<String> problems = new ArrayList<>(l.problems());
        List<ImageSet.Entry> all = new ArrayList<>(l.trainEntries());
        all.addAll(l.testEntries());
        problems.addAll(ImageSet.verify(all));
        return problems;
    }

    @Override
    Domain loadFolder(DatasetDescriptor d, Common c, LoadOptions options) {
        boolean gray = gray(d);
        Listing l = listing(d, c);
        throwIfAny(d, l.problems());
        return load(d, c, options, gray, l.classNames(), l.trainEntries(), l.testEntries());
    }

    /**
     * Decodes both splits of an image dataset and builds the domain (shared with the Decathlon).
     *
     * @param d the descriptor
     * @param c the common fields
     * @param options size, limits, whether to skip bad images
     * @param gray one channel
     * @param classNames the classes
     * @param trainEntries the training images
     * @param testEntries the test images
     * @return the domain
     */
    static Domain load(DatasetDescriptor d, Common c, LoadOptions options, boolean gray, List<String> classNames,
            List<ImageSet.Entry> trainEntries, List<ImageSet.Entry> testEntries) {
        int size = options.imageSize();
        ImageSet.Decoded train = ImageSet.decode(d.name() + "-train", ImageSet.select(trainEntries,
                options.trainLimit()), size, c.preprocess(), gray, c.cache());
        ImageSet.Decoded test = ImageSet.decode(d.name() + "-test", ImageSet.select(testEntries,
                options.testLimit()), size, c.preprocess(), gray, c.cache());
        List<String> bad = new ArrayList<>(train.bad());
        bad.addAll(test.bad());
        if (!bad.isEmpty() && !options.skipBadImages()) {
            throw new DatasetException(Texts.count(bad.size(), "image") + " cannot be decoded, the first: "
                    + bad.get(0) + " ('da3 datasets check " + d.name() + "' lists them all)");
        }
        if (train.split().size() == 0 || test.split().size() == 0) {
            throw new DatasetException(d.name() + ": no " + (train.split().size() == 0 ? "training" : "test")
                    + " image could be decoded, the first failure: " + (bad.isEmpty() ? "none" : bad.get(0)));
        }
        Split tr = train.split();
        DataCache.Fingerprint fp = new DataCache.Fingerprint("stats-v1 images").add(size + "/" + c.preprocess().key()
                + "/" + gray);
        for (ImageSet.Entry e : ImageSet.select(trainEntries, options.trainLimit())) {
            fp.addFile(e.file(), e.size(), e.mtime());
        }
        float[][] stats = stats(c, fp.hex(), () -> {
            PixelStats ps = new PixelStats(tr.channels());
            ps.addInterleaved(tr.pixels(), 0, tr.pixels().length);
            return ps.result();
        });
        return new Domain(d.name(), classNames, tr, test.split(), stats[0], stats[1], bad.size());
    }
}
