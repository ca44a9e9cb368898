package org.da3.workbench.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;

/**
 * A run's events.jsonl: append-only, one event per line, flushed after every line so a crash
 * loses nothing already received.
 */
public final class EventLog implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;

    /**
     * Opens (or creates) the log for appending.
     *
     * @param file the events.jsonl file
     * @throws IOException if it cannot be opened
     */
    public EventLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /**
     * Appends a line exactly as received.
     *
     * @param line one JSON event (no newline)
     * @throws IOException on a write error
     */
    public synchronized void appendLine(String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    /**
     * Appends an event.
     *
     * @param e the event
     * @throws IOException on a write error
     */
    public void append(Envelope e) throws IOException {
        appendLine(EventCodec.encode(e));
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /**
     * Reads every event of a log; lines that are not events (a torn last line after a crash) are
     * skipped, never fatal.
     *
     * @param file the events.jsonl file
     * @return the events in order
     * @throws IOException if the file cannot be read
     */
    public static List<Envelope> read(Path file) throws IOException {
        List<Envelope> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(EventCodec.decode(line));
            } catch (IllegalArgumentException e) {
                // a torn or foreign line: keep reading
            }
        }
        return out;
    }
}
