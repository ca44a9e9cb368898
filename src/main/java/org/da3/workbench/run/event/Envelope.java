package org.da3.workbench.run.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An event with its header: one line of events.jsonl.
 *
 * @param schema the protocol version ({@link #SCHEMA})
 * @param runId the run's id (its directory name)
 * @param seq the sequence number within the run, from 0, without gaps
 * @param time when the event was made
 * @param event the event
 */
public record Envelope(int schema, String runId, long seq, Instant time, Event event) {

    /** The protocol version this code writes. */
    public static final int SCHEMA = 1;

    /** Checks the fields. */
    public Envelope {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(event, "event");
    }

    /** @return the event's type name */
    public String type() {
        return event.type();
    }
}
