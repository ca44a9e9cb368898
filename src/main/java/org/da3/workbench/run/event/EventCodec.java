package org.da3.workbench.run.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes envelopes as single JSON lines and decodes them back. The line is flat: the header
 * fields ({@code schema}, {@code run}, {@code seq}, {@code time}, {@code type}) next to the event's
 * own fields. Decoding ignores unknown fields and keeps unknown types.
 */
public final class EventCodec {

    /** The JSON mapper: records, lenient on unknown fields. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private static final java.util.Set<String> HEADER = java.util.Set.of("schema", "run", "seq", "time", "type");

    private EventCodec() {}

    /**
     * Encodes one envelope as a JSON line (without the newline).
     *
     * @param e the envelope
     * @return the line
     */
    public static String encode(Envelope e) {
        ObjectNode line = JSON.createObjectNode();
        line.put("schema", e.schema());
        line.put("run", e.runId());
        line.put("seq", e.seq());
        line.put("time", e.time().toString());
        line.put("type", e.type());
        ObjectNode body;
        if (e.event() instanceof UnknownEvent) {
            body = ((UnknownEvent) e.event()).json().deepCopy();
            for (String h : HEADER) {
                body.remove(h);
            }
        } else {
            body = JSON.valueToTree(e.event());
        }
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!HEADER.contains(f.getKey())) {
                line.set(f.getKey(), f.getValue());
            }
        }
        try {
            return JSON.writeValueAsString(line);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode event " + e.type(), ex);
        }
    }

    /**
     * Decodes one JSON line.
     *
     * @param line the line
     * @return the envelope
     * @throws IllegalArgumentException if the line is not an event (not JSON, or no type)
     */
    public static Envelope decode(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException ex) {
            throw new IllegalArgumentException("not a JSON event line: " + abbreviate(line), ex);
        }
        if (node == null || !node.isObject() || !node.hasNonNull("type")) {
            throw new IllegalArgumentException("not an event (no type field): " + abbreviate(line));
        }
        ObjectNode o = (ObjectNode) node;
        String type = o.get("type").asText();
        int schema = o.path("schema").asInt(Envelope.SCHEMA);
        String run = o.path("run").asText("");
        long seq = o.path("seq").asLong(-1);
        Instant time;
        try {
            time = o.hasNonNull("time") ? parseTime(o.get("time").asText()) : Instant.EPOCH;
        } catch (java.time.format.DateTimeParseException ex) {
            time = Instant.EPOCH;
        }
        Class<? extends Event> cls = EventTypes.classOf(type);
        Event event;
        if (cls == null) {
            event = new UnknownEvent(type, o);
        } else {
            try {
                event = JSON.treeToValue(o, cls);
            } catch (IOException ex) {
                throw new IllegalArgumentException("malformed " + type + " event: " + ex.getMessage().split("\n")[0], ex);
            }
        }
        return new Envelope(schema, run, seq, time, event);
    }

    /**
     * Reads an event's time as {@link Instant#parse} does. The form every event is written in,
     * {@link Instant#toString()} of a year from 0000 to 9999 ({@code 2026-11-25T10:00:00.123456789Z}),
     * is read directly, a quarter of what decoding a line otherwise costs; any other goes to
     * {@link Instant#parse}.
     *
     * @param text the time
     * @return the instant
     * @throws java.time.format.DateTimeParseException if it is not an ISO-8601 instant
     */
    static Instant parseTime(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z'
                || n > 20 && (n == 21 || text.charAt(19) != '.')) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = n == 20 ? 0 : digits(text, 20, n - 1);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || nanos < 0) {
            return Instant.parse(text); // a leap second, or not a time: as Instant.parse reads it, or its error
        }
        for (int i = n - 1; i < 29; i++) {
            nanos *= 10; // "123" is 123 000 000 nanoseconds
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The number the decimal digits of text[from, to) make, or -1 when one is not a digit. */
    private static int digits(String text, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * The type of an event line, read without decoding the event: its top-level {@code type} field,
     * the last one when it has several, as {@link #decode} reads it. Cheaper than decoding, so a
     * reader that wants a few types passes over the others.
     *
     * @param line the line
     * @return the type, or null when the line is not a JSON object with a text {@code type}, or
     *     ends before it (then {@link #decode} says what is wrong with it, or reads the type as text)
     */
    public static String typeOf(String line) {
        try (JsonParser p = JSON.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                boolean isType = "type".equals(p.currentName());
                JsonToken value = p.nextToken();
                if (isType) {
                    type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    if (line.indexOf("\"type\"", (int) p.currentLocation().getCharOffset()) < 0) {
                        // no other type field can follow: the rest of the line need not be read
                        return type;
                    }
                } else {
                    p.skipChildren();
                }
            }
            return type;
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
