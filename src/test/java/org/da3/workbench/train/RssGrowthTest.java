package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.da3.workbench.cli.Da3;
import org.da3.workbench.memory.CudaMemory;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker trains a tiny network for several epochs; its resident memory, sampled during
 * training, must not grow from the second epoch to the last. A leak of a few kilobytes per step
 * shows up here as megabytes.
 */
class RssGrowthTest {
    @TempDir
    Path dir;

    @Test
    void residentMemoryDoesNotGrowAcrossEpochs() throws IOException {
        TestWorkspace.create(dir, 256, 32);
        Path spec = dir.resolve("experiments/leak.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("leak", "da3, finetune", "tiny-textures")
                .replace("epochs: 1", "epochs: 6").replace("log_every: 5", "log_every: 4"));
        assertThat(Da3.commandLine().execute("run", "--quiet", spec.toString())).isEqualTo(0);
        List<Path> runs;
        try (Stream<Path> s = Files.list(dir.resolve("experiments/leak/runs"))) {
            runs = s.sorted().toList();
        }
        assertThat(runs).hasSize(2);
        for (Path run : runs) {
            List<Envelope> events = EventLog.read(run.resolve("events.jsonl"));
            int epoch = 0;
            List<long[]> samples = new ArrayList<>(); // {epoch, rss}
            java.util.Set<String> sources = new java.util.TreeSet<>();
            for (Envelope e : events) {
                if (e.event() instanceof Progress) {
                    epoch = ((Progress) e.event()).epoch();
                } else if (e.event() instanceof MemorySample m) {
                    sources.add(m.source());
                    if (m.phase().equals("train") && m.source().equals("rss")) {
                        samples.add(new long[] {epoch, m.currentBytes()});
                    }
                }
            }
            // a worker on a CPU engine reads no device memory; on a GPU it adds cuda readings
            assertThat(sources).as("memory sources of %s", run.getFileName())
                    .isEqualTo(onGpu() ? java.util.Set.of("cuda", "rss") : java.util.Set.of("rss"));
            long second = samples.stream().filter(s -> s[0] == 2).mapToLong(s -> s[1]).max().orElseThrow();
            long last = samples.stream().filter(s -> s[0] == 6).mapToLong(s -> s[1]).max().orElseThrow();
            assertThat(last - second).as("RSS growth from epoch 2 to 6 in %s (bytes)", run.getFileName())
                    .isLessThan(4_000_000L);
        }
    }

    /** Whether this machine's engine trains on a GPU, as the worker's does. */
    private static boolean onGpu() {
        EngineSupport.start(0);
        return CudaMemory.ofEngine().isPresent();
    }
}
