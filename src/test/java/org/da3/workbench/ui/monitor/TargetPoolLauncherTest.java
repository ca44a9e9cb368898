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
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
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

    /**
     * Launch with "Skip completed runs": a method and seed whose earlier run completed with the
     * same resolved spec shows as completed with that run and goes to Results; only the rest runs.
     */
    @org.junit.jupiter.api.Test
    void skipCompletedLeavesOutWhatCompletedWithTheSameSpec() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Path specFile = Files.writeString(ws.experimentsDir().resolve("pool.yaml"),
                TestWorkspace.tinySpec("pool", "linear, finetune", "tiny-shapes"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        org.da3.workbench.run.PlannedRun linear = ExperimentRunner.plan(spec).get(0);
        // an earlier completed linear run of this very spec, and a failed finetune one
        org.da3.workbench.run.RunDirectory done = org.da3.workbench.run.RunDirectory.create(ws, linear.spec());
        writeEvents(done.dir(), "linear", "completed");
        writeEvents(org.da3.workbench.run.RunDirectory.create(ws, ExperimentRunner.plan(spec).get(1).spec()).dir(),
                "finetune", "failed");
        List<RunJob> submitted = new java.util.ArrayList<>();
        RunLauncher recording = recording(ws, submitted);
        org.da3.workbench.ui.task.CurrentThreadTaskExecutor executor = new org.da3.workbench.ui.task.CurrentThreadTaskExecutor();
        MonitorViewModel vm = new MonitorViewModel(executor, recording);
        List<Path> toResults = new java.util.ArrayList<>();
        vm.setOnRunsFinished(toResults::addAll);
        try {
            int[] skipped = {-1};
            vm.launch(spec, true, n -> skipped[0] = n);
            assertThat(skipped[0]).isEqualTo(1);
            executor.tick();
            assertThat(submitted).extracting(RunJob::label).containsExactly("finetune s7");
            assertThat(vm.runs()).extracting(RunItem::label).containsExactly("linear s7", "finetune s7");
            assertThat(vm.runs()).extracting(RunItem::getStatus).containsExactly(RunStatus.COMPLETED, RunStatus.QUEUED);
            assertThat(toResults).containsExactly(done.dir());
            assertThat(vm.runs().get(0).trace().pointCount(RunTrace.Chart.ACCURACY)).as("the earlier run's curves")
                    .isPositive();

            // a changed spec matches nothing
            ExperimentSpec other = new SpecLoader(ws.datasets().names()).parse("pool.yaml",
                    TestWorkspace.tinySpec("pool", "linear", "tiny-shapes").replace("epochs: 1", "epochs: 2"));
            submitted.clear();
            vm.launch(other, true, n -> skipped[0] = n);
            assertThat(skipped[0]).isZero();
            assertThat(submitted).extracting(RunJob::label).containsExactly("linear s7");
        } finally {
            recording.shutdown();
        }
    }

    /**
     * The same box resumes a run that stopped part-way: the job submitted picks up from it, with the
     * domain whose patch it saved intact.
     */
    @org.junit.jupiter.api.Test
    void resumeSubmitsAStoppedRunToPickUpFromTheDomainsItFinished() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Path specFile = Files.writeString(ws.experimentsDir().resolve("pool.yaml"),
                TestWorkspace.tinySpec("pool", "linear", "tiny-shapes, tiny-glyphs"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        org.da3.workbench.run.RunDirectory stopped = org.da3.workbench.run.RunDirectory.create(ws,
                ExperimentRunner.plan(spec).get(0).spec());
        Path patch = Files.writeString(stopped.patchFile("tiny-shapes"), "the first domain's patch");
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        List<org.da3.workbench.run.event.Event> ev = List.of(
                new org.da3.workbench.run.event.RunStarted("pool", "linear", "linear", 7,
                        List.of("tiny-shapes", "tiny-glyphs"), Map.of(), Map.of()),
                new org.da3.workbench.run.event.CheckpointSaved("tiny-shapes", "patches/tiny-shapes.safetensors",
                        Files.size(patch), 330, org.da3.workbench.run.WorkerJar.sha256(patch)),
                new org.da3.workbench.run.event.RunFinished("failed", 2, Map.of()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ev.size(); i++) {
            sb.append(org.da3.workbench.run.event.EventCodec.encode(new Envelope(1, stopped.runId(), i, t, ev.get(i))))
                    .append('\n');
        }
        Files.writeString(stopped.eventsFile(), sb.toString());
        List<RunJob> submitted = new java.util.ArrayList<>();
        RunLauncher recording = recording(ws, submitted);
        org.da3.workbench.ui.task.CurrentThreadTaskExecutor executor =
                new org.da3.workbench.ui.task.CurrentThreadTaskExecutor();
        MonitorViewModel vm = new MonitorViewModel(executor, recording);
        try {
            vm.launch(spec, true, n -> { });
            executor.tick();
            assertThat(submitted).singleElement().satisfies(j -> {
                assertThat(j.run().resume().run()).isEqualTo(stopped.runId());
                assertThat(j.run().resume().patches()).containsOnlyKeys("tiny-shapes");
            });
            assertThat(vm.runs()).singleElement().satisfies(r -> assertThat(r.job()).isSameAs(submitted.get(0)));

            // the runs folder is read off the UI thread: nothing is queued until that work is done
            List<BackgroundTask<?>> deferred = new java.util.ArrayList<>();
            org.da3.workbench.ui.task.TaskExecutor later = new org.da3.workbench.ui.task.TaskExecutor() {
                @Override
                public <T> void execute(BackgroundTask<T> task) {
                    deferred.add(task);
                }

                @Override
                public void runOnUi(Runnable action) {
                    action.run();
                }

                @Override
                public AutoCloseable every(java.time.Duration period, Runnable action) {
                    return () -> { };
                }

                @Override
                public void shutdown() {}
            };
            MonitorViewModel deferring = new MonitorViewModel(later, recording);
            submitted.clear();
            deferring.launch(spec, true, n -> { });
            assertThat(deferring.runs()).isEmpty();
            assertThat(deferring.runningProperty().get()).as("Launch stays disabled meanwhile").isTrue();
            assertThat(submitted).isEmpty();
            assertThat(deferred).hasSize(1);
            new CurrentThreadTaskExecutor().execute(deferred.get(0));
            assertThat(submitted).singleElement().satisfies(j -> assertThat(j.run().resume()).isNotNull());
            assertThat(deferring.runs()).hasSize(1);

            // Stop all while the earlier runs are read: nothing of that launch is queued or started
            MonitorViewModel stopping = new MonitorViewModel(later, recording);
            submitted.clear();
            deferred.clear();
            stopping.launch(spec, true, n -> { });
            stopping.stopAll();
            new CurrentThreadTaskExecutor().execute(deferred.get(0));
            assertThat(submitted).isEmpty();
            assertThat(stopping.runs()).isEmpty();
            assertThat(stopping.runningProperty().get()).as("Launch enabled again").isFalse();
            assertThat(stopping.log()).extracting(LogLine::message)
                    .contains("stopped before the runs of pool were queued");
            // so does closing the window (the launcher is shut down: it takes no more runs)
            MonitorViewModel closing = new MonitorViewModel(later, recording(ws, submitted));
            deferred.clear();
            closing.launch(spec, true, n -> { });
            closing.dispose();
            new CurrentThreadTaskExecutor().execute(deferred.get(0));
            assertThat(submitted).isEmpty();

            // without the box, everything trains afresh
            submitted.clear();
            vm.launch(spec, false, n -> { });
            assertThat(submitted).singleElement().satisfies(j -> assertThat(j.run().resume()).isNull());
        } finally {
            recording.shutdown();
        }
    }

    /**
     * The real launcher's planning (plan, completed, resumable) with submissions recorded instead
     * of run.
     */
    static RunLauncher recording(Workspace ws, List<RunJob> submitted) {
        TargetPoolLauncher real = new TargetPoolLauncher(new ExperimentRunner(ws), new WorkspaceTargetProvider(ws));
        return new RunLauncher() {
            @Override
            public List<RunJob> plan(ExperimentSpec s) {
                return real.plan(s);
            }

            @Override
            public Map<RunJob, Path> completed(List<RunJob> jobs) {
                return real.completed(jobs);
            }

            @Override
            public Map<RunJob, RunJob> resumable(List<RunJob> jobs) {
                return real.resumable(jobs);
            }

            @Override
            public void submit(List<RunJob> jobs, Listener listener) {
                submitted.addAll(jobs);
            }

            @Override
            public void stop(RunJob job) {}

            @Override
            public void stopAll() {}

            @Override
            public void shutdown() {
                real.shutdown();
            }
        };
    }

    private static void writeEvents(Path runDir, String method, String status) throws IOException {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        List<org.da3.workbench.run.event.Event> ev = List.of(
                new org.da3.workbench.run.event.RunStarted("pool", method, method, 7, List.of("tiny-shapes"), Map.of(),
                        Map.of()),
                new org.da3.workbench.run.event.DomainStarted(0, "tiny-shapes", 10, 32, 16, 2, 100, "f"),
                new org.da3.workbench.run.event.Evaluation("tiny-shapes", 0, 0, 1, "test", 0.4, 6, 16, false),
                new org.da3.workbench.run.event.Evaluation("tiny-shapes", 0, 0, 0, "test", 0.5, 8, 16, true),
                new org.da3.workbench.run.event.RunFinished(status, 2, Map.of()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ev.size(); i++) {
            sb.append(org.da3.workbench.run.event.EventCodec.encode(new Envelope(1, runDir.getFileName().toString(), i,
                    t, ev.get(i)))).append('\n');
        }
        Files.writeString(runDir.resolve("events.jsonl"), sb.toString());
    }

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

    /**
     * Closing the workbench while a run trains (shutdown, then the JVM exits at once): by the time
     * shutdown returns, the run is recorded as cancelled in its events.jsonl, as {@code da3 run}
     * records it on Ctrl-C, and the queued one is dropped; before, shutdown returned at once and the
     * exit cut the run's record off mid-epoch, with no run_finished.
     */
    @org.junit.jupiter.api.Test
    void shutdownReturnsWhenTheRunsUnderWayAreRecordedAsCancelled() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 64, 16);
        Path specFile = Files.writeString(ws.experimentsDir().resolve("close.yaml"),
                TestWorkspace.tinySpec("close", "linear, finetune", "tiny-shapes").replace("epochs: 1", "epochs: 500"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        TargetPoolLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(ws), new WorkspaceTargetProvider(ws));
        CountDownLatch training = new CountDownLatch(1);
        Map<String, String> ended = new ConcurrentHashMap<>();
        Map<String, Path> dirs = new ConcurrentHashMap<>();
        try {
            launcher.submit(launcher.plan(spec), new RunLauncher.Listener() {
                @Override
                public void event(RunJob job, Envelope event) {
                    if (event.event() instanceof org.da3.workbench.run.event.TrainMetrics) {
                        training.countDown();
                    }
                }

                @Override
                public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                    ended.put(job.label(), record == null ? "no record: " + error : record.status());
                    if (runDir != null) {
                        dirs.put(job.label(), runDir);
                    }
                }
            });
            assertThat(training.await(2, TimeUnit.MINUTES)).as("the first run trains").isTrue();
        } finally {
            launcher.shutdown();
        }
        assertThat(ended).containsEntry("linear s7", "cancelled")
                .containsEntry("finetune s7", "no record: stopped before it started");
        List<String> lines = Files.readAllLines(dirs.get("linear s7").resolve("events.jsonl"));
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"run_finished\"").contains("\"cancelled\"");
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

    /**
     * Weights deleted after their pretraining completed come back from that run on the next
     * launch: the pretraining entry ends completed with that run, without training, and the runs
     * go on.
     */
    @org.junit.jupiter.api.Test
    void missingWeightsAreRestoredFromTheirCompletedPretraining() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Path recipe = Files.writeString(ws.pretrainedDir().resolve("src.yaml"),
                TestWorkspace.tinySpec("src", "finetune", "tiny-shapes"));
        Path weights = org.da3.workbench.run.Pretrainer.weightsFor(recipe);
        RunRecord pretraining;
        try (Target t = new org.da3.workbench.run.LocalTarget(List.of("-Xmx1g"), Map.of())) {
            pretraining = new org.da3.workbench.run.Pretrainer(ws).pretrain(recipe, weights, t,
                    new org.da3.workbench.run.RunMonitor(), e -> { });
        }
        byte[] trained = Files.readAllBytes(weights);
        Files.delete(weights);
        Path specFile = Files.writeString(ws.experimentsDir().resolve("uses.yaml"), TestWorkspace.tinySpec("uses",
                "linear", "tiny-shapes").replace("width: 8}", "width: 8, weights: pretrained/src.safetensors}"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        TargetPoolLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(ws), new WorkspaceTargetProvider(ws));
        Map<String, RunRecord> records = new ConcurrentHashMap<>();
        Map<String, Path> dirs = new ConcurrentHashMap<>();
        List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger pretrainEvents = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        try {
            List<RunJob> jobs = launcher.plan(spec);
            assertThat(jobs).extracting(RunJob::label).containsExactly("pretrain src.safetensors", "linear s7");
            launcher.submit(jobs, new RunLauncher.Listener() {
                @Override
                public void event(RunJob job, Envelope event) {
                    if (job.isPretraining()) {
                        pretrainEvents.incrementAndGet();
                    }
                }

                @Override
                public void note(RunJob job, LogLine.Level level, String text) {
                    notes.add(level + " " + text);
                }

                @Override
                public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                    if (record != null) {
                        records.put(job.label(), record);
                        dirs.put(job.label(), runDir);
                    }
                    done.countDown();
                }
            });
            assertThat(done.await(2, TimeUnit.MINUTES)).as("both jobs ended").isTrue();
        } finally {
            launcher.shutdown();
        }
        assertThat(notes).containsExactly("INFO restoring pretrained/src.safetensors from the pretraining run "
                + pretraining.runId() + String.format(java.util.Locale.ROOT, ", which completed with its recipe (source"
                + " test accuracy %.1f%%): nothing to train", 100 * pretraining.finalAccuracy(0)));
        assertThat(pretrainEvents).as("no pretraining worker ran").hasValue(0);
        assertThat(records.get("pretrain src.safetensors").runId()).isEqualTo(pretraining.runId());
        assertThat(dirs.get("pretrain src.safetensors")).isEqualTo(ws.runsDir("src").resolve(pretraining.runId()));
        assertThat(Files.readAllBytes(weights)).isEqualTo(trained);
        assertThat(records.get("linear s7").status()).isEqualTo("completed");
    }

    /** A worker JVM that exits before it reads its request (a bad jvm_flags entry) fails saying why. */
    @org.junit.jupiter.api.RepeatedTest(3)
    void aWorkerThatCannotStartFailsWithWhatItsJvmSaid() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Files.writeString(ws.experimentsDir().resolve("targets.yaml"),
                "targets:\n  local: {kind: local, jvm_flags: [-XX:+NoSuchDa3Flag]}\n");
        Path specFile = Files.writeString(ws.experimentsDir().resolve("bad.yaml"),
                TestWorkspace.tinySpec("bad", "linear", "tiny-shapes"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        TargetPoolLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(ws), new WorkspaceTargetProvider(ws));
        Map<String, String> ended = new ConcurrentHashMap<>();
        Path[] dirOf = new Path[1];
        CountDownLatch done = new CountDownLatch(1);
        try {
            launcher.submit(launcher.plan(spec), new RunLauncher.Listener() {
                @Override
                public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                    ended.put(job.label(), String.valueOf(error));
                    dirOf[0] = runDir;
                    done.countDown();
                }
            });
            assertThat(done.await(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            launcher.shutdown();
        }
        // it ends before or after taking its request: either way its words are kept, in the error or in the log
        assertThat(ended.get("linear s7")).doesNotContain("Stream closed");
        assertThat(Files.readString(dirOf[0].resolve("worker.log"))).as("what the JVM said, not a closed pipe")
                .contains("NoSuchDa3Flag");
    }
}
