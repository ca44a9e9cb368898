package org.da3.workbench.data.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.spec.YamlNodes;

/**
 * Recognises a dataset layout from a path, for {@code da3 datasets check PATH}: a descriptor file
 * is read as it is; a folder becomes an in-memory descriptor of the kind its files show (a
 * Decathlon folder gives one per task).
 */
public final class LayoutProbe {

    /** What the layouts look like, for the message when none is recognised. */
    public static final String ACCEPTED = "accepted layouts: idx (train-images-idx3-ubyte[.gz],"
            + " train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]); cifar"
            + " (data_batch_1.bin .. data_batch_5.bin and test_batch.bin, or train.bin and test.bin); imagefolder"
            + " (train/CLASS/*.jpg|png and val/ or test/ likewise); decathlon (annotations/TASK_train.json,"
            + " annotations/TASK_val.json and the images they name); or a datasets/*.yaml descriptor";

    private LayoutProbe() {}

    /**
     * Builds the descriptors a path stands for.
     *
     * @param path a descriptor file or a dataset folder
     * @return one descriptor, or one per Decathlon task
     * @throws DatasetException if the path is missing or no layout is recognised
     */
    public static List<DatasetDescriptor> infer(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new DatasetException(p + ": does not exist; give a dataset name (see 'da3 datasets list'), a"
                    + " dataset folder or a descriptor file");
        }
        if (Files.isRegularFile(p)) {
            String n = p.getFileName().toString();
            if (n.endsWith(".yaml") || n.endsWith(".yml")) {
                return List.of(DatasetCatalog.read(p));
            }
            if (n.contains("idx3-ubyte") || n.contains("idx1-ubyte") || n.endsWith(".bin")) {
                p = p.getParent();
            } else {
                throw new DatasetException(p + ": is a file of no known dataset layout; give its folder; " + ACCEPTED);
            }
        }
        String name = p.getFileName() == null ? "dataset" : p.getFileName().toString()
                .replaceAll("[^A-Za-z0-9._+-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        if (name.isEmpty()) {
            name = "dataset";
        }
        if (hasIdx(p)) {
            return List.of(descriptor(name, "idx", p, null));
        }
        if (CifarSource.detect(p) != null || Files.exists(p.resolve("data_batch_1"))
                || Files.isDirectory(p.resolve("cifar-10-batches-bin")) || Files.isDirectory(p.resolve("cifar-100-binary"))) {
            return List.of(descriptor(name, "cifar", p, null));
        }
        List<String> tasks = DecathlonSource.tasks(p);
        if (!tasks.isEmpty()) {
            List<DatasetDescriptor> out = new ArrayList<>();
            for (String t : tasks) {
                out.add(descriptor(t.replaceAll("[^A-Za-z0-9._+-]", "-"), "decathlon", p, t));
            }
            return out;
        }
        if (Files.isDirectory(p.resolve("train"))) {
            return List.of(descriptor(name, "imagefolder", p, null));
        }
        throw new DatasetException(p + ": no dataset layout recognised; " + ACCEPTED);
    }

    private static boolean hasIdx(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*-images{-idx3-ubyte,.idx3-ubyte}{,.gz}")) {
            return ds.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    private static DatasetDescriptor descriptor(String name, String kind, Path dir, String task) {
        ObjectNode o = YamlNodes.YAML.createObjectNode();
        o.put("name", name);
        o.put("kind", kind);
        o.put("path", dir.toString());
        if (task != null) {
            o.put("task", task);
        }
        if (kind.equals("idx") && IdxSource.find(dir, "train", "images") == null) {
            // Other prefixes: the first images file gives the training prefix when it is the only one.
            List<String> prefixes = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*-images{-idx3-ubyte,.idx3-ubyte}{,.gz}")) {
                for (Path f : ds) {
                    prefixes.add(f.getFileName().toString().replaceFirst("-images[-.]idx3-ubyte(\\.gz)?$", ""));
                }
            } catch (IOException e) {
                // Reported by the check.
            }
            prefixes.sort(null);
            if (prefixes.size() == 2) {
                boolean firstIsTest = prefixes.get(0).contains("t10k") || prefixes.get(0).contains("test");
                o.putObject("splits").put("train", prefixes.get(firstIsTest ? 1 : 0))
                        .put("test", prefixes.get(firstIsTest ? 0 : 1));
            }
        }
        return DatasetCatalog.fromTree(name, o);
    }
}
