package org.da3.workbench.ui.monitor;

import java.util.Locale;

/** Where a queued run is in its life. */
public enum RunStatus {
    /** Waiting for its turn. */
    QUEUED,
    /** Its worker is running. */
    RUNNING,
    /** Finished normally. */
    COMPLETED,
    /** Stopped by an error. */
    FAILED,
    /** Stopped by the user (or never started). */
    CANCELLED;

    /** @return whether the run will not change any more */
    public boolean isDone() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /**
     * Maps a run_finished status.
     *
     * @param status completed, failed or cancelled
     * @return the status (FAILED for anything unknown)
     */
    public static RunStatus fromEvent(String status) {
        if (status == null) {
            return FAILED;
        }
        switch (status) {
            case "completed":
                return COMPLETED;
            case "cancelled":
                return CANCELLED;
            default:
                return FAILED;
        }
    }

    /** @return the lower-case name shown in the queue */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
