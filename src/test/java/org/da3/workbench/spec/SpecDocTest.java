package org.da3.workbench.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;

/**
 * docs/spec.md's key tables stay true to {@link SpecLoader}: the same keys in every section, and
 * the defaults, ranges and words they give are the loader's.
 */
class SpecDocTest {
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|(.*)\\|$");
    private static final Pattern RANGE = Pattern.compile("(-?[0-9.e-]+) to (-?[0-9.e-]+)");
    private static final Pattern WORDS = Pattern.compile("(`[a-z0-9+-]+`)(, `[a-z0-9+-]+`)*");
    private static final String BASE = "name: t\ndomains: [d]\n";

    /** One row of a key table: its cells after the key (type, default, allowed, meaning). */
    private record Row(String key, String type, String defaultValue, String allowed) {}

    /** A table of docs/spec.md, and how to write a spec that gives its key a value. */
    private record Table(String name, Map<String, Row> rows, Function<String, String> spec) {}

    private static String doc() throws IOException {
        return Files.readString(TestWorkspace.projectDir().resolve("docs/spec.md"));
    }

    /** The key tables of a section ("## Training"), in order. */
    private static List<Map<String, Row>> tables(String doc, String heading) {
        int start = doc.indexOf("\n" + heading + "\n");
        assertThat(start).as("docs/spec.md has a section %s", heading).isPositive();
        int end = doc.indexOf("\n## ", start + 1);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        List<Map<String, Row>> out = new ArrayList<>();
        for (String block : section.split("\\n(?!\\|)")) {
            Map<String, Row> rows = new LinkedHashMap<>();
            Matcher m = ROW.matcher(block);
            while (m.find()) {
                String[] cells = m.group(2).split("\\|");
                rows.put(m.group(1), new Row(m.group(1), cells[0].trim(), cells[1].trim(), cells[2].trim()));
            }
            if (!rows.isEmpty()) {
                out.add(rows);
            }
        }
        return out;
    }

    private static List<Table> keyTables() throws IOException {
        String doc = doc();
        List<Map<String, Row>> methods = tables(doc, "## Methods");
        List<Map<String, Row>> training = tables(doc, "## Training");
        assertThat(methods).hasSize(2);
        assertThat(training).hasSize(2);
        return List.of(
                new Table("top-level", tables(doc, "## Top-level keys").get(0),
                        kv -> BASE + "methods: [linear]\n" + kv + "\n"),
                new Table("methods[]", methods.get(0), kv -> BASE + "methods: [{name: linear, " + kv + "}]\n"),
                new Table("methods[].options", methods.get(1),
                        kv -> BASE + "methods: [{name: linear, options: {" + kv + "}}]\n"),
                new Table("backbone", tables(doc, "## Backbone").get(0),
                        kv -> BASE + "methods: [linear]\nbackbone: {" + kv + "}\n"),
                new Table("training", training.get(0), kv -> BASE + "methods: [linear]\ntraining: {" + kv + "}\n"),
                new Table("training.augmentation", training.get(1),
                        kv -> BASE + "methods: [linear]\ntraining: {augmentation: {" + kv + "}}\n"));
    }

    private static ExperimentSpec load(String yaml) {
        return new SpecLoader(null).parse("t.yaml", yaml);
    }

    @Test
    void everyKeyTableListsTheLoadersKeysAndNoOthers() throws IOException {
        Map<String, java.util.Set<String>> loader = Map.of("top-level", SpecLoader.TOP_KEYS, "methods[]",
                SpecLoader.METHOD_KEYS, "methods[].options", MethodCatalog.COMMON_OPTIONS.stream()
                        .map(OptionDef::name).collect(Collectors.toSet()),
                "backbone", SpecLoader.BACKBONE_KEYS, "training", SpecLoader.TRAINING_KEYS,
                "training.augmentation", SpecLoader.AUG_KEYS);
        for (Table t : keyTables()) {
            assertThat(t.rows().keySet()).as("the keys docs/spec.md lists for %s", t.name())
                    .containsExactlyInAnyOrderElementsOf(loader.get(t.name()));
        }
    }

    @Test
    void theDefaultsTheTablesGiveAreTheLoadersDefaults() throws IOException {
        Map<String, Object> resolved = SpecWriter.toMap(load(BASE + "methods: [linear]\n"), true);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> sections = Map.of("top-level", resolved, "backbone",
                (Map<String, Object>) resolved.get("backbone"), "training", (Map<String, Object>) resolved.get("training"),
                "training.augmentation", (Map<String, Object>) ((Map<String, Object>) resolved.get("training"))
                        .get("augmentation"));
        int checked = 0;
        for (Table t : keyTables()) {
            Map<String, Object> values = sections.get(t.name());
            if (values == null) {
                continue;
            }
            for (Row r : t.rows().values()) {
                // a single value (a number, or a word in backticks); prose such as "(required)" is not checked
                String d = r.defaultValue().replaceAll("^`([^`]*)`$", "$1");
                if (!(d.matches("-?[0-9][0-9.e-]*") || r.defaultValue().matches("`[a-z0-9-]+`"))) {
                    continue;
                }
                Object v = values.get(r.key());
                String where = t.name() + "." + r.key();
                assertThat(v).as("%s has a default", where).isNotNull();
                if (v instanceof Number n) {
                    assertThat(n.doubleValue()).as("the default of %s", where).isEqualTo(Double.parseDouble(d));
                } else {
                    assertThat(v.toString()).as("the default of %s", where).isEqualTo(d);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(15);
    }

    @Test
    void theRangesAndWordsTheTablesGiveAreWhatTheLoaderTakes() throws IOException {
        int checked = 0;
        for (Table t : keyTables()) {
            for (Row r : t.rows().values()) {
                String where = t.name() + "." + r.key();
                Matcher range = RANGE.matcher(r.allowed());
                if (range.matches()) {
                    BigDecimal lo = new BigDecimal(range.group(1));
                    BigDecimal hi = new BigDecimal(range.group(2));
                    BigDecimal step = r.type().equals("whole number") ? BigDecimal.ONE
                            : lo.signum() > 0 ? lo.divide(BigDecimal.valueOf(2)) : new BigDecimal("0.0001");
                    for (BigDecimal ok : List.of(lo, hi)) {
                        load(t.spec().apply(r.key() + ": " + ok.toPlainString()));
                    }
                    for (BigDecimal out : List.of(lo.subtract(step), hi.add(step))) {
                        assertThat(catchThrowable(() -> load(t.spec().apply(r.key() + ": " + out.toPlainString()))))
                                .as("%s: %s is refused, as docs/spec.md says %s", where, out, r.allowed())
                                .isInstanceOf(SpecException.class).hasMessageContaining(r.key());
                    }
                    checked++;
                } else if ((r.type().equals("word") || r.type().equals("text"))
                        && WORDS.matcher(r.allowed()).matches()) {
                    for (String w : r.allowed().replace("`", "").split(", ")) {
                        load(t.spec().apply(r.key() + ": " + w));
                    }
                    assertThat(catchThrowable(() -> load(t.spec().apply(r.key() + ": nonesuch"))))
                            .as("%s takes only %s", where, r.allowed()).isInstanceOf(SpecException.class);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(15);
    }
}
