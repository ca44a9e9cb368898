package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.EventTypes;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.UnknownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {

    private static byte[] event(long seq) {
        return EventCodec.encode(new Envelope(1, "r", seq, Instant.EPOCH, new RunError("e" + seq, "x", null)))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBadLineIsSkippedWithAWarningAndTheOthersAreRead(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        b.write(event(0));
        b.write('\n');
        b.write(event(1));
        b.write(new byte[] {'\r', '\n'});
        byte[] bad = event(2);
        bad[10] = (byte) 0xFF;
        b.write(bad);
        b.write('\n');
        b.write("| Method | accuracy |\n\n".getBytes(StandardCharsets.UTF_8));
        b.write(event(3));
        b.write('\n');
        b.write("{\"schema\":1,\"type\":\"run_fin".getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("events.jsonl");
        Files.write(file, b.toByteArray());
        List<String> warnings = new ArrayList<>();
        List<EventLog.Line> lines = EventLog.readLines(file, warnings::add);
        assertThat(lines).extracting(EventLog.Line::number).containsExactly(1, 2, 6);
        assertThat(lines).extracting(l -> ((RunError) l.envelope().event()).message()).containsExactly("e0", "e1",
                "e3");
        assertThat(warnings).containsExactly(file + ":1: starts with a byte-order mark (BOM); ignored it",
                file + ":3: not UTF-8 text (byte 0xFF at column 11); line skipped",
                file + ":4: not a JSON event line: | Method | accuracy |; line skipped",
                file + ":7: not a JSON event line: {\"schema\":1,\"type\":\"run_fin; line skipped");
        assertThat(EventLog.read(file)).hasSize(3);
    }

    @Test
    void aMalformedEventIsNamedAndManyBadLinesAreCounted(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("events.jsonl");
        StringBuilder s = new StringBuilder(
                "{\"schema\":1,\"type\":\"run_started\",\"seed\":\"seven\"}\n\u0000\u0000\n");
        for (int i = 0; i < 10; i++) {
            s.append("garbage\n");
        }
        s.append(EventCodec.encode(new Envelope(1, "r", 5, Instant.EPOCH,
                new RunFinished(RunFinished.COMPLETED, 1, Map.of()))));
        Files.writeString(file, s);
        List<String> warnings = new ArrayList<>();
        List<EventLog.Line> lines = EventLog.readLines(file, warnings::add);
        assertThat(lines).extracting(EventLog.Line::number).containsExactly(13);
        assertThat(warnings).hasSize(EventLog.WARNED_LINES + 1);
        assertThat(warnings.get(0)).startsWith(file + ":1: malformed run_started event: ").contains("seven")
                .endsWith("; line skipped");
        assertThat(warnings.get(1)).isEqualTo(file + ":2: not a JSON event line: \\u0000\\u0000; line skipped");
        assertThat(warnings.get(EventLog.WARNED_LINES)).isEqualTo(file + ": 7 more lines that are not events skipped");
    }
    /**
     * A reader that wants a few types gets those, with their line numbers; the others are passed
     * over undecoded (a malformed one too), but a line that is not an event is still named.
     */
    @Test
    void onlyTheTypesAskedForAreDecoded(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("events.jsonl");
        Files.writeString(file, new String(event(0), StandardCharsets.UTF_8) + "\n"
                + "{\"schema\":1,\"run\":\"r\",\"seq\":1,\"type\":\"progress\",\"step\":\"seven\"}\n"
                + "garbage\n"
                + "{\"schema\":1,\"run\":\"r\",\"seq\":2,\"summary\":{\"type\":\"error\"},\"type\":\"progress\"}\n"
                + "{\"schema\":1,\"run\":\"r\",\"seq\":3,\"type\":\"error\",\"message\":{\"text\":\"x\"}}\n"
                + EventCodec.encode(new Envelope(1, "r", 4, Instant.EPOCH, new RunFinished(RunFinished.COMPLETED, 1,
                        Map.of()))) + "\n");
        List<String> warnings = new ArrayList<>();
        List<EventLog.Line> lines = new ArrayList<>();
        EventLog.forEachLine(file, java.util.Set.of("error", "run_finished"), warnings::add, lines::add);
        assertThat(lines).extracting(EventLog.Line::number).containsExactly(1, 6);
        assertThat(lines).extracting(l -> l.envelope().type()).containsExactly("error", "run_finished");
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).isEqualTo(file + ":3: not a JSON event line: garbage; line skipped");
        assertThat(warnings.get(1)).startsWith(file + ":5: malformed error event: ");

        // every type: the same as readLines
        warnings.clear();
        lines.clear();
        EventLog.forEachLine(file, null, warnings::add, lines::add);
        assertThat(lines).extracting(EventLog.Line::number).containsExactly(1, 4, 6);
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(0)).startsWith(file + ":2: malformed progress event: ");
        assertThat(EventLog.readLines(file, w -> { })).extracting(EventLog.Line::number).containsExactly(1, 4, 6);
    }

    /** The type of a line is its top-level field, read without decoding the event. */
    @Test
    void theTypeOfALineIsReadWithoutDecodingIt() {
        assertThat(EventCodec.typeOf("{\"summary\":{\"type\":\"error\"},\"type\":\"progress\",\"step\":\"x\"}"))
                .isEqualTo("progress");
        assertThat(EventCodec.typeOf("{\"type\":5}")).isNull();
        assertThat(EventCodec.typeOf("[\"type\"]")).isNull();
        assertThat(EventCodec.typeOf("{\"type\":\"memory\",\"phase\":\"tr")).as("torn after its type").isEqualTo("memory");
        assertThat(EventCodec.typeOf("{\"seq\":1,\"type\":\"mem")).as("torn in its type").isNull();
        String twice = "{\"type\":\"error\",\"details\":{\"type\":\"x\"},\"type\":\"memory\"}";
        assertThat(EventCodec.typeOf(twice)).as("the last type field, as decoding reads it").isEqualTo("memory")
                .isEqualTo(EventCodec.decode(twice).type());
        assertThat(EventCodec.typeOf("garbage")).isNull();
    }

    /** A log written by a later protocol version is read, with a warning that its values may be misread. */
    @Test
    void aLogOfANewerProtocolIsReadWithAWarning(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("events.jsonl");
        Files.write(file, event(0));
        List<String> warnings = new ArrayList<>();
        assertThat(EventLog.readLines(file, warnings::add)).hasSize(1);
        assertThat(warnings).isEmpty();
        Files.writeString(file, new String(event(0), StandardCharsets.UTF_8).replace("\"schema\":1", "\"schema\":99")
                + "\n" + new String(event(1), StandardCharsets.UTF_8) + "\n");
        assertThat(EventLog.readLines(file, warnings::add)).hasSize(2);
        assertThat(warnings).containsExactly(file + ": written in event protocol version 99, newer than the version 1"
                + " this workbench reads; its values may be missing or misread: read it with the workbench that"
                + " wrote it, or a newer one");
    }

    /**
     * An event type this workbench does not know is kept and read past (a newer worker may send
     * one), and named once per type at its first line, with the types known, or, on a line of a
     * newer protocol, with the hint to read the log with the workbench that wrote it.
     */
    @Test
    void anUnknownEventTypeIsKeptAndNamedOncePerType(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("events.jsonl");
        String known = new String(event(0), StandardCharsets.UTF_8);
        Files.writeString(file, known + "\n"
                + known.replace("\"type\":\"error\"", "\"type\":\"evalution\"") + "\n"
                + known + "\n"
                + known.replace("\"type\":\"error\"", "\"type\":\"evalution\"") + "\n"
                + known.replace("\"type\":\"error\"", "\"type\":\"tensorboard_scalars\"") + "\n"
                + known.replace("\"type\":\"error\"", "\"type\":\"gpu_clock\"").replace("\"schema\":1", "\"schema\":2")
                + "\n");
        List<String> warnings = new ArrayList<>();
        List<EventLog.Line> lines = EventLog.readLines(file, warnings::add);
        assertThat(lines).extracting(EventLog.Line::number).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(lines.get(1).envelope().event()).isInstanceOf(UnknownEvent.class);
        assertThat(EventCodec.encode(lines.get(1).envelope())).as("kept whole")
                .isEqualTo(known.replace("\"type\":\"error\"", "\"type\":\"evalution\""));
        String types = String.join(", ", EventTypes.names());
        assertThat(warnings).containsExactly(
                file + ":2: unknown event type 'evalution' (did you mean evaluation?); its 2 lines are ignored. Known"
                        + " types: " + types + "; if a newer workbench wrote this log, read it with that one",
                file + ":5: unknown event type 'tensorboard_scalars'; its line is ignored. Known types: " + types
                        + "; if a newer workbench wrote this log, read it with that one",
                file + ":6: unknown event type 'gpu_clock'; its line is ignored (the line is of event protocol"
                        + " version 2): read the log with the workbench that wrote it, or a newer one",
                file + ": written in event protocol version 2, newer than the version 1 this workbench reads; its"
                        + " values may be missing or misread: read it with the workbench that wrote it, or a newer one");
    }

    /** A file of many foreign types (another tool's JSON lines) gives a few warnings, then a count. */
    @Test
    void manyUnknownEventTypesAreCounted(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("events.jsonl");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            s.append("{\"type\":\"t").append(i).append("\",\"step\":").append(i).append("}\n");
        }
        Files.writeString(file, s);
        List<String> warnings = new ArrayList<>();
        assertThat(EventLog.readLines(file, warnings::add)).hasSize(20);
        assertThat(warnings).hasSize(EventLog.WARNED_LINES + 1);
        assertThat(warnings.get(0)).startsWith(file + ":1: unknown event type 't0'; its line is ignored.");
        assertThat(warnings.get(EventLog.WARNED_LINES)).isEqualTo(file + ": 15 more event types that this workbench"
                + " does not know; their lines are ignored");
    }
}
