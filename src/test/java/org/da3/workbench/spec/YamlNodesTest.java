package org.da3.workbench.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.data.DatasetCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the YAML reader shared by specs, dataset descriptors and targets.yaml refuses, and how it says so. */
class YamlNodesTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void aKeyGivenTwiceIsRefusedWithBothLines() throws IOException {
        Path f = write("dup.yaml", "name: x\ndomains: [shapes]\ntraining:\n  epochs: 100\n  learning_rate: 0.5\n"
                + "training:\n  batch_size: 8\n");
        assertThatThrownBy(() -> YamlNodes.readTree(f)).isInstanceOf(SpecException.class)
                .hasMessage(f + ": training: is given twice, at line 3 and again at line 6; give each key once"
                        + " (the second would silently replace the first)");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedAtItsFirstBadByte() throws IOException {
        // "café" saved as Latin-1: the é is the single byte 0xE9
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, "name: x\ndescription: caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> YamlNodes.readTree(f)).isInstanceOf(SpecException.class)
                .hasMessage(f + ": line 2, column 17: byte 0xE9 is not UTF-8; save the file as UTF-8 text");
        Path ok = dir.resolve("utf8.yaml");
        Files.writeString(ok, "name: x\ndescription: caf\u00e9 au lait\n");
        assertThat(YamlNodes.readTree(ok).get("description").asText()).isEqualTo("caf\u00e9 au lait");
    }

    @Test
    void aBinaryFileIsRefusedAsBinaryNotAsABadEncoding() throws IOException {
        // a weights file given in place of the spec: safetensors starts with an 8-byte length
        Path f = dir.resolve("resnet.safetensors");
        Files.write(f, new byte[] {(byte) 0xea, 0x01, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> YamlNodes.readTree(f)).isInstanceOf(SpecException.class)
                .hasMessage(f + ": (file): is a binary file, not YAML text; give a YAML file");
    }

    @Test
    void aComplexKeyOrAHugeFileIsRefusedInASpecsTermsNotTheParsersClassNames() {
        assertThatThrownBy(() -> YamlNodes.parse("k.yaml", "name: x\n? [a, b]\n: 2\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("k.yaml: line 2, column 4: a key here is a list or mapping; a key is a plain name (key:"
                        + " value)");
        assertThatThrownBy(() -> YamlNodes.parse("k.yaml", "training: {{a: 1}: 2}\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("a key here is a list or mapping");
        // refused before parsing: the parser took 12 s to reach its limit in this line
        String huge = "name: x\ndescription: " + "a".repeat(4_000_000) + "\n";
        assertThatThrownBy(() -> YamlNodes.parse("h.yaml", huge)).isInstanceOf(SpecException.class)
                .hasMessage("h.yaml: (file): holds more than the 3145728 characters a YAML file may have here; a spec"
                        + " is a short mapping of fields (docs/spec.md)");
    }

    @Test
    void aDataFileOfGigabytesGivenAsTheSpecIsRefusedUnread() throws IOException {
        // a file past 2 GB ended da3 with an OutOfMemoryError and its stack trace
        Path big = dir.resolve("train-images.yaml");
        org.da3.workbench.test.DatasetFixtures.sparseFile(big, new byte[0], 3L << 30);
        assertThatThrownBy(() -> YamlNodes.readTree(big)).isInstanceOf(SpecException.class)
                .hasMessage(big + ": (file): is 3221225472 bytes, far more than a YAML file here may hold (3145728"
                        + " characters); give the YAML file (docs/spec.md)");
    }

    /** An empty file (just made, or emptied) is called empty, not a mapping of the wrong shape. */
    @Test
    void anEmptyFileIsCalledEmpty() {
        for (String text : new String[] {"", "\n\n", "# a new spec\n", "---\n"}) {
            assertThatThrownBy(() -> YamlNodes.parse("new.yaml", text)).as(text).hasMessage("new.yaml: (file): is empty"
                    + " (or only comments); give its fields, one key: value a line");
        }
        assertThatThrownBy(() -> YamlNodes.parse("l.yaml", "- da3\n- linear\n")).hasMessage("l.yaml: (file): is a list;"
                + " it must be a YAML mapping of fields (key: value)");
        assertThatThrownBy(() -> YamlNodes.parse("s.yaml", "da3\n")).hasMessage("s.yaml: (file): is a single value; it"
                + " must be a YAML mapping of fields (key: value)");
    }

    @Test
    void aFolderIsRefusedAsAFolder() {
        assertThatThrownBy(() -> YamlNodes.readTree(dir)).isInstanceOf(SpecException.class)
                .hasMessage(dir + ": (file): is a folder; give a YAML file");
    }

    @Test
    void aSecondDocumentIsRefusedNotSilentlyDropped() {
        // two specs pasted into one file: YAML reads the first and drops the rest
        assertThatThrownBy(() -> YamlNodes.parse("two.yaml", "name: a\ndomains: [shapes]\n---\nname: b\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("two.yaml: line 4: a second YAML document starts here (after a '---' line); a file holds"
                        + " one: remove the '---' or move what follows it to a file of its own");
        // a '---' that opens the only document, or one with nothing after it, loses nothing
        assertThat(YamlNodes.parse("one.yaml", "---\nname: a\n").get("name").asText()).isEqualTo("a");
        assertThat(YamlNodes.parse("one.yaml", "name: a\n---\n# done\n").get("name").asText()).isEqualTo("a");
    }

    @Test
    void aDatasetDescriptorWithAKeyTwiceIsRefused() throws IOException {
        Path f = write("shapes2.yaml", "name: shapes2\nkind: procedural\nname: shapes3\n");
        assertThatThrownBy(() -> DatasetCatalog.read(f)).isInstanceOf(SpecException.class)
                .hasMessageStartingWith(f + ": name: is given twice, at line 1 and again at line 3;");
    }

    @Test
    void aNestedKeyGivenTwiceIsNamedByItsFieldPath() {
        assertThatThrownBy(() -> YamlNodes.parse("d.yaml", "name: x\nmethods:\n  - linear\n"
                + "  - {name: da3, options: {rho: 0.5, rho: 0.6}}\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("d.yaml: methods[1].options.rho: is given twice, at line 4, column 27 and again at"
                        + " column 37; give each key once (the second would silently replace the first)");
        // the same key in two different mappings is no duplicate
        assertThat(YamlNodes.parse("d.yaml", "a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n").get("c")).hasSize(2);
    }

    @Test
    void syntaxErrorsKeepTheLineTheColumnAndTheReason() {
        assertThatThrownBy(() -> YamlNodes.parse("tab.yaml", "name: x\n\tdomains: [shapes]\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("tab.yaml: line 2, column 1: a TAB cannot indent YAML; use spaces");
        assertThatThrownBy(() -> YamlNodes.parse("unclosed.yaml", "name: x\ndomains: [shapes\nmethods: [linear]\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("unclosed.yaml: line 3, column 8: not valid YAML: expected ',' or ']', but got :"
                        + " (while parsing a flow sequence started at line 2, column 10)");
    }

    @Test
    void theParsersLimitsAreSaidInASpecsTerms() {
        String deep = "name: x\nd: " + "[".repeat(1200) + "]".repeat(1200) + "\n";
        assertThatThrownBy(() -> YamlNodes.parse("deep.yaml", deep)).isInstanceOf(SpecException.class)
                .hasMessage("deep.yaml: (file): nests lists or mappings more than 1000 levels deep; a spec is a short"
                        + " mapping of fields (docs/spec.md)");
    }

    @Test
    void textFieldsGetWhatWasWrittenWhereYamlWouldReadANumberOrYesNo() {
        JsonNode n = YamlNodes.parse("t.yaml", "a: no\nb: 1e-3\nc: 007\nd: On\ne: [0x1F, .5, yes, 12]\n"
                + "f: {g: 1_000}\nh: 99999999999999999999\n");
        YamlNodes y = new YamlNodes("t.yaml");
        assertThat(y.text(n, "", "a", null)).isEqualTo("no");
        assertThat(y.text(n, "", "b", null)).isEqualTo("1e-3");
        assertThat(y.requiredText(n, "", "c")).isEqualTo("007");
        assertThat(y.text(n, "", "d", null)).isEqualTo("On");
        assertThat(y.textList(n, "", "e")).containsExactly("0x1F", ".5", "yes", "12");
        assertThat(y.text(n.get("f"), "f", "g", null)).isEqualTo("1_000");
        assertThat(y.text(n, "", "h", null)).isEqualTo("99999999999999999999");
        // the values themselves are as YAML reads them, for every numeric or yes/no reader
        assertThat(n.get("a").isBoolean()).isTrue();
        assertThat(n.get("a").booleanValue()).isFalse();
        assertThat(n.get("b").doubleValue()).isEqualTo(0.001);
        assertThat(n.get("c").intValue()).isEqualTo(7);
        assertThat(n.get("e").get(0).intValue()).isEqualTo(31);
        assertThat(n.get("h").bigIntegerValue()).isEqualTo(new java.math.BigInteger("99999999999999999999"));
    }

    @Test
    void yamlsNotANumberAndInfinitiesAreNumbers() {
        JsonNode n = YamlNodes.parse("f.yaml", "a: .nan\nb: .inf\nc: -.inf\nd: +.INF\ne: .NaN\nf: '.nan'\n");
        assertThat(n.get("a").isNumber()).isTrue();
        assertThat(n.get("a").asDouble()).isNaN();
        assertThat(n.get("b").asDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(n.get("c").asDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(n.get("d").asDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(n.get("e").asDouble()).isNaN();
        assertThat(n.get("f").isTextual()).as("quoted, it stays text").isTrue();
    }
}
