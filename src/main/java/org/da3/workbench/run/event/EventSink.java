package org.da3.workbench.run.event;

/** Where a worker's events go: stdout in a worker process, a list in tests. */
@FunctionalInterface
public interface EventSink {
    /**
     * Emits an event.
     *
     * @param e the event
     */
    void emit(Event e);
}
