package org.da3.workbench.ui.monitor;

import java.nio.file.Path;
import java.util.List;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.spec.ExperimentSpec;

/**
 * Runs the GUI's jobs outside its process: one worker per job, on the job's target, one at a
 * time, never on the UI thread. The listener is called on background threads.
 */
public interface RunLauncher {

    /**
     * Plans an experiment's jobs: backbone pretraining first if its weights are missing, then one
     * job per (method, seed).
     *
     * @param spec the experiment
     * @return the jobs in order
     * @throws org.da3.workbench.spec.SpecException if the spec cannot run (naming the field)
     */
    List<RunJob> plan(ExperimentSpec spec);

    /**
     * The planned jobs that already completed with the same resolved spec (and weights), each with
     * its run directory: the latest such run (see {@link
     * org.da3.workbench.run.ExperimentRunner#completed}).
     *
     * @param jobs jobs from {@link #plan}
     * @return the completed ones, in order; none by default
     */
    default java.util.Map<RunJob, Path> completed(List<RunJob> jobs) {
        return java.util.Map.of();
    }

    /**
     * Before a resume: copies back what earlier runs of these jobs left on a remote machine when
     * their connection was lost (see {@link
     * org.da3.workbench.run.ExperimentRunner#collectLeftBehind}). Nothing by default.
     *
     * @param jobs jobs from {@link #plan}
     * @param notes told what came back from each run
     * @param problems told of each run whose files could not be copied back, and why
     */
    default void collectLeftBehind(List<RunJob> jobs, java.util.function.Consumer<String> notes,
            java.util.function.Consumer<String> problems) {}

    /**
     * The planned jobs that can pick up from an earlier run of the same spec that stopped part-way
     * (see {@link org.da3.workbench.run.ExperimentRunner#resumable}), each with the job that does.
     *
     * @param jobs jobs from {@link #plan} that did not complete
     * @return the resumable ones, in order, each with its resuming copy (same id); none by default
     */
    default java.util.Map<RunJob, RunJob> resumable(List<RunJob> jobs) {
        return java.util.Map.of();
    }

    /**
     * {@link #resumable(List)}, telling of each saved patch or epoch checkpoint that cannot be used (missing, or
     * changed since it was written: its domain then trains from its first epoch).
     *
     * @param jobs jobs from {@link #plan} that did not complete
     * @param warnings told each such file, in words
     * @return the resumable ones, in order, each with its resuming copy (same id)
     */
    default java.util.Map<RunJob, RunJob> resumable(List<RunJob> jobs, java.util.function.Consumer<String> warnings) {
        return resumable(jobs);
    }

    /**
     * Queues jobs; they run in order after any already queued. Returns at once.
     *
     * @param jobs the jobs
     * @param listener receives their progress, on background threads
     */
    void submit(List<RunJob> jobs, Listener listener);

    /**
     * Stops a job: a queued job is dropped, a running one's worker is stopped.
     *
     * @param job the job
     */
    void stop(RunJob job);

    /** Stops every queued and running job. */
    void stopAll();

    /**
     * Stops everything and releases the launcher's threads; returns when the runs under way have
     * been recorded as stopped (or a bounded wait for that has passed), since the workbench may
     * exit right after.
     */
    void shutdown();

    /** What happens to the jobs, reported from background threads; only {@link #finished} must be heard. */
    interface Listener {
        /**
         * A job's worker is starting.
         *
         * @param job the job
         */
        default void started(RunJob job) {}

        /**
         * A job's worker sent an event (already written to its events.jsonl).
         *
         * @param job the job
         * @param event the event
         */
        default void event(RunJob job, Envelope event) {}

        /**
         * A line of a job's worker log.
         *
         * @param job the job
         * @param line the line
         */
        default void log(RunJob job, String line) {}

        /**
         * The launcher's own word on a job (a stopped pretraining it continues, a checkpoint it
         * cannot use), for the log as it is, unlike the worker's lines.
         *
         * @param job the job
         * @param level INFO or WARNING
         * @param text the note
         */
        default void note(RunJob job, LogLine.Level level, String text) {}

        /**
         * A job ended.
         *
         * @param job the job
         * @param record what it produced (null if it never started)
         * @param runDir its run directory (null if none was made)
         * @param error why it failed or was dropped, or null
         */
        void finished(RunJob job, RunRecord record, Path runDir, String error);
    }
}
