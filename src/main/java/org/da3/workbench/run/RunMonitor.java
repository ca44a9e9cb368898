package org.da3.workbench.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;

/**
 * Watches one worker: appends every event line to the run's events.jsonl as it arrives (exactly as
 * received), passes decoded events to a listener (the CLI's progress bar, the GUI's charts), copies
 * the worker's stderr to worker.log, and closes the log with an error and a run_finished event of
 * its own when the worker dies or the connection drops before finishing.
 */
public final class RunMonitor {

    /** Receives a run's events as they arrive, on the monitor's thread. */
    public interface Listener {
        /**
         * An event arrived (already appended to events.jsonl).
         *
         * @param e the event
         */
        void onEvent(Envelope e);

        /**
         * A line of the worker's log arrived.
         *
         * @param line the line
         */
        default void onLog(String line) {}

        /**
         * Something the user must hear about that comes after the run's last event: the run's
         * files could not be copied back from a remote target. Goes to {@link #onLog} unless
         * overridden.
         *
         * @param message the message
         */
        default void onWarning(String message) {
            onLog(message);
        }
    }

    /**
     * How a watched run ended.
     *
     * @param status completed, failed or cancelled
     * @param exitCode the worker's exit code, or -1 if unknown
     * @param message the error message when it failed, else null
     */
    public record Outcome(String status, int exitCode, String message) {
        /** @return true if the run completed */
        public boolean ok() {
            return RunFinished.COMPLETED.equals(status);
        }
    }

    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile RunHandle handle;
    private Thread starting; // guarded by this

    /**
     * Asks the watched worker to stop; {@link #watch} then ends with status cancelled. While the
     * worker is being started ({@link #starting()}), the starting thread is interrupted, so a long
     * upload to a remote target is abandoned instead of finished first.
     */
    public void stop() {
        stopRequested.set(true);
        synchronized (this) {
            if (starting != null) {
                starting.interrupt();
            }
        }
        RunHandle h = handle;
        if (h != null) {
            h.stop();
        }
    }

    /**
     * Marks the calling thread as starting the worker ({@link Target#launch}): until {@link
     * #started()}, {@link #stop()} interrupts it. A stop that came earlier interrupts it at once.
     */
    public void starting() {
        synchronized (this) {
            starting = Thread.currentThread();
            if (stopRequested.get()) {
                starting.interrupt();
            }
        }
    }

    /**
     * Ends {@link #starting()}: the calling thread is no longer interrupted by {@link #stop()},
     * and an interrupt that came from a stop is cleared.
     */
    public void started() {
        synchronized (this) {
            starting = null;
        }
        if (stopRequested.get()) {
            Thread.interrupted();
        }
    }

    /** @return whether {@link #stop} was called */
    public boolean stopRequested() {
        return stopRequested.get();
    }

    /**
     * Watches a worker until it ends.
     *
     * @param h the worker
     * @param dir the run directory
     * @param listener the listener
     * @return how the run ended
     * @throws IOException if events.jsonl cannot be written
     */
    public Outcome watch(RunHandle h, RunDirectory dir, Listener listener) throws IOException {
        this.handle = h;
        long watchStart = System.nanoTime();
        if (stopRequested.get()) {
            h.stop();
        }
        Thread logThread = new Thread(() -> copyLog(h, dir, listener), "worker-log-" + dir.runId());
        logThread.setDaemon(true);
        logThread.start();
        long lastSeq = -1;
        String finished = null;
        String error = null;
        String lost = null;
        try (EventLog log = new EventLog(dir.eventsFile());
                BufferedReader r = new BufferedReader(new InputStreamReader(h.events(), StandardCharsets.UTF_8))) {
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Envelope e;
                    try {
                        e = EventCodec.decode(line);
                    } catch (IllegalArgumentException ex) {
                        listener.onLog("stdout: " + line);
                        continue;
                    }
                    log.appendLine(line);
                    lastSeq = Math.max(lastSeq, e.seq());
                    if (e.event() instanceof RunFinished) {
                        finished = ((RunFinished) e.event()).status();
                    } else if (e.event() instanceof RunError) {
                        error = ((RunError) e.event()).message();
                    }
                    listener.onEvent(e);
                }
            } catch (IOException ex) {
                lost = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            }
            int code;
            try {
                code = h.waitFor();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                h.stop();
                code = -1;
            }
            try {
                logThread.join(2000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            if (finished != null) {
                return new Outcome(finished, code, error);
            }
            String status = stopRequested.get() ? RunFinished.CANCELLED : RunFinished.FAILED;
            String message;
            if (stopRequested.get()) {
                message = "stopped by the user";
            } else if (h.failure() != null) {
                message = h.failure();
            } else if (lost != null) {
                message = "lost the connection to the worker (" + h.describe() + "): " + lost
                        + "; the events received so far are kept";
            } else {
                message = "the worker (" + h.describe() + ") ended with exit code " + code
                        + " before finishing; see worker.log in " + dir.dir();
            }
            Event err = new RunError(message, null, null);
            if (!stopRequested.get()) {
                append(log, dir, ++lastSeq, err, listener);
            }
            // the worker never said how long it ran: the time it was watched stands in
            append(log, dir, ++lastSeq, new RunFinished(status, (System.nanoTime() - watchStart) / 1e9,
                    Map.of("exit_code", code)), listener);
            return new Outcome(status, code, stopRequested.get() ? null : message);
        }
    }

    private static void append(EventLog log, RunDirectory dir, long seq, Event e, Listener listener)
            throws IOException {
        Envelope env = new Envelope(Envelope.SCHEMA, dir.runId(), seq, Instant.now(), e);
        log.append(env);
        listener.onEvent(env);
    }

    private static void copyLog(RunHandle h, RunDirectory dir, Listener listener) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(h.log(), StandardCharsets.UTF_8));
                Writer w = Files.newBufferedWriter(dir.workerLog(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.write('\n');
                w.flush();
                listener.onLog(line);
            }
        } catch (IOException e) {
            // the stream closed with the worker; nothing more to copy
        }
    }
}
