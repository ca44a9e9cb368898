package org.da3.workbench.ui.monitor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.ui.TargetProvider;

/**
 * A {@link RunLauncher} that runs each job in its own worker through {@link ExperimentRunner} (the
 * same code as {@code da3 run}). Experiments run in the order they were launched. Within one, a
 * backbone pretraining job runs first, alone; then the runs go to the target {@link
 * Target#maxConcurrentRuns()} at a time ({@code concurrent_runs} in targets.yaml, one by default),
 * as {@link org.da3.workbench.run.RunQueue} does for {@code da3 run}. The target is opened once per
 * experiment, so an SSH target keeps one session for all its runs.
 */
public final class TargetPoolLauncher implements RunLauncher {
    private final ExperimentRunner runner;
    private final TargetProvider targets;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "da3-run-queue");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, RunMonitor> monitors = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> dropped = new ConcurrentHashMap<>();
    private final List<RunJob> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, String> openErrors = new ConcurrentHashMap<>();

    /**
     * Creates the launcher.
     *
     * @param runner runs one planned run in a worker
     * @param targets opens the jobs' targets
     */
    public TargetPoolLauncher(ExperimentRunner runner, TargetProvider targets) {
        this.runner = runner;
        this.targets = targets;
    }

    @Override
    public List<RunJob> plan(ExperimentSpec spec) {
        runner.check(spec);
        List<RunJob> jobs = new ArrayList<>();
        Path w = runner.weightsPath(spec);
        if (w != null && !Files.isRegularFile(w)) {
            jobs.add(new RunJob(ids.incrementAndGet(), "pretrain " + w.getFileName(), spec, null, spec.target()));
        }
        for (PlannedRun r : ExperimentRunner.plan(spec)) {
            jobs.add(new RunJob(ids.incrementAndGet(), r.label(), spec, r, spec.target()));
        }
        return jobs;
    }

    @Override
    public Map<RunJob, Path> completed(List<RunJob> jobs) {
        List<PlannedRun> planned = jobs.stream().filter(j -> !j.isPretraining()).map(RunJob::run).toList();
        Map<PlannedRun, RunRecord> done;
        try {
            done = runner.completed(planned);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the runs folder: " + e.getMessage(), e);
        }
        Map<RunJob, Path> out = new java.util.LinkedHashMap<>();
        for (RunJob j : jobs) {
            RunRecord r = j.isPretraining() ? null : done.get(j.run());
            if (r != null) {
                out.put(j, runner.workspace().runsDir(j.experiment().name()).resolve(r.runId()));
            }
        }
        return out;
    }

    @Override
    public Map<RunJob, RunJob> resumable(List<RunJob> jobs) {
        return resumable(jobs, w -> { });
    }

    @Override
    public void collectLeftBehind(List<RunJob> jobs, java.util.function.Consumer<String> notes,
            java.util.function.Consumer<String> problems) {
        try {
            runner.collectLeftBehind(jobs.stream().filter(j -> !j.isPretraining()).map(RunJob::run).toList(), notes,
                    problems);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the runs folder: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<RunJob, RunJob> resumable(List<RunJob> jobs, java.util.function.Consumer<String> warnings) {
        List<RunJob> runs = jobs.stream().filter(j -> !j.isPretraining()).toList();
        Map<PlannedRun, org.da3.workbench.run.ResumeFrom> from;
        try {
            from = runner.resumable(runs.stream().map(RunJob::run).toList(), warnings);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the runs folder: " + e.getMessage(), e);
        }
        Map<RunJob, RunJob> out = new java.util.LinkedHashMap<>();
        for (RunJob j : runs) {
            if (from.containsKey(j.run())) {
                out.put(j, j.resuming(from.get(j.run())));
            }
        }
        return out;
    }

    @Override
    public void submit(List<RunJob> jobs, Listener listener) {
        pending.addAll(jobs);
        thread.execute(() -> runExperiment(jobs, listener));
    }

    /** Runs one launch's jobs: pretraining first, alone, then the runs on the target's slots. */
    private void runExperiment(List<RunJob> jobs, Listener listener) {
        Map<String, Target> open = new java.util.HashMap<>();
        try {
            boolean pretrainStopped = false;
            for (RunJob j : jobs) {
                if (j.isPretraining()) {
                    pretrainStopped |= RunFinished.CANCELLED.equals(runJob(j, listener, open));
                }
            }
            List<RunJob> runs = jobs.stream().filter(j -> !j.isPretraining()).toList();
            Path w = jobs.isEmpty() ? null : runner.weightsPath(jobs.get(0).experiment());
            if (w != null && !Files.isRegularFile(w) && jobs.stream().anyMatch(RunJob::isPretraining)) {
                // the runs need the weights pretraining was to write: none of them can start
                String why = pretrainStopped ? "stopped before it started: pretraining " + w.getFileName() + " was stopped"
                        : "not started: pretraining " + w.getFileName() + " did not finish (see its error above)";
                for (RunJob j : runs) {
                    pending.remove(j);
                    dropped.remove(j.id());
                    listener.finished(j, null, null, why);
                }
                return;
            }
            Map<String, List<RunJob>> byTarget = new java.util.LinkedHashMap<>();
            for (RunJob j : runs) {
                byTarget.computeIfAbsent(j.target(), k -> new ArrayList<>()).add(j);
            }
            List<ExecutorService> pools = new ArrayList<>();
            for (Map.Entry<String, List<RunJob>> e : byTarget.entrySet()) {
                Target t = target(e.getKey(), open);
                int slots = t == null ? 1 : Math.max(1, t.maxConcurrentRuns());
                ExecutorService pool = Executors.newFixedThreadPool(slots, r -> {
                    Thread th = new Thread(r, "da3-run-" + e.getKey());
                    th.setDaemon(true);
                    return th;
                });
                pools.add(pool);
                for (RunJob j : e.getValue()) {
                    pool.execute(() -> runJob(j, listener, open));
                }
            }
            for (ExecutorService pool : pools) {
                pool.shutdown();
            }
            for (ExecutorService pool : pools) {
                while (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                    // runs last as long as they last; Stop ends them
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (open) {
                for (Target t : open.values()) {
                    if (t != null) {
                        try {
                            t.close();
                        } catch (Exception e) {
                            // closing a target that failed: nothing more to report
                        }
                    }
                }
                open.clear();
            }
        }
    }

    /** The launch's target of that name, opened at first use; null (and the reason kept) when it cannot be. */
    private Target target(String name, Map<String, Target> open) {
        synchronized (open) {
            if (!open.containsKey(name)) {
                try {
                    open.put(name, targets.open(name));
                } catch (Exception e) {
                    openErrors.put(name, e.getMessage() == null ? e.toString() : e.getMessage());
                    open.put(name, null);
                }
            }
            return open.get(name);
        }
    }

    /** Runs a job to its end; returns how it ended (a run_finished status). */
    private String runJob(RunJob job, Listener listener, Map<String, Target> open) {
        RunMonitor monitor = new RunMonitor();
        monitors.put(job.id(), monitor);
        pending.remove(job);
        if (dropped.remove(job.id()) != null) {
            monitors.remove(job.id());
            listener.finished(job, null, null, "stopped before it started");
            return RunFinished.CANCELLED;
        }
        listener.started(job);
        Path[] dir = new Path[1];
        RunMonitor.Listener l = new RunMonitor.Listener() {
            @Override
            public void onEvent(Envelope e) {
                if (dir[0] == null) {
                    dir[0] = runner.workspace().runsDir(job.isPretraining()
                            ? pretrainName(job) : job.experiment().name()).resolve(e.runId());
                }
                listener.event(job, e);
            }

            @Override
            public void onLog(String line) {
                listener.log(job, line);
            }
        };
        try {
            Target t = target(job.target(), open);
            if (t == null) {
                throw new java.io.IOException(openErrors.get(job.target()));
            }
            RunRecord rec;
            if (job.isPretraining()) {
                Pretrainer pre = new Pretrainer(runner.workspace());
                Path w = runner.weightsPath(job.experiment());
                // restored from a completed pretraining of its recipe, or pretrained (continuing a first
                // use stopped part-way when the workbench closed)
                Pretrainer.FirstUse plan = pre.firstUse(w, x -> listener.note(job, LogLine.Level.WARNING, x));
                if (plan == null && Files.isRegularFile(w) && Pretrainer.recipeFor(w) != null) {
                    // an earlier launch, queued before this one, pretrained them meanwhile
                    listener.note(job, LogLine.Level.INFO, w.getFileName() + " is there now: nothing to pretrain");
                    rec = pre.completedPretraining(Pretrainer.recipeFor(w));
                    if (rec == null) {
                        throw new java.io.IOException(w + " is there now, but not from a completed pretraining of its"
                                + " recipe in this workspace");
                    }
                } else if (plan == null) {
                    throw new java.io.IOException(w + " is missing and has no recipe beside it to pretrain it");
                } else {
                    listener.note(job, LogLine.Level.INFO, plan.description());
                    rec = pre.provide(plan, t, monitor, l);
                }
                if (dir[0] == null) {
                    dir[0] = runner.workspace().runsDir(pretrainName(job)).resolve(rec.runId());
                }
            } else {
                RunDirectory rd = RunDirectory.create(runner.workspace(), job.run().spec());
                dir[0] = rd.dir();
                rec = runner.execute(job.run(), rd, t, monitor, l);
            }
            listener.finished(job, rec, dir[0], rec.error());
            return rec.status();
        } catch (Exception e) {
            listener.finished(job, null, dir[0], e.getMessage() == null ? e.toString() : e.getMessage());
            return monitor.stopRequested() ? RunFinished.CANCELLED : RunFinished.FAILED;
        } finally {
            monitors.remove(job.id());
        }
    }

    private String pretrainName(RunJob job) {
        Path w = runner.weightsPath(job.experiment());
        try {
            return new Pretrainer(runner.workspace()).loadRecipe(Pretrainer.recipeFor(w)).name();
        } catch (RuntimeException e) {
            return job.experiment().name();
        }
    }

    @Override
    public void stop(RunJob job) {
        RunMonitor m = monitors.get(job.id());
        if (m != null) {
            m.stop();
        } else if (pending.contains(job)) {
            dropped.put(job.id(), Boolean.TRUE);
        }
    }

    @Override
    public void stopAll() {
        for (RunJob j : pending) {
            dropped.put(j.id(), Boolean.TRUE);
        }
        for (RunMonitor m : monitors.values()) {
            m.stop();
        }
    }

    /**
     * How long {@link #shutdown()} waits for the stopped runs to be recorded: as long as {@code da3
     * run} waits for its queue on Ctrl-C. A stopped worker says run_finished at once.
     */
    static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(20);

    /**
     * Stops every job and waits (at most {@link #SHUTDOWN_WAIT}) until the runs under way have
     * ended and are recorded as cancelled in their run folders, as {@code da3 run} records them on
     * Ctrl-C: the workbench exits right after, and its exit would cut their records off.
     */
    @Override
    public void shutdown() {
        stopAll();
        thread.shutdown();
        try {
            thread.awaitTermination(SHUTDOWN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
