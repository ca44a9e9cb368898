package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run queue with in-process stand-in targets (no worker JVMs): dispatch, failures, stop. */
class RunQueueTest {
    @TempDir
    Path dir;

    Workspace ws;
    List<PlannedRun> runs;

    @BeforeEach
    void setUp() throws IOException {
        ws = TestWorkspace.create(dir, 16, 16);
        Path f = ws.experimentsDir().resolve("q.yaml");
        Files.writeString(f, TestWorkspace.tinySpec("q", "linear, finetune", "tiny-shapes") + "seeds: [1, 2]\n");
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(f);
        runs = ExperimentRunner.plan(spec);
        assertThat(runs).hasSize(4);
    }

    /** A target whose workers are threads writing canned events; it can fail or hang on purpose. */
    static final class FakeTarget implements Target {
        final String name;
        final int concurrent;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final List<String> launched = new CopyOnWriteArrayList<>();
        volatile String failLabel;
        volatile boolean hang;
        final CountDownLatch hanging = new CountDownLatch(1);

        FakeTarget(String name, int concurrent) {
            this.name = name;
            this.concurrent = concurrent;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return name + " (fake)";
        }

        @Override
        public int maxConcurrentRuns() {
            return concurrent;
        }

        @Override
        public RunHandle launch(WorkerRequest request, RunDirectory d) throws IOException {
            Object m = ((List<?>) request.spec().get("methods")).get(0);
            String label = m instanceof Map ? (String) ((Map<?, ?>) m).get("name") : (String) m;
            long seed = ((Number) ((Map<?, ?>) request.spec().get("training")).get("seed")).longValue();
            String key = label + " s" + seed;
            launched.add(key);
            if (key.equals(failLabel)) {
                throw new IOException("cannot reach " + name);
            }
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            PipedInputStream in = new PipedInputStream(1 << 16);
            PipedOutputStream out = new PipedOutputStream(in);
            CountDownLatch stopped = new CountDownLatch(1);
            boolean blocks = hang;
            Thread w = new Thread(() -> {
                try (out) {
                    write(out, request.runId(), 0, new RunStarted("q", label, label, seed, List.of("tiny-shapes"),
                            Map.of(), Map.of()));
                    if (blocks) {
                        hanging.countDown();
                        stopped.await(10, TimeUnit.SECONDS);
                        write(out, request.runId(), 1, new RunFinished(RunFinished.CANCELLED, 0.1, Map.of()));
                    } else {
                        Thread.sleep(80);
                        write(out, request.runId(), 1, new RunFinished(RunFinished.COMPLETED, 0.1, Map.of()));
                    }
                } catch (IOException | InterruptedException e) {
                    // the reader went away
                } finally {
                    running.decrementAndGet();
                }
            });
            w.start();
            return new RunHandle() {
                @Override
                public InputStream events() {
                    return in;
                }

                @Override
                public InputStream log() {
                    return InputStream.nullInputStream();
                }

                @Override
                public void stop() {
                    stopped.countDown();
                }

                @Override
                public int waitFor() throws InterruptedException {
                    w.join();
                    return blocks ? WorkerExit.CANCELLED : 0;
                }

                @Override
                public String describe() {
                    return name + " thread";
                }
            };
        }

        private static void write(PipedOutputStream out, String run, long seq,
                org.da3.workbench.run.event.Event e) throws IOException {
            out.write((EventCodec.encode(new Envelope(1, run, seq, Instant.now(), e)) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** Records every state change per run. */
    static final class Recorder implements RunQueue.Listener {
        final Map<Integer, List<RunQueue.State>> states = new ConcurrentHashMap<>();
        final Map<Integer, List<Envelope>> events = new ConcurrentHashMap<>();

        @Override
        public void stateChanged(RunQueue.Entry e) {
            states.computeIfAbsent(e.index(), k -> new CopyOnWriteArrayList<>()).add(e.state());
        }

        @Override
        public RunMonitor.Listener events(RunQueue.Entry e) {
            List<Envelope> l = events.computeIfAbsent(e.index(), k -> new CopyOnWriteArrayList<>());
            return l::add;
        }
    }

    @Test
    void spreadsRunsOverTargetsOneAtATimeOnEach() throws Exception {
        FakeTarget a = new FakeTarget("a", 1);
        FakeTarget b = new FakeTarget("b", 1);
        Recorder rec = new Recorder();
        List<RunQueue.Entry> done = new RunQueue(new ExperimentRunner(ws), List.of(a, b), runs).run(rec);
        assertThat(done).extracting(RunQueue.Entry::state).containsOnly(RunQueue.State.COMPLETED);
        assertThat(a.maxRunning.get()).isEqualTo(1);
        assertThat(b.maxRunning.get()).isEqualTo(1);
        assertThat(a.launched).isNotEmpty();
        assertThat(b.launched).isNotEmpty();
        assertThat(a.launched.size() + b.launched.size()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(rec.states.get(i)).containsExactly(RunQueue.State.QUEUED, RunQueue.State.RUNNING,
                    RunQueue.State.COMPLETED);
            assertThat(rec.events.get(i)).hasSize(2);
            assertThat(done.get(i).record().status()).isEqualTo("completed");
            assertThat(done.get(i).target()).isIn(a, b);
        }
        // each run has its own run directory with its events and results
        assertThat(done.stream().map(e -> e.record().runId()).distinct().count()).isEqualTo(4);
    }

    @Test
    void severalRunsAtOnceWhenTheTargetAllowsIt() throws Exception {
        FakeTarget a = new FakeTarget("a", 2);
        new RunQueue(new ExperimentRunner(ws), List.of(a), runs).run(new RunQueue.Listener() { });
        assertThat(a.maxRunning.get()).isEqualTo(2);
    }

    @Test
    void aFailedRunDoesNotStopTheQueue() throws Exception {
        FakeTarget a = new FakeTarget("a", 1);
        a.failLabel = "linear s2";
        Recorder rec = new Recorder();
        List<RunQueue.Entry> done = new RunQueue(new ExperimentRunner(ws), List.of(a), runs).run(rec);
        assertThat(done).extracting(RunQueue.Entry::state).containsExactly(RunQueue.State.COMPLETED,
                RunQueue.State.FAILED, RunQueue.State.COMPLETED, RunQueue.State.COMPLETED);
        RunQueue.Entry failed = done.get(1);
        assertThat(failed.message()).contains("could not start the worker on a (fake): cannot reach a");
        assertThat(failed.record().status()).isEqualTo("failed");
        assertThat(a.launched).hasSize(4);
    }

    /**
     * A domain's descriptor deleted while the queue waits (the spec was checked when it was
     * queued): each run records the failure in its events, no run folder is left without them.
     */
    @Test
    void aDescriptorGoneSinceTheSpecWasCheckedFailsTheRunInItsEvents() throws Exception {
        Files.delete(ws.root().resolve("datasets/tiny-shapes.yaml"));
        FakeTarget a = new FakeTarget("a", 1);
        List<RunQueue.Entry> done = new RunQueue(new ExperimentRunner(ws), List.of(a), runs).run(new Recorder());
        assertThat(done).extracting(RunQueue.Entry::state).containsOnly(RunQueue.State.FAILED);
        assertThat(done.get(0).message()).contains("could not start the worker on a (fake): ")
                .contains("tiny-shapes");
        assertThat(a.launched).isEmpty();
        try (java.util.stream.Stream<Path> folders = Files.list(ws.runsDir("q"))) {
            assertThat(folders).hasSize(4).allSatisfy(f -> assertThat(EventLog.read(f.resolve("events.jsonl")))
                    .extracting(e -> e.event().getClass().getSimpleName()).containsExactly("RunError", "RunFinished"));
        }
    }

    @Test
    void stopCancelsTheRunningRunAndSkipsTheRest() throws Exception {
        FakeTarget a = new FakeTarget("a", 1);
        a.hang = true;
        Recorder rec = new Recorder();
        RunQueue q = new RunQueue(new ExperimentRunner(ws), List.of(a), runs);
        List<List<RunQueue.Entry>> result = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                result.add(q.run(rec));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        assertThat(a.hanging.await(10, TimeUnit.SECONDS)).isTrue();
        q.stop();
        assertThat(q.awaitFinished(java.time.Duration.ofSeconds(10))).isTrue();
        t.join(5000);
        List<RunQueue.Entry> done = result.get(0);
        assertThat(done).extracting(RunQueue.Entry::state).containsOnly(RunQueue.State.CANCELLED);
        assertThat(done.get(0).record().status()).isEqualTo("cancelled");
        assertThat(done.subList(1, 4)).allMatch(e -> e.record() == null && e.target() == null
                && e.message().contains("skipped"));
        assertThat(a.launched).hasSize(1);
        assertThat(rec.states.get(3)).containsExactly(RunQueue.State.QUEUED, RunQueue.State.CANCELLED);
    }
}
