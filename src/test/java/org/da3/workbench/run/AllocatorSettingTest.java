package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.da3.workbench.cli.Da3;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code training.allocator} reaches the real worker process: {@code exact} starts it with glibc's
 * mmap threshold at 128 KiB (freed tensors leave at once), {@code reuse} without one, as each
 * run's manifest records.
 */
class AllocatorSettingTest {
    @TempDir
    Path dir;

    @Test
    void eachRunsWorkerStartsWithItsAllocatorSetting() throws Exception {
        TestWorkspace.create(dir, 16, 16);
        for (String allocator : List.of("exact", "reuse")) {
            Path spec = dir.resolve("experiments/" + allocator + ".yaml");
            Files.writeString(spec, TestWorkspace.tinySpec(allocator, "linear", "tiny-shapes")
                    .replace("threads: 1}", "threads: 1, allocator: " + allocator + "}"));
            assertThat(Da3.commandLine().execute("run", "--quiet", spec.toString())).isZero();
        }
        assertThat(manifest("exact")).containsEntry("malloc_mmap_threshold", "131072").containsEntry("malloc_arena_max", "2");
        Map<String, Object> reuse = manifest("reuse");
        assertThat(reuse.get("malloc_mmap_threshold")).isNull();
        assertThat(reuse).containsEntry("malloc_arena_max", "2");
    }

    private Map<String, Object> manifest(String experiment) throws Exception {
        Path runs = dir.resolve("experiments/" + experiment + "/runs");
        try (Stream<Path> s = Files.list(runs)) {
            Path run = s.findFirst().orElseThrow();
            for (Envelope e : EventLog.read(run.resolve("events.jsonl"))) {
                if (e.event() instanceof RunStarted r) {
                    assertThat(((Map<?, ?>) r.spec().get("training")).get("allocator")).isEqualTo(experiment);
                    return r.manifest();
                }
            }
        }
        throw new AssertionError("no run_started in " + runs);
    }
}
