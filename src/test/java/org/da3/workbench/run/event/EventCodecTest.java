package org.da3.workbench.run.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static Envelope env(long seq, Event e) {
        return new Envelope(Envelope.SCHEMA, "run-1", seq, Instant.parse("2026-11-25T10:00:00Z"), e);
    }

    @Test
    void everyEventTypeRoundTrips() {
        List<Event> events = List.of(
                new RunStarted("exp", "da3", "da3[rho=0.7]", 7, List.of("a", "b"), Map.of("name", "exp"),
                        Map.of("java.version", "17")),
                new DomainStarted(0, "a", 10, 100, 20, 50, 1234, "abcd"),
                new Progress(0, "a", 1, 10, 50, 10, 100, 3.5, 31.5),
                new TrainMetrics("a", 1, 10, 10, 0.5, 0.75, 0.01, 0.2, 160),
                new Evaluation("a", 0, 1, 0, "test", 0.8, 16, 20, true),
                new MemorySample("train", "rss", 100, 200, 50, 150),
                new GateStats("a", 10, 10, 0.7, List.of(1.0, 0.4), "train"),
                new InferenceStats("a", 1000, 2000, Double.NaN, 0.5, 0.9, 20, 64),
                new CheckpointSaved("a", "patches/a.safetensors", 999, 1234, "ff"),
                new EpochCheckpointSaved("b", 2, 40, "checkpoints/b.safetensors", 4567, "ee", 0.012),
                new Warning("careful"),
                new RunError("boom", "java.lang.IllegalStateException", "trace"),
                new RunFinished("completed", 12.5, Map.of("mean_accuracy", 0.8)));
        assertThat(EventTypes.names()).hasSize(events.size());
        // a domain continued from an epoch checkpoint, and one taken over, keep their optional fields
        events = new java.util.ArrayList<>(events);
        events.add(new DomainStarted(1, "b", 10, 100, 20, 60, 1234, "ef", null, "run-0", 3));
        events.add(new DomainStarted(0, "a", 10, 100, 20, 0, 1234, "abcd", "run-0", null, null));
        long seq = 0;
        for (Event e : events) {
            Envelope in = env(seq++, e);
            String line = EventCodec.encode(in);
            assertThat(line).doesNotContain("\n").contains("\"type\":\"" + e.type() + "\"");
            Envelope out = EventCodec.decode(line);
            assertThat(out).isEqualTo(in);
        }
    }

    /** Event times are read as Instant.parse reads them, the form the worker writes at less cost. */
    @Test
    void timesAreReadAsInstantParseReadsThem() {
        java.util.Random r = new java.util.Random(7);
        List<String> times = new java.util.ArrayList<>(List.of("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.5Z",
                "2024-02-29T23:59:59.123456789Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "1969-12-31T23:59:59.000000001Z", "2026-11-25T10:00:00.12Z"));
        for (int i = 0; i < 10_000; i++) {
            times.add(java.time.Instant.ofEpochSecond(r.nextLong() % 253_402_300_799L, r.nextInt(1_000_000_000))
                    .truncatedTo(List.of(java.time.temporal.ChronoUnit.SECONDS, java.time.temporal.ChronoUnit.MILLIS,
                            java.time.temporal.ChronoUnit.MICROS, java.time.temporal.ChronoUnit.NANOS).get(i % 4))
                    .toString());
        }
        for (String t : times) {
            assertThat(EventCodec.parseTime(t)).as(t).isEqualTo(java.time.Instant.parse(t));
        }
        // other forms (a leap second, the end of a day, a year past 9999), and what is not a time, are Instant.parse's
        for (String odd : List.of("2016-12-31T23:59:60Z", "2026-11-25T24:00:00Z", "2026-11-25T10:00:00.Z",
                "+10000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-25T10:00:0xZ",
                "2026-11-25 10:00:00Z", "2026-11-25T10:00:00.1234567890Z", "-2026-11-25T10:00:00Z")) {
            java.time.Instant expected;
            try {
                expected = java.time.Instant.parse(odd);
            } catch (java.time.format.DateTimeParseException e) {
                assertThatThrownBy(() -> EventCodec.parseTime(odd)).as(odd)
                        .isInstanceOf(java.time.format.DateTimeParseException.class).hasMessage(e.getMessage());
                continue;
            }
            assertThat(EventCodec.parseTime(odd)).as(odd).isEqualTo(expected);
        }
        assertThat(EventCodec.decode("{\"time\":\"2026-11-25T10:00:00.000527560Z\",\"type\":\"x\"}").time())
                .isEqualTo(java.time.Instant.parse("2026-11-25T10:00:00.000527560Z"));
    }

    @Test
    void unknownFieldsAreIgnored() {
        Envelope e = EventCodec.decode("{\"schema\":1,\"run\":\"r\",\"seq\":3,\"time\":\"2026-11-25T10:00:00Z\","
                + "\"type\":\"warning\",\"message\":\"hi\",\"added_in_v2\":{\"x\":1}}");
        assertThat(e.event()).isEqualTo(new Warning("hi"));
        assertThat(e.seq()).isEqualTo(3);
    }

    @Test
    void unknownTypesAreKeptWhole() {
        String line = "{\"schema\":2,\"run\":\"r\",\"seq\":4,\"time\":\"2026-11-25T10:00:00Z\",\"type\":\"thermal\","
                + "\"celsius\":61.5}";
        Envelope e = EventCodec.decode(line);
        assertThat(e.event()).isInstanceOf(UnknownEvent.class);
        assertThat(e.type()).isEqualTo("thermal");
        assertThat(EventCodec.decode(EventCodec.encode(e)).event().type()).isEqualTo("thermal");
        assertThat(EventCodec.encode(e)).contains("\"celsius\":61.5");
    }

    @Test
    void nonEventsAreRefusedWithTheLine() {
        assertThatThrownBy(() -> EventCodec.decode("hello")).hasMessageStartingWith("not a JSON event line: hello");
        assertThatThrownBy(() -> EventCodec.decode("{\"x\":1}")).hasMessageStartingWith("not an event (no type field)");
    }

    /** The optional fields of domain_started are left out when not set, so older readers see no change. */
    @Test
    void aDomainTrainedFromItsStartHasNoResumeFields() {
        String line = EventCodec.encode(env(0, new DomainStarted(0, "a", 10, 100, 20, 50, 1234, "abcd")));
        assertThat(line).doesNotContain("reusedFrom").doesNotContain("continuedFrom").doesNotContain("startEpoch");
    }
}
