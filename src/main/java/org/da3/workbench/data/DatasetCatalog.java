package org.da3.workbench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.da3.workbench.data.files.DataPaths;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.spec.YamlNodes;

/**
 * The datasets a workspace knows: one {@code datasets/<name>.yaml} descriptor each. Reading the
 * catalog needs no DJL; a descriptor that cannot be read is kept as a problem, not thrown, so one
 * broken file does not hide the others.
 */
public final class DatasetCatalog {

    private static final Set<String> COMMON_KEYS = Set.of("name", "kind", "title", "description");

    private final Map<String, DatasetDescriptor> descriptors;
    private final Map<String, String> problems;
    /** why a dataset name has no descriptor that can be used, by that name */
    private final Map<String, String> unusable;

    private DatasetCatalog(Map<String, DatasetDescriptor> descriptors, Map<String, String> problems,
            Map<String, String> unusable) {
        this.descriptors = descriptors;
        this.problems = problems;
        this.unusable = unusable;
    }

    /**
     * Reads every {@code *.yaml} in a directory.
     *
     * <p>A name given by two descriptors (a copied file whose {@code name:} was not changed) is
     * the dataset of the file named after it, {@code datasets/NAME.yaml}, as specs promise; the
     * other is listed as a problem. When no file is named after it, or that file cannot be read,
     * none is used, so a spec never trains on whichever copy sorts first.
     *
     * @param dir the datasets directory
     * @return the catalog (empty if the directory does not exist)
     */
    public static DatasetCatalog load(Path dir) {
        Map<String, DatasetDescriptor> out = new TreeMap<>();
        Map<String, String> problems = new TreeMap<>();
        Map<String, String> unusable = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return new DatasetCatalog(out, problems, unusable);
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            for (Path p : ds) {
                files.add(p);
            }
        } catch (IOException e) {
            problems.put(dir.toString(), "cannot list the datasets directory: " + e.getMessage());
        }
        Collections.sort(files);
        Map<String, List<DatasetDescriptor>> claims = new TreeMap<>();
        for (Path p : files) {
            try {
                DatasetDescriptor d = read(p);
                claims.computeIfAbsent(d.name(), k -> new ArrayList<>()).add(d);
            } catch (SpecException e) {
                problems.put(p.toString(), e.getMessage());
                unusable.putIfAbsent(baseName(p), e.getMessage());
            }
        }
        for (Map.Entry<String, List<DatasetDescriptor>> c : claims.entrySet()) {
            String name = c.getKey();
            List<DatasetDescriptor> ds = c.getValue();
            DatasetDescriptor named = ds.stream().filter(d -> baseName(d.file()).equals(name)).findFirst()
                    .orElse(null);
            // the file named after the name, when it cannot be read, is not stood in for by another
            String brokenOwn = named == null ? unusable.get(name) : null;
            DatasetDescriptor used = brokenOwn != null ? null : ds.size() == 1 ? ds.get(0) : named;
            if (used != null) {
                out.put(name, used);
            }
            for (DatasetDescriptor d : ds) {
                if (d == used) {
                    continue;
                }
                List<String> others = new ArrayList<>();
                ds.stream().filter(o -> o != d).forEach(o -> others.add(o.fileName()));
                String why = d.fileName() + ": name: '" + name + "' is also ";
                if (brokenOwn != null) {
                    why += "the name of " + name + ".yaml, which cannot be read, so this file is not used in its"
                            + " place; fix that file, or change name: here";
                } else if (used != null) {
                    why += "given by " + used.fileName() + ", the descriptor named after it, which is the one used;"
                            + " dataset names must be unique: change name: here";
                } else {
                    why += "given by " + String.join(" and ", others) + ", and no " + name + ".yaml says which"
                            + " to use, so none is; dataset names must be unique: change name: in all but one";
                    unusable.putIfAbsent(name, why);
                }
                problems.put(d.file().toString(), why);
            }
        }
        return new DatasetCatalog(out, problems, unusable);
    }

    /** The file name without {@code .yaml} or {@code .yml}: the dataset name it defaults to. */
    private static String baseName(Path file) {
        return file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    }

    /**
     * Reads one descriptor file and checks the common fields; the kind's own fields are checked
     * by its source when the dataset is described or loaded.
     *
     * @param file the descriptor
     * @return the descriptor
     */
    public static DatasetDescriptor read(Path file) {
        return readDescriptor(file);
    }

    /**
     * Writes the descriptor of an ImageFolder dataset ({@code train/<class>/*.jpg}, {@code
     * test/<class>/...}): {@code <datasetsDir>/<name>.yaml} with {@code kind: imagefolder} and the
     * folder's absolute path. Used by the GUI's Add ImageFolder and by {@code da3 datasets add}.
     *
     * @param datasetsDir the workspace's datasets folder
     * @param name the dataset's name: letters, digits, '.', '_' or '-', at most 64
     * @param folder the dataset folder
     * @param origin who adds it, for the file's first comment (for example "the workbench GUI")
     * @return the descriptor file written
     * @throws IOException if it cannot be written
     * @throws IllegalArgumentException if the name is unusable or taken, or the folder is no folder
     */
    public static Path addImageFolder(Path datasetsDir, String name, Path folder, String origin) throws IOException {
        String n = org.da3.workbench.spec.Names.check("dataset", name);
        Path file = datasetsDir.resolve(n + ".yaml");
        if (Files.exists(file)) {
            throw new IllegalArgumentException("datasets/" + n + ".yaml already exists; choose another name");
        }
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder; give the folder that holds train/ and test/"
                    + " (one subfolder per class in each)");
        }
        if (!Files.isDirectory(dir.resolve("train"))) {
            // a descriptor for a folder that is not an ImageFolder would only list problems
            String looks = "";
            try {
                List<DatasetDescriptor> seen = org.da3.workbench.data.files.LayoutProbe.infer(dir);
                if (!seen.isEmpty() && !seen.get(0).kind().equals("imagefolder")) {
                    String kind = seen.get(0).kind();
                    looks = "; it looks like " + ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind
                            + " dataset: write datasets/" + n + ".yaml with kind: " + kind + " and path: " + dir
                            + " (docs/datasets.md)";
                }
            } catch (DatasetException e) {
                // no layout recognised: the plain message says what an ImageFolder holds
            }
            throw new IllegalArgumentException(dir + " has no train/ folder, so it is not an ImageFolder"
                    + " (train/<class>/*.jpg, test/<class>/*.jpg)" + looks + "; nothing was written");
        }
        Files.createDirectories(datasetsDir);
        org.da3.workbench.run.AtomicFiles.writeString(file, "# Added by " + origin + ": an ImageFolder layout"
                + " (train/<class>/*.jpg, test/<class>/*.jpg).\n"
                + "name: " + n + "\nkind: imagefolder\ntitle: " + quoted(dir.getFileName().toString()) + "\npath: "
                + quoted(dir.toString()) + "\n");
        return file;
    }

    /**
     * A YAML scalar that reads back as exactly this text whatever it holds (':', '#', brackets,
     * quotes, a leading '-' or '@', line breaks): single-quoted, or double-quoted with escapes where
     * it holds control characters, which single quotes would fold.
     */
    static String quoted(String text) {
        if (text.chars().noneMatch(Character::isISOControl)) {
            return "'" + text.replace("'", "''") + "'";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static DatasetDescriptor readDescriptor(Path file) {
        JsonNode root = YamlNodes.readTree(file);
        YamlNodes y = new YamlNodes(file.toString());
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String name = y.text(root, "", "name", base);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")) {
            throw new SpecException(file.toString(), "name", "'" + name
                    + "' is not a usable dataset name; use letters, digits, '.', '_', '+' or '-'");
        }
        String kind = y.requiredText(root, "", "kind");
        if (!DomainSources.kinds().contains(kind)) {
            throw new SpecException(file.toString(), "kind", "'" + kind + "' is not a source kind"
                    + org.da3.workbench.spec.Names.meant(kind, DomainSources.kinds()) + "; allowed: "
                    + String.join(", ", DomainSources.kinds()));
        }
        DatasetDescriptor d = new DatasetDescriptor(name, kind, y.text(root, "", "title", name),
                y.text(root, "", "description", ""), file, root);
        Set<String> allowed = new java.util.HashSet<>(COMMON_KEYS);
        allowed.addAll(DomainSources.forKind(kind).fieldNames());
        y.onlyKeys(root, "", allowed);
        JsonNode path = root.get("path");
        if (path != null && path.isTextual() && DataPaths.isWorkspaceRelative(path.asText().trim())) {
            // Relative to the workspace (the folder holding datasets/), fixed here so that a worker
            // started elsewhere reads the same folder. A descriptor kept elsewhere (da3 datasets check
            // FILE) has no workspace: its path is relative to its own folder, where its data sits.
            Path dir = file.toAbsolutePath().normalize().getParent();
            boolean inWorkspace = dir.getFileName() != null && dir.getFileName().toString().equals("datasets")
                    && dir.getParent() != null;
            Path relativeTo = inWorkspace ? dir.getParent() : dir;
            ((ObjectNode) root).put("path", relativeTo.resolve(path.asText().trim()).normalize().toString());
        }
        return d;
    }

    /**
     * Rebuilds a descriptor from its tree (as sent to a worker).
     *
     * @param name the dataset name
     * @param tree the descriptor's fields
     * @return the descriptor
     */
    public static DatasetDescriptor fromTree(String name, JsonNode tree) {
        YamlNodes y = new YamlNodes("datasets/" + name + ".yaml");
        String kind = y.requiredText(tree, "", "kind");
        if (!DomainSources.kinds().contains(kind)) {
            throw new SpecException("datasets/" + name + ".yaml", "kind", "'" + kind
                    + "' is not a source kind; allowed: " + String.join(", ", DomainSources.kinds()));
        }
        return new DatasetDescriptor(name, kind, y.text(tree, "", "title", name), y.text(tree, "", "description", ""),
                null, tree);
    }

    /** @return the descriptors by name, sorted */
    public Map<String, DatasetDescriptor> descriptors() {
        return Collections.unmodifiableMap(descriptors);
    }

    /** @return the names of the readable descriptors, sorted */
    public Set<String> names() {
        return Collections.unmodifiableSet(descriptors.keySet());
    }

    /**
     * Looks up a dataset.
     *
     * @param name the dataset name
     * @return the descriptor
     * @throws SpecException if there is none by that name
     */
    public DatasetDescriptor get(String name) {
        DatasetDescriptor d = descriptors.get(name);
        if (d == null) {
            throw new SpecException("datasets/", name, "no dataset of that name; known: "
                    + String.join(", ", descriptors.keySet()));
        }
        return d;
    }

    /** @return descriptor files that could not be read, with their messages */
    public Map<String, String> problems() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(problems));
    }

    /**
     * Why dataset names that a spec may give have no descriptor that can be used: the descriptor
     * file named after the name cannot be read, or several descriptors give the name and none is
     * named after it.
     *
     * @return the problem, by dataset name
     */
    public Map<String, String> unusable() {
        return Collections.unmodifiableMap(unusable);
    }

    /**
     * A spec loader that checks domains against these datasets and, for a name whose descriptor
     * cannot be used, says why instead of calling it unknown.
     *
     * @return the loader
     */
    public SpecLoader specLoader() {
        return new SpecLoader(names(), unusable);
    }
}
