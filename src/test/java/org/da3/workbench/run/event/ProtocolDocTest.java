package org.da3.workbench.run.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;

/** docs/protocol.md stays true to the code: every event type and field, and the request's fields. */
class ProtocolDocTest {
    private static final Pattern SECTION = Pattern.compile("(?m)^### `([a-z_]+)`$");
    private static final Pattern FIELD = Pattern.compile("(?m)^\\| `([A-Za-z0-9_]+)` \\|");

    private static String doc() throws IOException {
        return Files.readString(TestWorkspace.projectDir().resolve("docs/protocol.md"));
    }

    /** Field names per section heading. */
    private static Map<String, Set<String>> sections(String doc) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Matcher m = SECTION.matcher(doc);
        int start = -1;
        String name = null;
        while (true) {
            boolean found = m.find();
            if (name != null) {
                String body = doc.substring(start, found ? m.start() : doc.length());
                int next = body.indexOf("\n## ");
                if (next >= 0) {
                    body = body.substring(0, next);
                }
                Set<String> fields = new LinkedHashSet<>();
                Matcher f = FIELD.matcher(body);
                while (f.find()) {
                    fields.add(f.group(1));
                }
                out.put(name, fields);
            }
            if (!found) {
                return out;
            }
            name = m.group(1);
            start = m.end();
        }
    }

    @Test
    void everyEventTypeAndFieldIsDocumentedAndNothingElse() throws IOException {
        Map<String, Set<String>> docs = sections(doc());
        assertThat(docs.keySet()).containsExactlyInAnyOrderElementsOf(EventTypes.names());
        for (String type : EventTypes.names()) {
            Set<String> fields = new LinkedHashSet<>();
            for (RecordComponent c : EventTypes.classOf(type).getRecordComponents()) {
                fields.add(c.getName());
            }
            assertThat(docs.get(type)).as("fields of %s in docs/protocol.md", type).isEqualTo(fields);
        }
    }

    /** The type docs/protocol.md gives a record component: int, number, string, bool, object or [element]. */
    private static String jsonType(java.lang.reflect.Type t) {
        if (t instanceof java.lang.reflect.ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (java.util.List.class.isAssignableFrom(raw)) {
                return "[" + jsonType(p.getActualTypeArguments()[0]) + "]";
            }
            return jsonType(raw);
        }
        Class<?> c = (Class<?>) t;
        if (c == int.class || c == long.class || c == Integer.class || c == Long.class) {
            return "int";
        }
        if (c == double.class || c == float.class || c == Double.class || c == Float.class) {
            return "number";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "bool";
        }
        if (c == String.class) {
            return "string";
        }
        return Map.class.isAssignableFrom(c) ? "object" : c.getSimpleName();
    }

    @Test
    void everyEventFieldHasTheTypeTheCodeWrites() throws IOException {
        String doc = doc();
        Pattern row = Pattern.compile("(?m)^\\| `([A-Za-z0-9_]+)` \\| ([^|]+) \\|");
        for (String type : EventTypes.names()) {
            int start = doc.indexOf("### `" + type + "`");
            String section = doc.substring(start + 1).split("\n##")[0];
            Map<String, String> documented = new LinkedHashMap<>();
            Matcher m = row.matcher(section);
            while (m.find()) {
                documented.put(m.group(1), m.group(2).trim());
            }
            for (RecordComponent c : EventTypes.classOf(type).getRecordComponents()) {
                assertThat(documented.get(c.getName())).as("the type docs/protocol.md gives %s.%s", type, c.getName())
                        .isEqualTo(jsonType(c.getGenericType()));
            }
        }
    }

    @Test
    void theHeaderAndTheRequestAreDocumented() throws IOException {
        String doc = doc();
        for (String h : new String[] {"schema", "run", "seq", "time", "type"}) {
            assertThat(doc).contains("| `" + h + "` |");
        }
        assertThat(doc).contains("version **" + Envelope.SCHEMA + "**");
        for (RecordComponent c : WorkerRequest.class.getRecordComponents()) {
            String json = c.getAccessor().getAnnotation(JsonProperty.class).value();
            assertThat(doc).contains("| `" + json + "` |");
        }
    }

    @Test
    void theExampleLineDecodes() throws IOException {
        String doc = doc();
        Matcher m = Pattern.compile("(?s)```json\\n(.*?)\\n```").matcher(doc);
        assertThat(m.find()).isTrue();
        Envelope e = EventCodec.decode(m.group(1));
        assertThat(e.event()).isInstanceOf(TrainMetrics.class);
    }
}
