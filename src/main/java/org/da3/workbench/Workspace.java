package org.da3.workbench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.data.DatasetCatalog;

/**
 * The folder a user works in: {@code datasets/} (descriptors), {@code experiments/} (specs, runs,
 * targets.yaml) and {@code pretrained/} (backbone checkpoints and their recipes).
 *
 * <p>Found from a spec file by walking up to the first folder with a {@code datasets/} folder, else
 * from the working directory; {@code DA3_HOME} overrides both.
 *
 * @param root the workspace folder
 */
public record Workspace(Path root) {

    /** Normalises the root. */
    public Workspace {
        root = root.toAbsolutePath().normalize();
    }

    /**
     * Finds the workspace for a file (or the working directory when {@code start} is null).
     *
     * @param start a spec file or folder inside the workspace, or null
     * @return the workspace
     */
    public static Workspace locate(Path start) {
        String home = System.getenv("DA3_HOME");
        if (home != null && !home.isBlank()) {
            if (!Files.isDirectory(Path.of(home))) {
                throw new IllegalArgumentException("DA3_HOME=" + home + ": no such folder; set it to the workspace"
                        + " folder (the one that holds datasets/ and experiments/), or unset it");
            }
            return new Workspace(Path.of(home));
        }
        for (Path p : new Path[] {start, Path.of("")}) {
            if (p == null) {
                continue;
            }
            Path dir = p.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                dir = dir.getParent();
            }
            while (dir != null) {
                if (Files.isDirectory(dir.resolve("datasets"))) {
                    return new Workspace(dir);
                }
                dir = dir.getParent();
            }
        }
        return new Workspace(Path.of(""));
    }

    /** @return the datasets folder */
    public Path datasetsDir() {
        return root.resolve("datasets");
    }

    /** @return the experiments folder */
    public Path experimentsDir() {
        return root.resolve("experiments");
    }

    /** @return the pretrained checkpoints folder */
    public Path pretrainedDir() {
        return root.resolve("pretrained");
    }

    /**
     * Resolves a path from a spec: absolute as is, {@code ~} expanded, else relative to the root.
     *
     * @param p the path as written
     * @return the absolute path
     */
    public Path resolve(String p) {
        if (p.startsWith("~/") || p.equals("~")) {
            return Path.of(System.getProperty("user.home") + p.substring(1));
        }
        Path path = Path.of(p);
        return path.isAbsolute() ? path : root.resolve(path).normalize();
    }

    /** @return the dataset catalog of this workspace */
    public DatasetCatalog datasets() {
        return DatasetCatalog.load(datasetsDir());
    }

    /**
     * The folder holding an experiment's runs.
     *
     * @param experiment the experiment name
     * @return experiments/NAME/runs
     */
    public Path runsDir(String experiment) {
        return experimentsDir().resolve(experiment).resolve("runs");
    }
}
