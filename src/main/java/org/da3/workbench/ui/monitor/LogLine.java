package org.da3.workbench.ui.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the Monitor's log pane.
 *
 * @param time when it happened
 * @param run the run's label, or empty for the workbench itself
 * @param level how serious it is
 * @param message the text
 */
public record LogLine(Instant time, String run, Level level, String message) {

    /** How serious a line is. */
    public enum Level {
        /** Something happened (a run started or finished). */
        INFO,
        /** Something the user should know. */
        WARNING,
        /** Something failed. */
        ERROR
    }

    /** Checks the fields. */
    public LogLine {
        Objects.requireNonNull(time);
        run = run == null ? "" : run;
        Objects.requireNonNull(level);
        Objects.requireNonNull(message);
    }
}
