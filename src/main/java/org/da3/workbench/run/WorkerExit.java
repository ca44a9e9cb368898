package org.da3.workbench.run;

/**
 * The worker's exit codes (also the CLI's): documented in docs/protocol.md.
 */
public final class WorkerExit {
    /** The run completed. */
    public static final int OK = 0;
    /** The run failed while training (details in the error event). */
    public static final int RUN_FAILED = 1;
    /** The request or spec is invalid (nothing was trained). */
    public static final int BAD_INPUT = 2;
    /** The engine or environment is unusable (natives, memory). */
    public static final int ENVIRONMENT = 3;
    /** Stopped by a signal or by the user. */
    public static final int CANCELLED = 130;

    private WorkerExit() {}
}
