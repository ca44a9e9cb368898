package org.da3.workbench.run;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.EventTypes;
import org.da3.workbench.run.event.UnknownEvent;
import org.da3.workbench.spec.Names;

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
     * An event and the line of the log it was read from.
     *
     * @param number the line number, from 1
     * @param envelope the event
     */
    public record Line(int number, Envelope envelope) {}

    /** Lines reported one by one per file; further skipped lines are counted in one warning. */
    public static final int WARNED_LINES = 5;
    /** Longer lines are not events (a file of garbage or zeros); they are skipped unread. */
    static final long MAX_LINE = 64L << 20;

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
        for (Line l : readLines(file, w -> { })) {
            out.add(l.envelope());
        }
        return out;
    }

    /**
     * Reads the events appended to a log after it had a given size (what a remote target copied
     * back after the run's stream ended); lines that are not events are skipped.
     *
     * @param file the events.jsonl file
     * @param offset the size it had; the bytes before it are not read
     * @return the events after it, in order; none when the file is missing or not longer
     * @throws IOException if the file cannot be read
     */
    public static List<Envelope> readFrom(Path file, long offset) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) <= offset) {
            return List.of();
        }
        byte[] tail;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            tail = in.readAllBytes();
        }
        List<Envelope> out = new ArrayList<>();
        for (String line : new String(tail, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(EventCodec.decode(line));
                } catch (IllegalArgumentException e) {
                    // not an event: readLines names it when the log is read
                }
            }
        }
        return out;
    }

    /**
     * Reads every event of a log, decoding each line on its own: a line that is not UTF-8 text, or
     * not an event (a torn last line after a crash, a foreign line), is skipped with a warning that
     * names the file and line; it never stops the other lines from being read. A byte-order mark
     * at the start of a line is dropped (with a warning) and the line read. An event of a type
     * this workbench does not know is kept (as {@link UnknownEvent}: a newer worker may send types
     * an older workbench does not know) and named in one warning per type, at its first line.
     *
     * @param file the events.jsonl file
     * @param warnings receives one message per problem ({@code FILE:LINE: what; line skipped})
     * @return the events in order, with their line numbers
     * @throws IOException if the file cannot be read
     */
    public static List<Line> readLines(Path file, Consumer<String> warnings) throws IOException {
        List<Line> out = new ArrayList<>();
        forEachLine(file, null, warnings, out::add);
        return out;
    }

    /**
     * Reads the events of a log one at a time, as {@link #readLines} does, keeping none of them: for
     * what is built from a log of tens of thousands of lines (a record, chart data), so that a run's
     * events need not all be in memory at once. With {@code types}, a line whose event is of
     * another type is passed over undecoded (its type is read, not the rest of it), and is neither
     * passed on nor warned about.
     *
     * @param file the events.jsonl file
     * @param types the event types to decode (the {@code type} names), or null for every line
     * @param warnings receives one message per problem ({@code FILE:LINE: what; line skipped})
     * @param each receives each event decoded, with its line number, in order
     * @throws IOException if the file cannot be read
     */
    public static void forEachLine(Path file, Set<String> types, Consumer<String> warnings, Consumer<Line> each)
            throws IOException {
        int[] skipped = {0};
        int[] newest = {Envelope.SCHEMA};
        // each type this workbench does not know: its first line, its lines, the protocol version of the first
        Map<String, int[]> unknown = new LinkedHashMap<>();
        Consumer<Line> out = l -> {
            newest[0] = Math.max(newest[0], l.envelope().schema());
            if (l.envelope().event() instanceof UnknownEvent) {
                unknown.computeIfAbsent(l.envelope().type(), t -> new int[] {l.number(), 0, l.envelope().schema()})[1]++;
            }
            each.accept(l);
        };
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long lineBytes = 0;
            int number = 1;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, from, Math.max(0, (int) Math.min(i - from, MAX_LINE - lineBytes)));
                        decodeLine(file, number++, line, lineBytes + i - from, types, out, warnings, skipped);
                        line.reset();
                        lineBytes = 0;
                        from = i + 1;
                    }
                }
                line.write(buf, from, Math.max(0, (int) Math.min(n - from, MAX_LINE - lineBytes)));
                lineBytes += n - from;
            }
            if (lineBytes > 0) {
                decodeLine(file, number, line, lineBytes, types, out, warnings, skipped);
            }
        }
        if (skipped[0] > WARNED_LINES) {
            warnings.accept(file + ": " + (skipped[0] - WARNED_LINES) + " more lines that are not events skipped");
        }
        unknownTypes(file, unknown, warnings);
        if (newest[0] > Envelope.SCHEMA) {
            // a later protocol renamed fields or changed their meaning: its numbers may be misread here
            warnings.accept(file + ": written in event protocol version " + newest[0] + ", newer than the version "
                    + Envelope.SCHEMA + " this workbench reads; its values may be missing or misread: read it with"
                    + " the workbench that wrote it, or a newer one");
        }
    }

    /**
     * Names each event type of a log that this workbench does not know, once, at its first line:
     * in a log of a protocol version it reads, such a type is a typo or damage, or comes from a
     * newer workbench (adding a type leaves the version as it is); its events are ignored by every
     * reader, so the user should know they are there.
     */
    private static void unknownTypes(Path file, Map<String, int[]> types, Consumer<String> warnings) {
        int named = 0;
        for (Map.Entry<String, int[]> t : types.entrySet()) {
            if (named++ == WARNED_LINES) {
                warnings.accept(file + ": " + (types.size() - WARNED_LINES) + " more event types that this workbench"
                        + " does not know; their lines are ignored");
                break;
            }
            String type = t.getKey();
            int[] at = t.getValue();
            String near = Names.closest(type, EventTypes.names());
            String which = at[1] == 1 ? "its line is ignored" : "its " + at[1] + " lines are ignored";
            warnings.accept(file + ":" + at[0] + ": unknown event type '" + oneLine(type, 60) + "'"
                    + (near == null ? "" : " (did you mean " + near + "?)") + "; " + which
                    + (at[2] > Envelope.SCHEMA
                            ? " (the line is of event protocol version " + at[2] + "): read the log with the"
                                    + " workbench that wrote it, or a newer one"
                            : ". Known types: " + String.join(", ", EventTypes.names()) + "; if a newer workbench"
                                    + " wrote this log, read it with that one"));
        }
    }

    /**
     * Decodes one line (without its newline) and passes on its event, or reports why it is skipped;
     * an event of a type not in {@code types} (when given) is passed over.
     */
    private static void decodeLine(Path file, int number, ByteArrayOutputStream line, long length, Set<String> types,
            Consumer<Line> out, Consumer<String> warnings, int[] skipped) {
        String where = file + ":" + number + ": ";
        String problem = null;
        if (length > MAX_LINE) {
            problem = "is " + length + " bytes long, more than any event (" + MAX_LINE + ")";
        } else {
            byte[] bytes = line.toByteArray();
            int start = 0;
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            if (end >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
                warnings.accept(where + "starts with a byte-order mark (BOM); ignored it");
                start = 3;
            }
            try {
                String text = utf8(bytes, start, end);
                String type = types == null || text.isBlank() ? null : EventCodec.typeOf(text);
                if (!text.isBlank() && (type == null || types.contains(type))) {
                    // a line whose type cannot be read is decoded: that says what is wrong with it
                    out.accept(new Line(number, EventCodec.decode(text)));
                }
            } catch (RuntimeException e) {
                problem = printable(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        if (problem != null && ++skipped[0] <= WARNED_LINES) {
            warnings.accept(where + problem + "; line skipped");
        }
    }

    /** Decodes strict UTF-8; the exception's message says which byte is wrong and where. */
    private static String utf8(byte[] bytes, int start, int end) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
        CharBuffer chars = CharBuffer.allocate(end - start);
        if (d.decode(in, chars, true).isError()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "not UTF-8 text (byte 0x%02X at column %d)",
                    bytes[in.position()] & 0xff, in.position() - start + 1));
        }
        d.flush(chars);
        return chars.flip().toString();
    }

    /** A message with control characters escaped and long text cut, fit for one line of a terminal. */
    private static String printable(String s) {
        return oneLine(s, 160);
    }

    /**
     * Text on one line: a line break or another control character (a file name may hold one, a
     * damaged line does) would split the line or move the cursor; each is shown escaped, as a
     * backslash sequence (a line break as backslash-n, others by their code).
     *
     * @param s the text
     * @param max the length after which the rest is cut and "..." added; 0 for none
     * @return the line
     */
    public static String oneLine(String s, int max) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        for (; i < s.length() && (max <= 0 || b.length() < max); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return i < s.length() ? b + "..." : b.toString();
    }
}
