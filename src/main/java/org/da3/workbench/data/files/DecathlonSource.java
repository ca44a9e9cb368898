package org.da3.workbench.data.files;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.spec.YamlNodes;

/**
 * One task of the Visual Decathlon (Rebuffi, Bilen and Vedaldi, 2017), read as its devkit lays it
 * out. Our reading of that layout:
 *
 * <pre>
 * decathlon-1.0/                      &lt;- path
 *   annotations/aircraft_train.json   &lt;- COCO-style: images, annotations, categories
 *   annotations/aircraft_val.json
 *   annotations/aircraft_test_stripped.json   (no labels: the challenge's hidden test set)
 *   data/aircraft/train/...jpg        &lt;- images[].file_name is relative to path ("data/aircraft/...")
 * </pre>
 *
 * <p>Each annotation file lists {@code images} ({@code id}, {@code file_name}), {@code annotations}
 * (one per image: {@code image_id}, {@code category_id}) and {@code categories} ({@code id},
 * {@code name}). Classes are the categories in id order (the devkit numbers them from a per-task
 * offset; label = index in that order). As the test annotations carry no labels,
 * the test split defaults to {@code val}, as papers report.
 *
 * <pre>
 * kind: decathlon
 * path: ~/data/decathlon-1.0
 * task: aircraft               # the annotation files' prefix
 * splits: {train: train, test: val}   # annotations/TASK_SPLIT.json, or a .json path
 * image_root: .                # where file_name is resolved, relative to path (default: path)
 * color: rgb                   # or gray (omniglot)
 * </pre>
 */
public final class DecathlonSource extends FileSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    @Override
    public String kind() {
        return "decathlon";
    }

    @Override
    Set<String> ownFields() {
        return Set.of("task", "image_root", "color");
    }

    /**
     * The tasks whose training annotations lie in a Decathlon folder.
     *
     * @param root the folder holding annotations/
     * @return the task names, sorted
     */
    static List<String> tasks(Path root) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("annotations"), "*_train.json")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                out.add(n.substring(0, n.length() - "_train.json".length()));
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** One parsed annotation file. */
    private record Annotations(Path file, TreeMap<Long, String> categories, List<Long> imageIds,
            Map<Long, String> fileNames, Map<Long, Long> categoryOf) {}

    /** Both splits resolved. */
    private record Task(List<String> classNames, List<ImageSet.Entry> train, List<ImageSet.Entry> test,
            List<String> problems) {}

    private static Path annotationFile(Path root, String task, String split) {
        return split.endsWith(".json") ? root.resolve(split) : root.resolve("annotations").resolve(task + "_" + split
                + ".json");
    }

    /** Parses a COCO-style file by streaming (an ImageNet file is large), adding problems. */
    private static Annotations parse(Path f, List<String> problems) {
        TreeMap<Long, String> categories = new TreeMap<>();
        List<Long> ids = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> categoryOf = new HashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        int before = problems.size();
        try (JsonParser p = FACTORY.createParser(f.toFile())) {
            p.setCodec(JSON);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problems.add(f + ": is not a COCO-style annotation file (the top level must be an object with images,"
                        + " annotations and categories)");
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken t = p.nextToken();
                if (!Set.of("images", "annotations", "categories").contains(field)) {
                    p.skipChildren();
                    continue;
                }
                seen.add(field);
                if (t != JsonToken.START_ARRAY) {
                    problems.add(f + ": " + field + " must be a list");
                    p.skipChildren();
                    continue;
                }
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    JsonNode n = p.readValueAsTree();
                    String where = f + ": " + field + "[" + i + "]";
                    i++;
                    if (field.equals("images")) {
                        Long id = id(n, "id");
                        String fn = n.path("file_name").asText(null);
                        if (id == null || fn == null || fn.isBlank()) {
                            problems.add(where + " needs a whole-number id and a file_name");
                        } else if (names.put(id, fn) != null) {
                            problems.add(where + " repeats the image id " + id + "; image ids must be unique");
                        } else {
                            ids.add(id);
                        }
                    } else if (field.equals("categories")) {
                        Long id = id(n, "id");
                        if (id == null) {
                            problems.add(where + " needs a whole-number id");
                        } else if (categories.put(id, n.path("name").asText(Long.toString(id))) != null) {
                            problems.add(where + " repeats the category id " + id);
                        }
                    } else {
                        Long img = id(n, "image_id");
                        Long cat = id(n, "category_id");
                        if (img == null || cat == null) {
                            problems.add(where + " needs a whole-number image_id and category_id");
                        } else {
                            Long old = categoryOf.put(img, cat);
                            if (old != null && !old.equals(cat)) {
                                problems.add(where + " gives image " + img + " a second category (" + cat + " after "
                                        + old + "); each image needs exactly one");
                            }
                        }
                    }
                }
            }
        } catch (AccessDeniedException e) {
            problems.add(f + ": cannot be read (permission denied); make it readable to this user");
            return null;
        } catch (JsonProcessingException e) {
            problems.add(f + ": is not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
            return null;
        } catch (IOException e) {
            problems.add(f + ": cannot be read: " + e.getMessage());
            return null;
        }
        for (String need : List.of("images", "annotations", "categories")) {
            if (!seen.contains(need)) {
                problems.add(f + ": has no " + need + " list; a COCO-style annotation file needs images, annotations"
                        + " and categories");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new Annotations(f, categories, ids, names, categoryOf);
    }

    private static Long id(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.canConvertToLong() && v.isIntegralNumber() ? v.asLong() : null;
    }

    private Task task(DatasetDescriptor d, Common c, boolean stat) {
        YamlNodes y = new YamlNodes(d.fileName());
        String task = y.requiredText(d.fields(), "", "task");
        String imageRoot = y.text(d.fields(), "", "image_root", ".");
        Path images = c.path().resolve(imageRoot).normalize();
        List<String> problems = new ArrayList<>();
        String[] splits = {splitName(d, c, "train", "train"), splitName(d, c, "test", "val")};
        Annotations[] a = new Annotations[2];
        for (int s = 0; s < 2; s++) {
            Path f = annotationFile(c.path(), task, splits[s]);
            if (!Files.isRegularFile(f)) {
                List<String> known = tasks(c.path());
                problems.add(f + ": does not exist; a Decathlon folder holds annotations/TASK_train.json and"
                        + " TASK_val.json" + (known.isEmpty() ? " (none found under " + c.path() + ")"
                        : " (tasks found: " + String.join(", ", known) + ")"));
                continue;
            }
            a[s] = parse(f, problems);
            if (a[s] != null && a[s].imageIds().isEmpty()) {
                problems.add(f + ": lists no images; the " + (s == 0 ? "training" : "test") + " split needs images"
                        + " (splits in " + d.fileName() + " names the annotation files)");
                a[s] = null;
            } else if (a[s] != null && a[s].categoryOf().isEmpty()) {
                problems.add(f + ": has no annotations, so its images have no labels (the Decathlon's test"
                        + " annotations are stripped); test on val instead: splits: {test: val}");
                a[s] = null;
            }
        }
        List<String> classNames = new ArrayList<>();
        List<List<ImageSet.Entry>> entries = List.of(new ArrayList<>(), new ArrayList<>());
        if (a[0] != null && a[1] != null && !a[0].categories().equals(a[1].categories())) {
            problems.add(a[1].file() + ": its categories differ from " + a[0].file().getFileName() + " ("
                    + a[1].categories().size() + " against " + a[0].categories().size()
                    + "); both splits must use the same categories");
        }
        for (int s = 0; s < 2; s++) {
            if (a[s] == null) {
                continue;
            }
            Map<Long, Integer> index = new LinkedHashMap<>();
            TreeMap<Long, String> cats = a[0] != null ? a[0].categories() : a[s].categories();
            for (Long id : cats.keySet()) {
                index.put(id, index.size());
            }
            if (classNames.isEmpty()) {
                classNames.addAll(cats.values());
            }
            List<Long> unlabeled = new ArrayList<>();
            int unknownCat = 0;
            long firstUnknown = 0;
            for (Long id : a[s].imageIds()) {
                Long cat = a[s].categoryOf().get(id);
                if (cat == null) {
                    unlabeled.add(id);
                    continue;
                }
                Integer label = index.get(cat);
                if (label == null) {
                    if (unknownCat++ == 0) {
                        firstUnknown = cat;
                    }
                    continue;
                }
                Path file = images.resolve(a[s].fileNames().get(id)).normalize();
                long size = -1;
                long mtime = -1;
                try {
                    if (!stat) {
                        throw new IOException("not needed");
                    }
                    BasicFileAttributes at = Files.readAttributes(file, BasicFileAttributes.class);
                    size = at.size();
                    mtime = at.lastModifiedTime().toMillis();
                } catch (IOException e) {
                    // Not needed (listings), or missing: a missing image fails when decoded and is named there.
                }
                entries.get(s).add(new ImageSet.Entry(file, label, size, mtime));
            }
            Set<Long> known = new java.util.HashSet<>(a[s].imageIds());
            long orphans = a[s].categoryOf().keySet().stream().filter(i -> !known.contains(i)).count();
            if (orphans > 0) {
                problems.add(a[s].file() + ": " + Texts.count(orphans, "annotation") + (orphans == 1 ? " refers" : " refer") + " to image ids that"
                        + " images does not list; the file is damaged");
            }
            if (!unlabeled.isEmpty()) {
                problems.add(a[s].file() + ": " + Texts.count(unlabeled.size(), "image") + (unlabeled.size() == 1 ? " has" : " have") + " no annotation,"
                        + " the first id " + unlabeled.get(0) + " (" + a[s].fileNames().get(unlabeled.get(0))
                        + "); every image needs one category");
            }
            if (unknownCat > 0) {
                problems.add(a[s].file() + ": " + Texts.count(unknownCat, "image") + (unknownCat == 1 ? " has" : " have") + " a category_id that"
                        + " categories does not list, the first " + firstUnknown + "; the file is damaged");
            }
        }
        String overlap = ImageSet.overlap(entries.get(0), entries.get(1), e -> e.file().toAbsolutePath().normalize(),
                "splits in " + d.fileName());
        if (overlap != null) {
            problems.add(overlap);
        }
        if (c.classNames() != null && !classNames.isEmpty() && !c.classNames().equals(classNames)) {
            problems.add(d.fileName() + ": classes differs from the categories of " + a[0].file().getFileName()
                    + "; leave classes out, the annotation files name them");
        } else if (c.classCount() > 0 && !classNames.isEmpty() && c.classCount() != classNames.size()) {
            problems.add(d.fileName() + ": classes is " + c.classCount() + " but the annotation files list "
                    + classNames.size() + " categories");
        }
        return new Task(classNames, entries.get(0), entries.get(1), problems);
    }

    private static boolean gray(DatasetDescriptor d) {
        return new YamlNodes(d.fileName()).choice(d.fields(), "", "color", "rgb", List.of("rgb", "gray")).equals("gray");
    }

    @Override
    DatasetInfo describeFolder(DatasetDescriptor d, Common c) {
        gray(d);
        Task t = task(d, c, false);
        return new DatasetInfo(d.name(), kind(), c.path().toString(), true, t.classNames().size(), t.train().size(),
                t.test().size(), t.problems());
    }

    @Override
    List<String> checkFolder(DatasetDescriptor d, Common c) {
        gray(d);
        Task t = task(d, c, false);
        List<String> problems = new ArrayList<>(t.problems());
        List<ImageSet.Entry> all = new ArrayList<>(t.train());
        all.addAll(t.test());
        problems.addAll(ImageSet.verify(all));
        return problems;
    }

    @Override
    Domain loadFolder(DatasetDescriptor d, Common c, LoadOptions options) {
        boolean gray = gray(d);
        Task t = task(d, c, true);
        throwIfAny(d, t.problems());
        return ImageFolderSource.load(d, c, options, gray, t.classNames(), t.train(), t.test());
    }
}
