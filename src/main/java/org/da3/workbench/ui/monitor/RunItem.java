package org.da3.workbench.ui.monitor;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunFinished;

/**
 * One run in the Monitor's queue: its status, progress with ETA, a one-line detail, its chart
 * data and, once done, its record. Changed only on the UI thread by {@link MonitorViewModel}.
 */
public final class RunItem {
    private final RunJob job;
    private final RunTrace trace;
    private final ReadOnlyObjectWrapper<RunStatus> status = new ReadOnlyObjectWrapper<>(this, "status", RunStatus.QUEUED);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper(this, "detail", "waiting");
    private final ReadOnlyStringWrapper eta = new ReadOnlyStringWrapper(this, "eta", "");
    private final ReadOnlyObjectWrapper<Path> runDir = new ReadOnlyObjectWrapper<>(this, "runDir");
    private final ReadOnlyObjectWrapper<RunRecord> record = new ReadOnlyObjectWrapper<>(this, "record");

    /**
     * Creates a queued item.
     *
     * @param job the job
     */
    public RunItem(RunJob job) {
        this(job, new RunTrace());
    }

    /**
     * Creates an item with chart data already read (a run that completed earlier, read off the UI
     * thread; the item takes it over, and from then on it is changed only on the UI thread).
     *
     * @param job the job
     * @param trace its chart data
     */
    RunItem(RunJob job, RunTrace trace) {
        this.job = Objects.requireNonNull(job);
        this.trace = Objects.requireNonNull(trace);
    }

    /** @return the job */
    public RunJob job() {
        return job;
    }

    /** @return the label shown in the queue and the chart legends */
    public String label() {
        return job.label();
    }

    /** @return the chart data */
    public RunTrace trace() {
        return trace;
    }

    void markStarted() {
        status.set(RunStatus.RUNNING);
        progress.set(-1);
        detail.set("starting worker on " + job.target());
    }

    void apply(Envelope e) {
        trace.apply(e);
        Object ev = e.event();
        if (ev instanceof Progress) {
            Progress p = (Progress) ev;
            if (p.runSteps() > 0) {
                progress.set(Math.min(1, (double) p.runStep() / p.runSteps()));
            }
            detail.set(p.domain() + " · epoch " + p.epoch() + " · step " + p.step() + "/" + p.steps());
            eta.set(formatEta(p.etaSeconds()));
        } else if (ev instanceof RunFinished) {
            RunFinished f = (RunFinished) ev;
            status.set(RunStatus.fromEvent(f.status()));
        }
    }

    void markFinished(RunRecord rec, Path dir, String error) {
        if (dir != null) {
            runDir.set(dir);
        }
        record.set(rec);
        RunStatus s = rec != null ? RunStatus.fromEvent(rec.status()) : (error != null && error.startsWith("stopped")
                ? RunStatus.CANCELLED : RunStatus.FAILED);
        status.set(s);
        if (s == RunStatus.COMPLETED) {
            progress.set(1);
        } else if (progress.get() < 0) {
            progress.set(0);
        }
        eta.set("");
        detail.set(s == RunStatus.COMPLETED
                ? (rec != null && Double.isFinite(rec.seconds()) ? String.format(Locale.ROOT, "done in %.0f s", rec.seconds())
                        : "done")
                : (error == null ? s.text() : error));
    }

    void setRunDir(Path dir) {
        if (runDir.get() == null) {
            runDir.set(dir);
        }
    }

    /**
     * Formats an ETA in seconds as {@code ETA 3m05s}.
     *
     * @param seconds the estimate
     * @return the text, empty when unknown
     */
    public static String formatEta(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "ETA %dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "ETA %dm%02ds", s / 60, s % 60);
    }

    /** @return the status */
    public ReadOnlyObjectProperty<RunStatus> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** @return the status */
    public RunStatus getStatus() {
        return status.get();
    }

    /** @return the fraction done, 0..1, or -1 while starting */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** @return the fraction done */
    public double getProgress() {
        return progress.get();
    }

    /** @return where the run is: domain, epoch, step; or how it ended */
    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    /** @return where the run is */
    public String getDetail() {
        return detail.get();
    }

    /** @return the estimated time left, for example {@code ETA 1m20s} */
    public ReadOnlyStringProperty etaProperty() {
        return eta.getReadOnlyProperty();
    }

    /** @return the estimated time left */
    public String getEta() {
        return eta.get();
    }

    /** @return the run directory, once known */
    public ReadOnlyObjectProperty<Path> runDirProperty() {
        return runDir.getReadOnlyProperty();
    }

    /** @return the run directory, or null */
    public Path getRunDir() {
        return runDir.get();
    }

    /** @return the run's record once it ended */
    public ReadOnlyObjectProperty<RunRecord> recordProperty() {
        return record.getReadOnlyProperty();
    }

    /** @return the run's record, or null */
    public RunRecord getRecord() {
        return record.get();
    }
}
