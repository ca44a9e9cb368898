package org.da3.workbench.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.Workspace;

/**
 * A throwaway workspace for tests: a temporary folder with {@code datasets/} holding tiny
 * procedural domains (built-in generators, a few hundred images), {@code experiments/} and
 * {@code pretrained/}. Nothing is downloaded; everything is made by the test.
 */
public final class TestWorkspace {
    private TestWorkspace() {}

    /**
     * Creates a workspace with tiny procedural domains named {@code tiny-shapes}, {@code
     * tiny-textures}, {@code tiny-glyphs} and {@code tiny-signs}.
     *
     * @param dir an empty folder (a JUnit {@code @TempDir})
     * @param trainSize training images per domain
     * @param testSize test images per domain
     * @return the workspace
     * @throws IOException on a write error
     */
    public static Workspace create(Path dir, int trainSize, int testSize) throws IOException {
        Files.createDirectories(dir.resolve("datasets"));
        Files.createDirectories(dir.resolve("experiments"));
        Files.createDirectories(dir.resolve("pretrained"));
        int seed = 1;
        for (String g : new String[] {"shapes", "textures", "glyphs", "signs"}) {
            Files.writeString(dir.resolve("datasets/tiny-" + g + ".yaml"),
                    "kind: procedural\ngenerator: " + g + "\ntrain_size: " + trainSize + "\ntest_size: " + testSize
                            + "\nseed: " + (seed++) + "\n");
        }
        return new Workspace(dir);
    }

    /**
     * A small spec over the tiny domains: ResNet-26 at width 8, 16 px images, one epoch.
     *
     * @param name the experiment name
     * @param methods the methods, as a YAML flow list body, for example {@code "linear, finetune"}
     * @param domains the domains, for example {@code "tiny-shapes, tiny-textures"}
     * @return the YAML text
     */
    public static String tinySpec(String name, String methods, String domains) {
        return "name: " + name + "\n"
                + "domains: [" + domains + "]\n"
                + "methods: [" + methods + "]\n"
                + "backbone: {name: resnet26, width: 8}\n"
                + "training: {epochs: 1, batch_size: 16, learning_rate: 0.05, image_size: 16, seed: 7,"
                + " eval_batch_size: 64, log_every: 5, threads: 1}\n";
    }

    /**
     * Makes a finished run look like one cut off by a crash after its first domain: its events end
     * with that domain's {@code checkpoint_saved}, and the patches of the later domains are gone.
     *
     * @param runDir the run folder
     * @param laterDomains the domains after the first, whose patches are deleted
     * @throws IOException on a read or write error
     */
    public static void cutAfterFirstDomain(Path runDir, String... laterDomains) throws IOException {
        Path events = runDir.resolve("events.jsonl");
        java.util.List<String> lines = Files.readAllLines(events);
        int cut = 0;
        while (!lines.get(cut).contains("\"type\":\"checkpoint_saved\"")) {
            cut++;
        }
        Files.write(events, lines.subList(0, cut + 1));
        for (String d : laterDomains) {
            Files.delete(runDir.resolve("patches/" + d + ".safetensors"));
        }
    }

    /**
     * Runs a planned run in a local worker and kills the worker (SIGKILL, as a crash would) as soon
     * as its first epoch checkpoint of a domain arrives: the run's folder then holds that
     * checkpoint, the patches of the domains before, and events ending in the monitor's error and
     * failed run_finished. (The worker keeps training while the event travels; a domain's epochs
     * should take long enough that it is killed before its next checkpoint.)
     *
     * @param runner the runner of the workspace
     * @param run the run (epochs 2 or more)
     * @param domain the domain to stop in
     * @return the stopped run's record
     * @throws IOException if the run cannot be started or read
     */
    public static org.da3.workbench.report.RunRecord killedAfterEpochCheckpoint(
            org.da3.workbench.run.ExperimentRunner runner, org.da3.workbench.run.PlannedRun run, String domain)
            throws IOException {
        long[] pid = {-1};
        try (org.da3.workbench.run.Target t = new org.da3.workbench.run.LocalTarget(java.util.List.of("-Xmx1g"),
                java.util.Map.of())) {
            return runner.execute(run, t, new org.da3.workbench.run.RunMonitor(), e -> {
                if (e.event() instanceof org.da3.workbench.run.event.RunStarted s) {
                    pid[0] = ((Number) s.manifest().get("pid")).longValue();
                }
                if (e.event() instanceof org.da3.workbench.run.event.EpochCheckpointSaved c
                        && c.domain().equals(domain)) {
                    ProcessHandle.of(pid[0]).ifPresent(ProcessHandle::destroyForcibly);
                }
            });
        }
    }

    /**
     * The project folder (where pom.xml is), for tests that read committed files.
     *
     * @return the folder
     */
    public static Path projectDir() {
        String p = System.getProperty("da3.projectDir");
        return p == null ? Path.of("").toAbsolutePath() : Path.of(p);
    }
}
