package org.da3.workbench.run.event;

/**
 * Something the user should know that does not stop the run.
 *
 * @param message the warning
 */
public record Warning(String message) implements Event {}
