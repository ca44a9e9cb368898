package org.da3.workbench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;

/**
 * Keeps exports off the runs they are made from: a table or figure written over a run's
 * events.jsonl would destroy the run's record. Shared by {@code da3 export -o} and the Results
 * view's Export menu.
 */
public final class OutputGuard {

    /** The files of a run directory that an export must never replace. */
    private static final Set<String> RUN_FILES = Set.of("events.jsonl", "spec.yaml", "manifest.json", "results.csv",
            "summary.json", org.da3.workbench.run.RemoteRun.FILE);

    private OutputGuard() {}

    /**
     * Refuses an output file that would replace part of a run: anything inside an input run
     * directory, and a run's own files (events.jsonl, spec.yaml, manifest.json, results.csv,
     * summary.json, remote.json, *.safetensors) inside any run directory.
     *
     * @param file the output file
     * @param runDirs the input run directories
     * @param prefix how the message names the file, for example {@code "-o out.md"}
     * @throws IllegalArgumentException naming the file and the run directory
     */
    public static void check(Path file, Collection<Path> runDirs, String prefix) {
        Path target = realPath(file.toAbsolutePath().normalize());
        for (Path run : runDirs) {
            Path r = run.toAbsolutePath().normalize();
            if (target.startsWith(realPath(r))) {
                throw new IllegalArgumentException(prefix + ": is inside the input run directory " + r
                        + "; a run's folder holds its record: write the output somewhere else");
            }
        }
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        if (RUN_FILES.contains(name) || name.endsWith(".safetensors")) {
            for (Path d = target.getParent(); d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("events.jsonl"))) {
                    throw new IllegalArgumentException(prefix + ": would replace a run's " + name + " (" + d
                            + " is a run directory); write the output somewhere else");
                }
            }
        }
    }

    /** The path with the symbolic links of its existing part resolved. */
    private static Path realPath(Path abs) {
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }
}
