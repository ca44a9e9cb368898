package org.da3.workbench.ui.task;

import java.time.Duration;

/**
 * Runs background work and brings results back to the UI thread. The GUI uses {@link
 * FxTaskExecutor}; view-model tests use {@link CurrentThreadTaskExecutor}, which does everything
 * on the calling thread so tests need no FX toolkit and no waiting.
 */
public interface TaskExecutor {

    /**
     * Runs a task's work off the UI thread, then its success or failure callback on the UI thread.
     *
     * @param task the task
     * @param <T> its result type
     */
    <T> void execute(BackgroundTask<T> task);

    /**
     * Runs an action on the UI thread, later (or now, on the synchronous executor).
     *
     * @param action the action
     */
    void runOnUi(Runnable action);

    /**
     * Runs an action on the UI thread periodically. A tick that is still waiting to run is not
     * queued twice, so a busy UI thread is never flooded.
     *
     * @param period the period
     * @param action the action
     * @return a handle that cancels the ticks when closed
     */
    AutoCloseable every(Duration period, Runnable action);

    /** Stops the background threads; running work is interrupted. */
    void shutdown();
}
