package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.TargetProvider;
import org.da3.workbench.ui.WorkspaceTargetProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GUI's launcher runs real workers on the local target: {@code concurrent_runs} of them at a
 * time, with the target opened once for the whole launch.
 */
class TargetPoolLauncherTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void runsConcurrentRunsAtATimeOnOneOpenedTarget(int slots) throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Files.writeString(ws.experimentsDir().resolve("targets.yaml"),
                "targets:\n  local: {kind: local, concurrent_runs: " + slots + "}\n");
        Path specFile = Files.writeString(ws.experimentsDir().resolve("pool.yaml"),
                TestWorkspace.tinySpec("pool", "linear, finetune", "tiny-shapes"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        AtomicInteger opened = new AtomicInteger();
        TargetProvider real = new WorkspaceTargetProvider(ws);
        TargetProvider counting = new TargetProvider() {
            @Override
            public List<String> names() {
                return real.names();
            }

            @Override
            public Target open(String name) throws IOException {
                opened.incrementAndGet();
                return real.open(name);
            }
        };
        TargetPoolLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(ws), counting);
        Map<String, long[]> times = new ConcurrentHashMap<>(); // label -> {started, finished}
        Map<String, String> errors = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        try {
            List<RunJob> jobs = launcher.plan(spec);
            assertThat(jobs).extracting(RunJob::label).hasSize(2);
            launcher.submit(jobs, new RunLauncher.Listener() {
                @Override
                public void started(RunJob job) {
                    times.put(job.label(), new long[] {System.nanoTime(), 0});
                }

                @Override
                public void event(RunJob job, Envelope event) {}

                @Override
                public void log(RunJob job, String line) {}

                @Override
                public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                    times.get(job.label())[1] = System.nanoTime();
                    if (error != null || record == null) {
                        errors.put(job.label(), String.valueOf(error));
                    }
                    done.countDown();
                }
            });
            assertThat(done.await(5, TimeUnit.MINUTES)).as("both runs ended").isTrue();
        } finally {
            launcher.shutdown();
        }
        assertThat(errors).isEmpty();
        assertThat(opened.get()).as("the target is opened once per launch").isEqualTo(1);
        long[] first = times.values().stream().min((a, b) -> Long.compare(a[0], b[0])).orElseThrow();
        long[] second = times.values().stream().max((a, b) -> Long.compare(a[0], b[0])).orElseThrow();
        if (slots == 1) {
            assertThat(second[0]).as("one at a time: the second starts after the first ends").isGreaterThanOrEqualTo(first[1]);
        } else {
            assertThat(second[0]).as("two at a time: the second starts while the first runs").isLessThan(first[1]);
        }
    }

    @org.junit.jupiter.api.Test
    void runsThatNeedWeightsPretrainingDidNotWriteDoNotStart() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        // a recipe the pretrainer refuses (no domain, no method): pretraining fails at once
        Files.writeString(ws.pretrainedDir().resolve("none.yaml"), "name: x\n");
        Path specFile = Files.writeString(ws.experimentsDir().resolve("pre.yaml"), TestWorkspace.tinySpec("pre",
                "linear, finetune", "tiny-shapes").replace("width: 8}", "width: 8, weights: pretrained/none.safetensors}"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        TargetPoolLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(ws), new WorkspaceTargetProvider(ws));
        Map<String, String> ended = new ConcurrentHashMap<>();
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        try {
            List<RunJob> jobs = launcher.plan(spec);
            assertThat(jobs).hasSize(3);
            launcher.submit(jobs, new RunLauncher.Listener() {
                @Override
                public void started(RunJob job) {
                    started.add(job.label());
                }

                @Override
                public void event(RunJob job, Envelope event) {}

                @Override
                public void log(RunJob job, String line) {}

                @Override
                public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                    ended.put(job.label(), String.valueOf(error));
                    done.countDown();
                }
            });
            assertThat(done.await(2, TimeUnit.MINUTES)).as("all three jobs ended").isTrue();
        } finally {
            launcher.shutdown();
        }
        assertThat(started).containsExactly("pretrain none.safetensors");
        assertThat(ended.get("pretrain none.safetensors")).contains("domains");
        assertThat(ended).hasSize(3);
        ended.forEach((label, error) -> {
            if (!label.startsWith("pretrain")) {
                assertThat(error).isEqualTo("not started: pretraining none.safetensors did not finish (see its error"
                        + " above)");
            }
        });
        assertThat(ws.runsDir("pre")).doesNotExist();
    }
}
