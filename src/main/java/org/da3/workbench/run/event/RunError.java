package org.da3.workbench.run.event;

/**
 * The run failed (the last event before {@link RunFinished} with status failed), or the monitor
 * lost the worker.
 *
 * @param message what went wrong, for the user
 * @param cause the underlying exception class and message, or null
 * @param stackTrace the worker's stack trace, or null
 */
public record RunError(String message, String cause, String stackTrace) implements Event {}
