package org.da3.workbench.run;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.RunFinished;

/**
 * Runs many planned runs (methods x seeds of an experiment, from {@link ExperimentRunner#plan}) on
 * one or more targets. Each target takes the next queued run when it is free, {@link
 * Target#maxConcurrentRuns()} at a time (one by default). A failed run does not stop the queue;
 * {@link #stop()} cancels the running runs and skips the queued ones.
 *
 * <p>Listeners hear every state change (queued, running, completed, failed, cancelled) and get
 * each run's events; they are called on the queue's worker threads, one per target slot, so a GUI
 * hands them to its UI thread.
 */
public final class RunQueue {

    /** Where a run is in the queue. */
    public enum State {
        /** Waiting for a target. */
        QUEUED,
        /** On a target now. */
        RUNNING,
        /** Finished normally. */
        COMPLETED,
        /** Ended with an error (or never started). */
        FAILED,
        /** Stopped by the user, or skipped because the queue was stopped. */
        CANCELLED;

        /** @return whether the run is over */
        public boolean done() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    /** Hears the queue. */
    public interface Listener {
        /**
         * A run changed state; read the entry's fields for the details.
         *
         * @param entry the run
         */
        default void stateChanged(Entry entry) {}

        /**
         * The listener for one run's events, asked for when the run starts.
         *
         * @param entry the run (its target is set)
         * @return the events listener
         */
        default RunMonitor.Listener events(Entry entry) {
            return e -> { };
        }
    }

    /** One run in the queue. */
    public static final class Entry {
        private final int index;
        private final PlannedRun run;
        private volatile State state = State.QUEUED;
        private volatile Target target;
        private volatile RunMonitor monitor;
        private volatile RunRecord record;
        private volatile String message;

        Entry(int index, PlannedRun run) {
            this.index = index;
            this.run = run;
        }

        /** @return the position in the plan */
        public int index() {
            return index;
        }

        /** @return the planned run */
        public PlannedRun run() {
            return run;
        }

        /** @return the current state */
        public State state() {
            return state;
        }

        /** @return the target it runs or ran on, or null while queued or when skipped */
        public Target target() {
            return target;
        }

        /** @return the run's record once it ended (null if it never got a run directory) */
        public RunRecord record() {
            return record;
        }

        /** @return the error message of a failed run, or why it was cancelled, else null */
        public String message() {
            return message;
        }

        @Override
        public String toString() {
            return run.label() + " [" + state + (target == null ? "" : " on " + target.name()) + "]";
        }
    }

    private final ExperimentRunner runner;
    private final List<Target> targets;
    private final List<Entry> entries = new ArrayList<>();
    private final Object lock = new Object();
    private final CountDownLatch finished = new CountDownLatch(1);
    private boolean started;
    private boolean stopped;
    private Listener listener = new Listener() { };

    /**
     * A queue of runs.
     *
     * @param runner runs one run (workspace, run directories, results)
     * @param targets where runs go, in order of preference
     * @param runs the runs, in launch order
     */
    public RunQueue(ExperimentRunner runner, List<? extends Target> targets, List<PlannedRun> runs) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a run queue needs at least one target");
        }
        this.runner = runner;
        this.targets = List.copyOf(targets);
        for (PlannedRun r : runs) {
            entries.add(new Entry(entries.size(), r));
        }
    }

    /** @return the runs in plan order */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * Runs the queue to its end: every run completed, failed or cancelled. Call once.
     *
     * @param l hears state changes and events
     * @return the entries in plan order
     * @throws InterruptedException if interrupted (the queue is stopped first)
     */
    public List<Entry> run(Listener l) throws InterruptedException {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("a run queue runs once");
            }
            started = true;
            listener = l;
        }
        entries.forEach(this::fire);
        List<Thread> workers = new ArrayList<>();
        for (Target t : targets) {
            for (int i = 0; i < Math.max(1, t.maxConcurrentRuns()); i++) {
                Thread w = new Thread(() -> work(t), "run-queue-" + t.name() + "-" + i);
                w.setDaemon(true);
                workers.add(w);
            }
        }
        workers.forEach(Thread::start);
        try {
            for (Thread w : workers) {
                w.join();
            }
        } catch (InterruptedException e) {
            stop();
            for (Thread w : workers) {
                w.join(30_000);
            }
            throw e;
        } finally {
            finished.countDown();
        }
        return entries();
    }

    /**
     * Cancels the running runs (their workers are stopped) and skips the queued ones. Returns at
     * once; {@link #run} returns when the running ones have ended.
     */
    public void stop() {
        List<Entry> skipped = new ArrayList<>();
        List<RunMonitor> running = new ArrayList<>();
        synchronized (lock) {
            stopped = true;
            for (Entry e : entries) {
                if (e.state == State.QUEUED) {
                    e.state = State.CANCELLED;
                    e.message = "skipped: the queue was stopped";
                    skipped.add(e);
                } else if (e.state == State.RUNNING && e.monitor != null) {
                    running.add(e.monitor);
                }
            }
        }
        skipped.forEach(this::fire);
        running.forEach(RunMonitor::stop);
    }

    /** @return whether {@link #stop()} was called */
    public boolean stopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    /**
     * Waits for {@link #run} to return (for shutdown hooks).
     *
     * @param timeout how long to wait
     * @return true if it returned in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Entry next(Target t) {
        synchronized (lock) {
            if (stopped) {
                return null;
            }
            for (Entry e : entries) {
                if (e.state == State.QUEUED) {
                    e.target = t;
                    e.monitor = new RunMonitor();
                    e.state = State.RUNNING;
                    return e;
                }
            }
            return null;
        }
    }

    private void work(Target t) {
        Entry e;
        while ((e = next(t)) != null) {
            fire(e);
            RunMonitor.Listener events;
            try {
                events = listener.events(e);
            } catch (RuntimeException ex) {
                events = ev -> { };
            }
            try {
                RunRecord r = runner.execute(e.run, t, e.monitor, events);
                e.record = r;
                e.message = r.error();
                e.state = RunFinished.COMPLETED.equals(r.status()) ? State.COMPLETED
                        : RunFinished.CANCELLED.equals(r.status()) ? State.CANCELLED : State.FAILED;
            } catch (IOException | RuntimeException ex) {
                e.message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                e.state = e.monitor.stopRequested() ? State.CANCELLED : State.FAILED;
            }
            fire(e);
        }
    }

    private void fire(Entry e) {
        try {
            listener.stateChanged(e);
        } catch (RuntimeException ex) {
            System.err.println("run queue: a listener failed on " + e + ": " + ex);
        }
    }
}
