package org.da3.workbench.run;

import java.io.InputStream;

/** A launched worker: its output streams, and the means to stop it and wait for it. */
public interface RunHandle {

    /** @return the worker's stdout: JSON event lines */
    InputStream events();

    /** @return the worker's stderr: its log */
    InputStream log();

    /** Stops the worker (and, remotely, kills its process); returns at once. */
    void stop();

    /**
     * Waits for the worker to end.
     *
     * @return its exit code ({@link WorkerExit}), or -1 if unknown (a lost connection)
     * @throws InterruptedException if interrupted
     */
    int waitFor() throws InterruptedException;

    /** @return a short description for messages, for example "local pid 1234" */
    String describe();

    /**
     * Why the worker never started, for a handle that stands for a failed launch.
     *
     * @return the reason, or null for a worker that started
     */
    default String failure() {
        return null;
    }
}
