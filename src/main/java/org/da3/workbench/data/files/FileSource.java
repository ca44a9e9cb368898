package org.da3.workbench.data.files;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSource;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.YamlNodes;

/**
 * What the file-based sources share: the common descriptor fields, the handling of a missing or
 * unreadable path, and turning collected problems into {@code check} lists or load errors.
 *
 * <p>Common fields:
 *
 * <pre>
 * path: ~/data/cub200          # the dataset folder; ~, ${VAR}, ${VAR:-default} and $VAR expanded;
 *                              # relative paths are relative to the workspace (the folder of datasets/)
 * classes: [a, b, c]           # class names in label order, or a count; discovered when absent
 * mean: [0.485, 0.456, 0.406]  # normalisation statistics (1 or 3 values each, in [0, 1]); computed
 * std: [0.229, 0.224, 0.225]   #   once from the training split and cached when absent
 * resize: crop                 # crop (shorter side, centre square) or stretch
 * crop_fraction: 1.0           # share of the shorter side kept (0.875: resize 256, crop 224)
 * cache: true                  # keep decoded images in the data cache (image kinds)
 * install: apt-get install ... # a hint shown when the path is missing
 * splits: {train: ..., test: ...}  # kind-specific names of the two splits
 * </pre>
 */
abstract class FileSource implements DomainSource {

    /** The common fields. */
    static final Set<String> COMMON = Set.of("path", "classes", "mean", "std", "resize", "crop_fraction", "cache",
            "install", "splits");

    /**
     * The parsed common fields.
     *
     * @param path the dataset folder, expanded
     * @param classNames the listed class names, or null
     * @param classCount the listed class count (the names' count when listed), or -1
     * @param stats the given {mean, std}, or null to compute
     * @param preprocess resizing
     * @param cache whether decoded images may be cached
     * @param install the install hint, or null
     * @param splits the splits mapping (possibly empty)
     */
    record Common(Path path, List<String> classNames, int classCount, float[][] stats, Preprocess preprocess,
            boolean cache, String install, JsonNode splits) {}

    /** @return the kind's own fields */
    abstract Set<String> ownFields();

    @Override
    public final Set<String> fieldNames() {
        Set<String> s = new HashSet<>(COMMON);
        s.addAll(ownFields());
        return Set.copyOf(s);
    }

    /**
     * Reads the common fields.
     *
     * @param d the descriptor
     * @param splitKeys the keys allowed under {@code splits}
     * @return the fields
     */
    static Common common(DatasetDescriptor d, Set<String> splitKeys) {
        YamlNodes y = new YamlNodes(d.fileName());
        JsonNode f = d.fields();
        String raw = y.requiredText(f, "", "path");
        Path path = DataPaths.expand(raw, d.fileName(), "path");
        List<String> names = null;
        int count = -1;
        JsonNode cn = f.get("classes");
        if (cn != null && !cn.isNull()) {
            if (cn.isIntegralNumber() || (cn.isTextual() && cn.asText().trim().matches("\\d+"))) {
                count = (int) y.integer(f, "", "classes", 0, 1, 1_000_000);
            } else {
                names = y.textList(f, "", "classes");
                Set<String> seen = new LinkedHashSet<>();
                for (int i = 0; i < names.size(); i++) {
                    String n = names.get(i);
                    if (n.isEmpty()) {
                        throw new SpecException(d.fileName(), "classes[" + i + "]", "is empty; give each class a name");
                    }
                    if (!seen.add(n)) {
                        throw new SpecException(d.fileName(), "classes[" + i + "]", "'" + n
                                + "' is listed twice; class names must be unique");
                    }
                }
                if (names.isEmpty()) {
                    throw new SpecException(d.fileName(), "classes", "is an empty list; list the class names in label"
                            + " order, give their count, or leave the field out to discover them");
                }
                count = names.size();
            }
        }
        float[][] stats = null;
        boolean hasMean = f.hasNonNull("mean");
        boolean hasStd = f.hasNonNull("std");
        if (hasMean != hasStd) {
            throw new SpecException(d.fileName(), hasMean ? "std" : "mean", "is missing; mean and std go together:"
                    + " give both, or neither to have them computed from the training split");
        }
        if (hasMean) {
            stats = new float[][] {triple(d, f.get("mean"), "mean", 0.0), triple(d, f.get("std"), "std", 1e-6)};
        }
        String mode = y.choice(f, "", "resize", "crop", List.of("crop", "stretch"));
        double frac = y.number(f, "", "crop_fraction", 1.0, 0.05, 1.0, "a fraction in (0, 1] such as 0.875");
        boolean cache = y.bool(f, "", "cache", true);
        String install = y.text(f, "", "install", null);
        JsonNode splits = y.object(f, "", "splits");
        y.onlyKeys(splits, "splits", splitKeys);
        return new Common(path, names, count, stats, new Preprocess(mode, frac), cache, install, splits);
    }

    private static float[] triple(DatasetDescriptor d, JsonNode n, String field, double min) {
        String hint = "one value or three (R, G, B) in [0, 1], such as [0.5, 0.5, 0.5]";
        YamlNodes y = new YamlNodes(d.fileName());
        List<Double> v = new ArrayList<>();
        if (n.isNumber()) {
            y.plainNumber(n, field);
            v.add(n.asDouble());
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (!e.isNumber()) {
                    throw new SpecException(d.fileName(), field, "'" + e.asText() + "' is not a number; use " + hint);
                }
                y.plainNumber(e, field + "[" + i + "]");
                v.add(e.asDouble());
            }
        } else {
            throw new SpecException(d.fileName(), field, "must be " + hint);
        }
        if (v.size() != 1 && v.size() != 3) {
            throw new SpecException(d.fileName(), field, "has " + v.size() + " values; use " + hint);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            double x = v.get(v.size() == 1 ? 0 : i);
            if (Double.isNaN(x) || x < min || x > 1) {
                throw new SpecException(d.fileName(), field, x + " is out of range; use " + hint
                        + (min > 0 ? " (std above 0)" : ""));
            }
            out[i] = (float) x;
        }
        return out;
    }

    /**
     * Reads a split's name from {@code splits}. A key without a value is refused: an empty name
     * would otherwise name the dataset folder itself.
     *
     * @param d the descriptor
     * @param c the common fields
     * @param key train or test
     * @param def the default (null: none)
     * @return the name, or the default
     */
    static String splitName(DatasetDescriptor d, Common c, String key, String def) {
        return new YamlNodes(d.fileName()).nonEmptyText(c.splits(), "splits", key, def);
    }

    /**
     * Says why a dataset folder cannot be used, or null when it can.
     *
     * @param d the descriptor
     * @param c the common fields
     * @return the problem, or null
     */
    static String folderProblem(DatasetDescriptor d, Common c) {
        Path p = c.path();
        if (!Files.exists(p)) {
            String fix = c.install() != null
                    ? "install it (" + c.install() + ") or change path in " + d.fileName()
                    : "put the dataset there or change path in " + d.fileName();
            return p + ": does not exist; " + fix;
        }
        if (!Files.isDirectory(p)) {
            return p + ": is a file, not a folder; path must name the dataset's folder";
        }
        if (!Files.isReadable(p) || !Files.isExecutable(p)) {
            return p + ": cannot be read (permission denied); make it readable to this user";
        }
        return null;
    }

    /**
     * Throws the collected problems as one error: the first, and how many more there are.
     *
     * @param d the descriptor
     * @param problems the problems
     */
    static void throwIfAny(DatasetDescriptor d, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        String more = problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more; 'da3 datasets check "
                + d.name() + "' lists them all)";
        throw new DatasetException(problems.get(0) + more);
    }

    /**
     * The normalisation statistics: as given, else from the cache, else computed and cached.
     *
     * @param c the common fields
     * @param fingerprint what they are computed from
     * @param compute computes them
     * @return {mean[3], std[3]}
     */
    static float[][] stats(Common c, String fingerprint, Supplier<float[][]> compute) {
        return c.stats() != null ? c.stats() : DataCache.statistics(fingerprint, compute);
    }

    /**
     * Class names for labels 0..count-1: listed, else from a metadata file, else the numbers.
     *
     * @param count the number of classes
     * @return "0", "1", ...
     */
    static List<String> numbered(int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Override
    public final DatasetInfo describe(DatasetDescriptor d) {
        String location = d.fields().path("path").asText("?");
        Path path = null;
        try {
            Common c = common(d, splitKeys());
            path = c.path();
            location = path.toString();
            String missing = folderProblem(d, c);
            if (missing != null) {
                return new DatasetInfo(d.name(), kind(), location, false, -1, -1, -1, List.of(missing));
            }
            return describeFolder(d, c);
        } catch (SpecException | DatasetException e) {
            if (path == null) {
                // another field is wrong: the data may well be there, and "missing" would send the
                // user looking for it instead of at the descriptor
                try {
                    path = DataPaths.expand(d.fields().path("path").asText(""), d.fileName(), "path");
                    location = path.toString();
                } catch (SpecException unusable) {
                    // the path itself is the problem, which the message says
                }
            }
            boolean found = path != null && Files.isDirectory(path);
            return new DatasetInfo(d.name(), kind(), location, found, -1, -1, -1, List.of(e.getMessage()));
        }
    }

    @Override
    public final List<String> check(DatasetDescriptor d) {
        try {
            Common c = common(d, splitKeys());
            String missing = folderProblem(d, c);
            if (missing != null) {
                return List.of(missing);
            }
            return checkFolder(d, c);
        } catch (SpecException | DatasetException e) {
            return List.of(e.getMessage());
        }
    }

    @Override
    public final Domain load(DatasetDescriptor d, LoadOptions options) {
        Common c = common(d, splitKeys());
        String missing = folderProblem(d, c);
        if (missing != null) {
            throw new DatasetException(missing);
        }
        return loadFolder(d, c, options);
    }

    /** @return the keys allowed under {@code splits} */
    Set<String> splitKeys() {
        return Set.of("train", "test");
    }

    /**
     * Describes an existing dataset folder cheaply.
     *
     * @param d the descriptor
     * @param c the common fields
     * @return sizes, classes and problems
     */
    abstract DatasetInfo describeFolder(DatasetDescriptor d, Common c);

    /**
     * Checks an existing dataset folder thoroughly.
     *
     * @param d the descriptor
     * @param c the common fields
     * @return every problem found
     */
    abstract List<String> checkFolder(DatasetDescriptor d, Common c);

    /**
     * Loads an existing dataset folder.
     *
     * @param d the descriptor
     * @param c the common fields
     * @param options size and limits
     * @return the domain
     */
    abstract Domain loadFolder(DatasetDescriptor d, Common c, LoadOptions options);
}
