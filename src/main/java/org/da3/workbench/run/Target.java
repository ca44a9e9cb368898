package org.da3.workbench.run;

import java.io.IOException;

/**
 * Where a run executes: this machine ({@link LocalTarget}) or a remote device over SSH ({@code
 * run.ssh.SshTarget}). A target starts one worker per run; the {@link RunMonitor} reads its events.
 */
public interface Target extends AutoCloseable {

    /** @return the target's name, for example {@code local} or {@code jetson-nano} */
    String name();

    /** @return a description for the user, for example "local (this machine, 2 cores)" */
    String describe();

    /**
     * Starts a worker for one run.
     *
     * @param request the run's request (paths on this machine; a remote target relocates them)
     * @param dir the local run directory (for patches copied back, logs)
     * @return the running worker
     * @throws IOException if the worker cannot be started, with a message naming the cause
     */
    RunHandle launch(WorkerRequest request, RunDirectory dir) throws IOException;

    /**
     * Called after the worker ended, to bring back its output files (patches) when they live on
     * another machine. The local target does nothing.
     *
     * @param request the run's request
     * @param dir the local run directory
     * @throws IOException if the files cannot be copied
     */
    default void collect(WorkerRequest request, RunDirectory dir) throws IOException {}

    /**
     * How many runs this target runs at once when a {@link RunQueue} dispatches to it.
     *
     * @return 1 unless configured otherwise
     */
    default int maxConcurrentRuns() {
        return 1;
    }

    @Override
    default void close() {}
}
