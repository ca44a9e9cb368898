package org.da3.workbench.ui.monitor;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.Warning;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.EventBuffer;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The Monitor view's state: the run queue, the runs chosen for the charts, the log, and the
 * actions to launch and stop.
 *
 * <p>Threads: the {@link RunLauncher} reports from its own threads into an {@link EventBuffer};
 * every {@link #FLUSH_PERIOD} the UI thread drains the buffer and applies the whole batch, then
 * bumps {@link #chartsVersionProperty()} once if a chosen run got points. However fast a worker
 * emits events, the charts redraw at most five times a second and the UI thread never waits on
 * a worker.
 */
public final class MonitorViewModel {
    /** How often buffered events are applied on the UI thread: at most five updates a second. */
    public static final Duration FLUSH_PERIOD = Duration.ofMillis(200);
    /** The log keeps this many lines; older ones are dropped. */
    public static final int LOG_LIMIT = 2000;

    private final TaskExecutor executor;
    private final RunLauncher launcher;
    private final EventBuffer<Update> buffer = new EventBuffer<>();
    private final ObservableList<RunItem> runs = FXCollections.observableArrayList();
    private final ObservableList<RunItem> selected = FXCollections.observableArrayList();
    private final ObservableList<LogLine> log = FXCollections.observableArrayList();
    private final ReadOnlyLongWrapper chartsVersion = new ReadOnlyLongWrapper(this, "chartsVersion");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper canStopSelected = new ReadOnlyBooleanWrapper(this, "canStopSelected");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "no runs yet");
    private final Map<Integer, RunItem> byId = new HashMap<>();
    private final AutoCloseable ticker;
    private Consumer<List<Path>> onRunsFinished = d -> {};
    /** Whether a launch is reading the earlier runs, and whether Stop all was asked for meanwhile. */
    private boolean readingEarlier;
    private boolean stoppedWhileReading;

    /** A report from the launcher, buffered until the next flush. */
    private sealed interface Update permits Started, EventUpdate, LogUpdate, Finished {
        RunJob job();
    }

    private record Started(RunJob job) implements Update {}

    private record EventUpdate(RunJob job, Envelope envelope) implements Update {}

    /** A worker's log line (its level read from it), or the launcher's note (level given). */
    private record LogUpdate(RunJob job, String line, LogLine.Level level) implements Update {}

    private record Finished(RunJob job, RunRecord record, Path dir, String error) implements Update {}

    /**
     * Creates the view model and starts its periodic flush.
     *
     * @param executor the UI executor (ticks the flush)
     * @param launcher runs the jobs in workers
     */
    public MonitorViewModel(TaskExecutor executor, RunLauncher launcher) {
        this.executor = Objects.requireNonNull(executor);
        this.launcher = Objects.requireNonNull(launcher);
        this.ticker = executor.every(FLUSH_PERIOD, this::flush);
        selected.addListener((ListChangeListener<RunItem>) c -> {
            chartsVersion.set(chartsVersion.get() + 1);
            updateCanStopSelected();
        });
    }

    private void updateCanStopSelected() {
        canStopSelected.set(selected.stream().anyMatch(r -> !r.getStatus().isDone()));
    }

    /**
     * Sets who receives the directories of finished runs (the Results view): those that finished
     * since the last flush, in one list, so that the hundreds of runs a launch finds completed
     * arrive together. Runs that never got a directory are not passed on.
     *
     * @param consumer the receiver, called on the UI thread with a list that is never empty
     */
    public void setOnRunsFinished(Consumer<List<Path>> consumer) {
        this.onRunsFinished = Objects.requireNonNull(consumer);
    }

    /**
     * Plans and queues an experiment's runs. Returns at once; the runs start in the background.
     *
     * @param spec the experiment
     * @throws org.da3.workbench.spec.SpecException if it cannot run (nothing is queued)
     */
    public void launch(ExperimentSpec spec) {
        launch(spec, false, n -> { });
    }

    /**
     * {@link #launch(ExperimentSpec)}, continuing, when asked, from the experiment's earlier runs
     * (as {@code da3 run --resume}): the methods and seeds that already completed with the same
     * resolved spec join the queue as completed, with their earlier run, and go to Results as a
     * finished run does; those whose runs stopped part-way pick up from the domains they finished.
     * Finding those reads the runs folder and checksums weights and patches, off the UI thread:
     * the runs are queued when it is done, and {@link #runningProperty()} is true meanwhile.
     *
     * @param spec the experiment
     * @param resume whether to leave out what completed and resume what stopped
     * @param onQueued told, on the UI thread once the runs are queued, how many were left out as
     *     completed
     * @throws org.da3.workbench.spec.SpecException if it cannot run (nothing is queued)
     */
    public void launch(ExperimentSpec spec, boolean resume, java.util.function.IntConsumer onQueued) {
        List<RunJob> planned = launcher.plan(spec);
        if (!resume) {
            queue(spec, planned, new Earlier(Map.of(), Map.of(), Map.of(), List.of(), List.of()));
            onQueued.accept(0);
            return;
        }
        running.set(true); // Launch stays disabled while the earlier runs are read
        readingEarlier = true;
        stoppedWhileReading = false;
        info("", "reading the earlier runs of " + spec.name() + " ...");
        executor.execute(BackgroundTask.of(() -> earlier(planned)).onSuccess(e -> {
            readingEarlier = false;
            if (stoppedWhileReading) {
                // Stop all came while the runs folder was read: none of this launch's runs may start
                running.set(runs.stream().anyMatch(r -> !r.getStatus().isDone()));
                info("", "stopped before the runs of " + spec.name() + " were queued");
                return;
            }
            queue(spec, planned, e);
            onQueued.accept(e.done().size());
        }).onFailure(ex -> {
            readingEarlier = false;
            running.set(runs.stream().anyMatch(r -> !r.getStatus().isDone()));
            add(new LogLine(Instant.now(), "", LogLine.Level.ERROR, "cannot launch " + spec.name() + ": "
                    + (ex.getMessage() == null ? ex.toString() : ex.getMessage())));
        }));
    }

    /**
     * What the earlier runs of an experiment give a launch: the completed run of each job that has
     * one (and its curves and record), and the resuming copy of each job that can pick up.
     */
    private record Earlier(Map<RunJob, Path> done, Map<RunJob, RunJob> resumed, Map<RunJob, Past> past,
            List<String> warnings, List<String> notes) {}

    /** A completed run's chart data and record, read from its events off the UI thread. */
    private record Past(RunTrace trace, RunRecord record) {}

    /** The events a past run's chart data and record are made from; the others are not decoded. */
    private static final java.util.Set<String> PAST_TYPES;

    static {
        java.util.Set<String> types = new java.util.HashSet<>(RunTrace.EVENT_TYPES);
        types.addAll(RunRecord.EVENT_TYPES);
        PAST_TYPES = java.util.Set.copyOf(types);
    }

    /**
     * Finds the earlier runs of planned jobs, after copying back what they left on a remote machine
     * that answers again; runs off the UI thread.
     */
    private Earlier earlier(List<RunJob> planned) {
        List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        launcher.collectLeftBehind(planned, notes::add, warnings::add);
        Map<RunJob, Path> done = launcher.completed(planned);
        List<RunJob> left = planned.stream().filter(j -> !done.containsKey(j)).toList();
        Map<RunJob, RunJob> resumed = launcher.resumable(left, warnings::add);
        Map<RunJob, Past> past = new HashMap<>();
        for (Map.Entry<RunJob, Path> d : done.entrySet()) {
            try {
                past.put(d.getKey(), past(d.getValue()));
            } catch (java.io.IOException | RuntimeException e) {
                // the launcher found it completed a moment ago; without its events it shows no curves
            }
        }
        return new Earlier(done, resumed, past, List.copyOf(warnings), List.copyOf(notes));
    }

    /**
     * Reads a completed run's events into its chart data and record, one run at a time: only its
     * chart points stay, not its events (an experiment of hundreds of runs, each of tens of
     * thousands of events, would not fit in memory).
     */
    private static Past past(Path dir) throws java.io.IOException {
        RunTrace trace = new RunTrace();
        List<Envelope> events = new ArrayList<>();
        org.da3.workbench.run.EventLog.forEachLine(dir.resolve("events.jsonl"), PAST_TYPES, w -> { }, l -> {
            trace.apply(l.envelope());
            if (RunRecord.EVENT_TYPES.contains(l.envelope().type())) {
                events.add(l.envelope());
            }
        });
        return new Past(trace, RunRecord.fromEvents(dir.getFileName().toString(), events));
    }

    /** Queues planned jobs, those that completed earlier as finished and those that resume as such. */
    private void queue(ExperimentSpec spec, List<RunJob> planned, Earlier earlier) {
        Map<RunJob, Path> done = earlier.done();
        Map<RunJob, RunJob> resumed = earlier.resumed();
        List<RunJob> jobs = planned.stream().filter(j -> !done.containsKey(j)).map(j -> resumed.getOrDefault(j, j))
                .toList();
        List<RunItem> items = new ArrayList<>();
        for (RunJob planJob : planned) {
            RunJob j = resumed.getOrDefault(planJob, planJob);
            // a completed run's curves and record, from its events (its warnings are not news: they stay out of the log)
            Past past = earlier.past().get(planJob);
            RunItem item = past == null ? new RunItem(j) : new RunItem(j, past.trace());
            byId.put(j.id(), item);
            items.add(item);
            Path dir = done.get(planJob);
            if (dir != null) {
                buffer.offer(new Finished(j, past == null ? null : past.record(), dir, null));
            }
        }
        runs.addAll(items);
        running.set(true);
        updateSummary();
        info("", "queued " + jobs.size() + " run(s) of " + spec.name() + " on " + spec.target()
                + (done.isEmpty() ? "" : "; " + done.size() + " already completed with this spec: "
                        + done.values().stream().map(d -> d.getFileName().toString())
                                .collect(java.util.stream.Collectors.joining(", ")))
                + (resumed.isEmpty() ? "" : "; " + resumed.size() + " resume(s) from the domains a stopped run"
                        + " finished: " + resumed.values().stream().map(r -> r.label() + " from "
                                + r.run().resume().run() + " (" + r.run().resume().patches().size() + " of "
                                + spec.domains().size() + (r.run().resume().checkpoint() == null ? "" : "; resumes "
                                        + r.run().resume().checkpoint().domain() + " at epoch "
                                        + (r.run().resume().checkpoint().epoch() + 1) + " of "
                                        + r.run().resume().checkpoint().epochs()) + ")")
                                .collect(java.util.stream.Collectors.joining(", "))));
        earlier.notes().forEach(n -> add(new LogLine(Instant.now(), "", LogLine.Level.INFO, n)));
        earlier.warnings().forEach(w -> add(new LogLine(Instant.now(), "", LogLine.Level.WARNING, w)));
        launcher.submit(jobs, new RunLauncher.Listener() {
            @Override
            public void started(RunJob job) {
                buffer.offer(new Started(job));
            }

            @Override
            public void event(RunJob job, Envelope event) {
                buffer.offer(new EventUpdate(job, event));
            }

            @Override
            public void log(RunJob job, String line) {
                buffer.offer(new LogUpdate(job, line, null));
            }

            @Override
            public void note(RunJob job, LogLine.Level level, String text) {
                buffer.offer(new LogUpdate(job, text, level));
            }

            @Override
            public void finished(RunJob job, RunRecord record, Path runDir, String error) {
                buffer.offer(new Finished(job, record, runDir, error));
            }
        });
    }

    /** Stops every queued and running run, and a launch still reading the earlier runs: it queues nothing. */
    public void stopAll() {
        stoppedWhileReading = readingEarlier;
        launcher.stopAll();
        info("", "stop requested for all runs");
    }

    /** Stops the chosen runs. */
    public void stopSelected() {
        for (RunItem r : new ArrayList<>(selected)) {
            if (!r.getStatus().isDone()) {
                launcher.stop(r.job());
                info(r.label(), "stop requested");
            }
        }
    }

    /** Removes finished runs from the queue (their run directories stay on disk). */
    public void clearFinished() {
        selected.removeIf(r -> r.getStatus().isDone());
        runs.removeIf(r -> r.getStatus().isDone());
        updateSummary();
    }

    /**
     * Applies everything the launcher reported since the last flush. Runs on the UI thread, every
     * {@link #FLUSH_PERIOD}; public so tests with a synchronous executor can call it directly.
     */
    public void flush() {
        List<Update> batch = buffer.drain();
        if (batch.isEmpty()) {
            return;
        }
        boolean chartsChanged = false;
        List<Path> finished = new ArrayList<>();
        for (Update u : batch) {
            RunItem item = byId.get(u.job().id());
            if (item == null) {
                continue;
            }
            if (u instanceof Started) {
                item.markStarted();
                info(item.label(), "started on " + u.job().target());
                if (selected.isEmpty()) {
                    selected.add(item);
                }
            } else if (u instanceof EventUpdate) {
                Envelope e = ((EventUpdate) u).envelope();
                item.apply(e);
                chartsChanged |= selected.contains(item);
                Object ev = e.event();
                if (ev instanceof Warning) {
                    add(new LogLine(e.time(), item.label(), LogLine.Level.WARNING, ((Warning) ev).message()));
                } else if (ev instanceof RunError) {
                    add(new LogLine(e.time(), item.label(), LogLine.Level.ERROR, ((RunError) ev).message()));
                }
            } else if (u instanceof LogUpdate) {
                LogUpdate lu = (LogUpdate) u;
                LogLine.Level level = lu.level() != null ? lu.level() : levelOf(lu.line());
                String text = lu.line().strip();
                if (level != null && !isRepeat(item.label(), text)) {
                    add(new LogLine(Instant.now(), item.label(), level, text));
                }
            } else if (u instanceof Finished) {
                Finished f = (Finished) u;
                item.markFinished(f.record(), f.dir(), f.error());
                RunStatus s = item.getStatus();
                LogLine.Level level = s == RunStatus.FAILED ? LogLine.Level.ERROR : LogLine.Level.INFO;
                add(new LogLine(Instant.now(), item.label(), level, s.text()
                        + (f.error() != null && s != RunStatus.COMPLETED ? ": " + f.error() : "")
                        + (f.dir() != null ? " (" + f.dir().getFileName() + ")" : "")));
                if (f.dir() != null && f.record() != null && !u.job().isPretraining()) {
                    finished.add(f.dir());
                }
            }
        }
        if (!finished.isEmpty()) {
            onRunsFinished.accept(List.copyOf(finished));
        }
        if (chartsChanged) {
            chartsVersion.set(chartsVersion.get() + 1);
        }
        running.set(runs.stream().anyMatch(r -> !r.getStatus().isDone()));
        updateCanStopSelected();
        updateSummary();
    }

    private void updateSummary() {
        Map<RunStatus, Integer> n = new java.util.EnumMap<>(RunStatus.class);
        for (RunItem r : runs) {
            n.merge(r.getStatus(), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        for (RunStatus s : RunStatus.values()) {
            if (n.containsKey(s)) {
                parts.add(n.get(s) + " " + s.text());
            }
        }
        summary.set(parts.isEmpty() ? "no runs yet" : String.join(" · ", parts));
    }

    /**
     * Picks the worker log lines worth showing: errors, and the workbench's own warnings. The
     * engine's start-up chatter (GPU probing, libtorch deprecation notices) stays in the run's
     * worker.log with everything else.
     *
     * @param line the line
     * @return the level, or null to skip the line
     */
    static LogLine.Level levelOf(String line) {
        String l = line.toLowerCase(Locale.ROOT);
        if (l.contains(" error ") || l.startsWith("error") || l.contains("exception") || l.contains("fatal")
                || l.contains("outofmemory") || l.startsWith("unrecognized vm option")
                || l.startsWith("invalid maximum heap size") || l.startsWith("improperly specified vm option")) {
            // the JVM's own refusal of a jvm_flags entry, which comes before its "Could not create the JVM"
            return LogLine.Level.ERROR;
        }
        if (l.contains("warn") && l.contains("org.da3")) {
            return LogLine.Level.WARNING;
        }
        return null;
    }

    private boolean isRepeat(String run, String message) {
        for (int i = log.size() - 1; i >= Math.max(0, log.size() - 20); i--) {
            LogLine l = log.get(i);
            if (l.run().equals(run) && l.message().equals(message)) {
                return true;
            }
        }
        return false;
    }

    private void info(String run, String message) {
        add(new LogLine(Instant.now(), run, LogLine.Level.INFO, message));
    }

    private void add(LogLine line) {
        log.add(line);
        if (log.size() > LOG_LIMIT) {
            log.remove(0, log.size() - LOG_LIMIT);
        }
    }

    /** Stops the periodic flush and every run, and a launch still reading the earlier runs; for window close. */
    public void dispose() {
        stoppedWhileReading = readingEarlier;
        try {
            ticker.close();
        } catch (Exception e) {
            // nothing to release beyond the scheduled tick
        }
        launcher.shutdown();
    }

    /** @return the run queue, in launch order */
    public ObservableList<RunItem> runs() {
        return runs;
    }

    /** @return the runs whose data the charts show (the view keeps it in step with its selection) */
    public ObservableList<RunItem> selected() {
        return selected;
    }

    /** @return warnings, errors and run events, oldest first */
    public ObservableList<LogLine> log() {
        return log;
    }

    /** @return a counter bumped whenever the charts should redraw */
    public ReadOnlyLongProperty chartsVersionProperty() {
        return chartsVersion.getReadOnlyProperty();
    }

    /** @return counts of runs by status, for example {@code 1 running · 2 queued} */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** @return whether any run is queued or running */
    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** @return whether a chosen run is queued or running, so that Stop selected has something to stop */
    public ReadOnlyBooleanProperty canStopSelectedProperty() {
        return canStopSelected.getReadOnlyProperty();
    }

    /** @return whether any run is queued or running */
    public boolean isRunning() {
        return running.get();
    }

    /** @return the executor this view model posts to */
    TaskExecutor executor() {
        return executor;
    }
}
