package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pretraining stopped by a signal to the {@code da3} process alone (a kill, a timeout, a closed
 * session) stops its worker and records the run as cancelled, and writes no weights.
 */
class PretrainInterruptTest {
    @TempDir
    Path dir;

    @Test
    void aKilledPretrainStopsItsWorkerAndRecordsTheRunAsCancelled() throws Exception {
        TestWorkspace.create(dir, 64, 16);
        Path recipe = Files.writeString(dir.resolve("pretrained/p.yaml"), "name: p\ndomains: [tiny-shapes]\n"
                + "methods: [finetune]\nbackbone: {name: resnet26, width: 8}\n"
                + "training: {epochs: 200, batch_size: 16, image_size: 16, log_every: 1, threads: 1}\n");
        Path log = dir.resolve("pretrain.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Da3.class.getName(), "pretrain", recipe.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<ProcessHandle> workers = List.of();
        Path events = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && p.isAlive()) {
                events = findEvents(dir.resolve("experiments/p/runs"));
                if (events != null && Files.readString(events).contains("\"type\":\"progress\"")) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(events).as("the worker trains: %s", Files.readString(log)).isNotNull();
            workers = p.descendants().toList();
            assertThat(workers).as("a worker JVM").isNotEmpty();
            p.destroy(); // SIGTERM to da3 alone, not to its worker
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        for (ProcessHandle w : workers) {
            w.onExit().get(30, TimeUnit.SECONDS);
            assertThat(w.isAlive()).as("the worker is stopped, not left training").isFalse();
        }
        List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"run_finished\"").contains("\"status\":\"cancelled\"");
        assertThat(Files.readString(log)).contains("Pretraining interrupted: " + recipe.resolveSibling("p.safetensors")
                + " was not written");
        assertThat(recipe.resolveSibling("p.safetensors")).doesNotExist();
    }

    private static Path findEvents(Path runs) throws java.io.IOException {
        if (!Files.isDirectory(runs)) {
            return null;
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.map(d -> d.resolve("events.jsonl")).filter(Files::isRegularFile).findFirst().orElse(null);
        }
    }
}
