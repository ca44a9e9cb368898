package org.da3.workbench.ui.monitor;

import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.spec.ExperimentSpec;

/** A launcher that runs nothing: the test plays the worker through {@link #emit}. */
final class FakeLauncher implements RunLauncher {
    final List<RunJob> submitted = new ArrayList<>();
    final List<RunJob> stopped = new ArrayList<>();
    Listener listener;
    boolean stoppedAll;
    private int ids;
    private final java.util.Map<Integer, Long> seq = new java.util.HashMap<>();

    @Override
    public List<RunJob> plan(ExperimentSpec spec) {
        List<RunJob> jobs = new ArrayList<>();
        for (PlannedRun r : ExperimentRunner.plan(spec)) {
            jobs.add(new RunJob(++ids, r.label(), spec, r, spec.target()));
        }
        return jobs;
    }

    /** What {@link #collectLeftBehind} says: notes, then problems. */
    final List<String> collectNotes = new ArrayList<>();
    final List<String> collectProblems = new ArrayList<>();

    @Override
    public void collectLeftBehind(List<RunJob> jobs, java.util.function.Consumer<String> notes,
            java.util.function.Consumer<String> problems) {
        collectNotes.forEach(notes);
        collectProblems.forEach(problems);
    }

    @Override
    public void submit(List<RunJob> jobs, Listener l) {
        submitted.addAll(jobs);
        listener = l;
    }

    @Override
    public void stop(RunJob job) {
        stopped.add(job);
    }

    @Override
    public void stopAll() {
        stoppedAll = true;
    }

    @Override
    public void shutdown() {}

    void emit(RunJob job, java.time.Instant time, Event e) {
        long s = seq.merge(job.id(), 1L, Long::sum) - 1;
        listener.event(job, new Envelope(Envelope.SCHEMA, "run-" + job.id(), s, time, e));
    }

    void finish(RunJob job, List<Envelope> events) {
        listener.finished(job, RunRecord.fromEvents("run-" + job.id(), events), java.nio.file.Path.of("runs", "run-" + job.id()),
                null);
    }
}
