package org.da3.workbench.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.da3.workbench.Workspace;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecWriter;

/**
 * One run's folder, {@code experiments/<name>/runs/<yyyyMMdd-HHmmss>-<label>-s<seed>/}:
 *
 * <ul>
 *   <li>{@code spec.yaml}: the resolved spec of this run (one method, one seed, defaults filled);
 *   <li>{@code events.jsonl}: every event, append-only;
 *   <li>{@code manifest.json}: versions, hardware, environment, dataset fingerprints;
 *   <li>{@code patches/<domain>.safetensors}: what the method trained per domain;
 *   <li>{@code checkpoints/<domain>.safetensors}: while a domain trains, its state after its last
 *       finished epoch (see {@code train.EpochCheckpoint}), removed when its patch is saved;
 *   <li>{@code results.csv}: accuracy per domain after each domain, and the run's costs;
 *   <li>{@code worker.log}: the worker's log (stderr).
 * </ul>
 *
 * @param dir the folder
 * @param runId its name, which is also the run id in events
 */
public record RunDirectory(Path dir, String runId) {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /**
     * Creates a new run folder with its spec.yaml. Nothing is created before the spec is valid:
     * callers validate first.
     *
     * @param ws the workspace
     * @param runSpec the spec of this run (one method, one seed)
     * @return the run directory
     * @throws IOException if the folder cannot be made
     */
    public static RunDirectory create(Workspace ws, ExperimentSpec runSpec) throws IOException {
        MethodSpec m = runSpec.methods().get(0);
        String base = STAMP.format(LocalDateTime.now()) + "-" + safe(m.displayLabel()) + "-s" + runSpec.training().seed();
        Path runs = ws.runsDir(runSpec.name());
        Files.createDirectories(runs);
        for (int i = 0; ; i++) {
            String id = i == 0 ? base : base + "-" + i;
            Path dir = runs.resolve(id);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            RunDirectory rd = new RunDirectory(dir, id);
            AtomicFiles.writeString(rd.specFile(), SpecWriter.toYaml(runSpec, true));
            Files.createDirectories(rd.patchesDir());
            return rd;
        }
    }

    /**
     * Opens an existing run folder.
     *
     * @param dir the folder
     * @return the run directory
     */
    public static RunDirectory open(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        return new RunDirectory(d, d.getFileName().toString());
    }

    /**
     * Whether a file a run recorded (a saved patch, an epoch checkpoint) is still what its event
     * said, by SHA-256.
     *
     * @param file the file
     * @param sha256 the SHA-256 its event recorded
     * @return null when it is, else what is wrong, in words ("is missing", "has changed since ...")
     * @throws IOException if the file cannot be read
     */
    public static String changedSince(Path file, String sha256) throws IOException {
        if (!Files.isRegularFile(file)) {
            return "is missing";
        }
        return sha256.equalsIgnoreCase(WorkerJar.sha256(file)) ? null
                : "has changed since it was written (its SHA-256 is no longer " + sha256 + ")";
    }

    /**
     * A name safe for file systems and shells: letters, digits, '.', '_', '+', '-' and '='; option
     * brackets become dashes ({@code da3[rho=0.5,gates=false]} becomes {@code
     * da3-rho=0.5-gates=false}).
     *
     * @param s any label
     * @return the safe form
     */
    public static String safe(String s) {
        String t = s.replace('[', '-').replace(",", "-").replace("]", "");
        return t.replaceAll("[^A-Za-z0-9._+=-]", "_");
    }

    /** @return spec.yaml */
    public Path specFile() {
        return dir.resolve("spec.yaml");
    }

    /** @return events.jsonl */
    public Path eventsFile() {
        return dir.resolve("events.jsonl");
    }

    /** @return manifest.json */
    public Path manifestFile() {
        return dir.resolve("manifest.json");
    }

    /** @return results.csv */
    public Path resultsFile() {
        return dir.resolve("results.csv");
    }

    /** @return worker.log */
    public Path workerLog() {
        return dir.resolve("worker.log");
    }

    /** @return the patches folder */
    public Path patchesDir() {
        return dir.resolve("patches");
    }

    /**
     * The patch file of a domain.
     *
     * @param domain the domain name
     * @return patches/DOMAIN.safetensors
     */
    public Path patchFile(String domain) {
        return patchesDir().resolve(safe(domain) + ".safetensors");
    }

    /** @return the folder of epoch checkpoints */
    public Path checkpointsDir() {
        return dir.resolve("checkpoints");
    }

    /**
     * The epoch checkpoint file of a domain.
     *
     * @param domain the domain name
     * @return checkpoints/DOMAIN.safetensors
     */
    public Path checkpointFile(String domain) {
        return checkpointsDir().resolve(safe(domain) + ".safetensors");
    }
}
