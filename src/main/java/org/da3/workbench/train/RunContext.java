package org.da3.workbench.train;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.EventSink;

/**
 * Numbers events of one run (run id, sequence) and passes them to the sink; also keeps the run's
 * step counters for progress and ETA.
 */
public final class RunContext implements EventSink {
    /** Receives numbered envelopes. */
    @FunctionalInterface
    public interface EnvelopeSink {
        /**
         * Receives one envelope.
         *
         * @param e the envelope
         */
        void accept(Envelope e);
    }

    private final String runId;
    private final EnvelopeSink out;
    private final AtomicLong seq = new AtomicLong();
    private final long startNanos = System.nanoTime();

    /**
     * Creates the context.
     *
     * @param runId the run id
     * @param out where numbered envelopes go
     */
    public RunContext(String runId, EnvelopeSink out) {
        this.runId = runId;
        this.out = out;
    }

    /**
     * Numbers and sends an event. Synchronized, so events from other threads (probes such as
     * tegrastats) reach the sink in sequence order.
     *
     * @param e the event
     */
    @Override
    public synchronized void emit(Event e) {
        out.accept(new Envelope(Envelope.SCHEMA, runId, seq.getAndIncrement(), Instant.now(), e));
    }

    /** @return seconds since the run started */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** @return the run id */
    public String runId() {
        return runId;
    }
}
