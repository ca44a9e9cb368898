package org.da3.workbench.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML files into trees and fields out of them with errors that name the file, the field
 * path and what is allowed. Shared by the spec, dataset descriptor and target loaders.
 */
public final class YamlNodes {

    /**
     * The YAML mapper (safe: trees only, no polymorphic types). It refuses a key given twice in one
     * mapping (otherwise the last would silently win) and reads {@code .nan}, {@code .inf} and
     * {@code -.inf} as the numbers they are.
     */
    public static final ObjectMapper YAML = new ObjectMapper(new Factory());

    /** The most characters (code points) a YAML file may hold: SnakeYAML's limit. */
    static final int MAX_CHARACTERS = new LoaderOptions().getCodePointLimit();

    private final String file;

    /**
     * A reader for one file.
     *
     * @param file the file name used in error messages
     */
    public YamlNodes(String file) {
        this.file = file;
    }

    /** @return the file name used in error messages */
    public String file() {
        return file;
    }

    /**
     * Parses a YAML file into a tree.
     *
     * @param path the file
     * @return the root node (an object)
     * @throws SpecException if the file is missing, unreadable, not YAML or not a mapping
     */
    public static JsonNode readTree(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new SpecException(name, "(file)", "is a folder; give a YAML file");
        }
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_CHARACTERS * 4L) {
                // a data set, an archive or a weights file given in place of a YAML file: not read whole
                // (past 2 GB that would end the program with an OutOfMemoryError)
                throw new SpecException(name, "(file)", "is " + size + " bytes, far more than a YAML file here may"
                        + " hold (" + MAX_CHARACTERS + " characters); give the YAML file (docs/spec.md)");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new SpecException(name, "(file)", "the file does not exist; check the path");
        } catch (AccessDeniedException e) {
            throw new SpecException(name, "(file)", "cannot be read: permission denied");
        } catch (IOException e) {
            throw new SpecException(name, "(file)", "cannot be read: " + e.getMessage());
        }
        return parse(name, utf8(name, bytes));
    }

    /** The text of a file's bytes; a byte that is not UTF-8 is named with its line and column. */
    private static String utf8(String name, byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                // a weights file or an archive given in place of a YAML file: no encoding would help
                throw new SpecException(name, "(file)", "is a binary file, not YAML text; give a YAML file");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        if (!r.isError()) {
            return out.flip().toString();
        }
        int bad = in.position();
        int lineStart = 0;
        int line = 1;
        for (int i = 0; i < bad; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
        throw new SpecException(name, at(line, column),
                String.format("byte 0x%02X is not UTF-8; save the file as UTF-8 text", bytes[bad] & 0xFF));
    }

    /**
     * Parses YAML text into a tree.
     *
     * @param name the file name for messages
     * @param text the YAML
     * @return the root node (an object)
     */
    public static JsonNode parse(String name, String text) {
        if (text.length() > MAX_CHARACTERS && text.codePointCount(0, text.length()) > MAX_CHARACTERS) {
            // refused before parsing: the parser takes seconds to reach its limit in a long line
            throw tooLong(name);
        }
        JsonNode root;
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            root = YAML.readTree(p);
            JsonToken next = p.nextToken();
            int line = next == null ? 0 : p.currentTokenLocation().getLineNr();
            if (next != null && !(next == JsonToken.VALUE_NULL && p.nextToken() == null)) {
                // YAML would silently drop every document after the first (an empty one loses nothing)
                throw new SpecException(name, "line " + line, "a second YAML"
                        + " document starts here (after a '---' line); a file holds one: remove the '---' or move"
                        + " what follows it to a file of its own");
            }
        } catch (JsonProcessingException e) {
            throw notValid(name, text, e);
        } catch (IOException e) {
            throw new SpecException(name, "(file)", "is not valid YAML: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            // a file just made, saved empty, or emptied: say so rather than call it the wrong shape
            throw new SpecException(name, "(file)", "is empty (or only comments); give its fields, one key: value a"
                    + " line");
        }
        if (!root.isObject()) {
            throw new SpecException(name, "(file)", "is " + (root.isArray() ? "a list" : "a single value")
                    + "; it must be a YAML mapping of fields (key: value)");
        }
        // text fields get what was written: label: no stays "no", not "false"
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            WrittenScalars.keep(root, p);
        } catch (IOException e) {
            // read once already; the tree stands as parsed
        }
        return root;
    }

    private static SpecException tooLong(String name) {
        return new SpecException(name, "(file)", "holds more than the " + MAX_CHARACTERS + " characters a YAML"
                + " file may have here; a spec is a short mapping of fields (docs/spec.md)");
    }

    /** The error for text the parser refused: where, and the parser's reason. */
    private static SpecException notValid(String name, String text, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            String problem = m.getProblem() == null ? "" : m.getProblem().replace('\n', ' ');
            if (problem.contains("(TAB)")) {
                problem = "a TAB cannot indent YAML; use spaces";
            } else {
                problem = "not valid YAML: " + problem;
                if (m.getContext() != null && m.getContextMark() != null) {
                    problem += " (" + m.getContext() + " started at " + at(m.getContextMark().getLine() + 1,
                            m.getContextMark().getColumn() + 1) + ")";
                }
            }
            return new SpecException(name, at(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1),
                    problem);
        }
        String reason = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().split("\n")[0];
        if (reason.startsWith("Duplicate field ") && e.getProcessor() instanceof JsonParser p) {
            String key = fieldPath(p.getParsingContext());
            List<int[]> places = keyPlaces(text, key);
            String where = places.size() < 2
                    ? e.getLocation() == null ? "again" : "again at line " + e.getLocation().getLineNr()
                    : places.get(0)[0] != places.get(1)[0]
                            ? "at line " + places.get(0)[0] + " and again at line " + places.get(1)[0]
                            : "at " + at(places.get(0)[0], places.get(0)[1]) + " and again at column "
                                    + places.get(1)[1]; // in one {...} line
            return new SpecException(name, key, "is given twice, " + where
                    + "; give each key once (the second would silently replace the first)");
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            // the parser's safety limits (nesting depth above all), in a spec's terms
            String limit = reason.contains("nesting depth") ? "nests lists or mappings more than 1000 levels deep"
                    : "goes beyond the parser's limits (" + reason.replaceAll(" \\(from `[^`]*`\\)", "") + ")";
            return new SpecException(name, "(file)", limit + "; a spec is a short mapping of fields (docs/spec.md)");
        }
        if (reason.contains("exceeds the limit") && reason.contains("code points")) {
            return tooLong(name);
        }
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0 && reason.startsWith("Expected a field name")) {
            // "? [a, b]\n: 1": the parser's message names its own event classes
            return new SpecException(name, at(loc.getLineNr(), loc.getColumnNr()), "a key here is a list or mapping;"
                    + " a key is a plain name (key: value)");
        }
        if (loc != null && loc.getLineNr() > 0) {
            return new SpecException(name, at(loc.getLineNr(), loc.getColumnNr()), "not valid YAML: " + reason);
        }
        return new SpecException(name, "(file)", "is not valid YAML: " + reason);
    }

    private static String at(int line, int column) {
        return "line " + line + ", column " + column;
    }

    /** The field path of a parser's place, such as {@code methods[0].options.rho}. */
    private static String fieldPath(JsonStreamContext c) {
        String path = "";
        for (; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path = "[" + c.getCurrentIndex() + "]" + path;
            } else {
                String k = c.getCurrentName() == null ? "" : c.getCurrentName();
                path = (c.getParent() == null || c.getParent().inRoot() ? k : "." + k) + path;
            }
        }
        return path;
    }

    /**
     * The places (line, column) where the key of a field path is written, in order (reading without
     * the duplicate check).
     */
    private static List<int[]> keyPlaces(String text, String field) {
        List<int[]> lines = new ArrayList<>();
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && fieldPath(p.getParsingContext()).equals(field)) {
                    lines.add(new int[] {p.currentTokenLocation().getLineNr(), p.currentTokenLocation().getColumnNr()});
                }
            }
        } catch (IOException e) {
            // the lines are a courtesy; the message falls back to the parser's place
        }
        return lines;
    }

    /** A YAML factory whose parsers refuse duplicate keys and read YAML's .nan and .inf. */
    private static final class Factory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        Factory() {
            enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
            return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /**
     * SnakeYAML resolves {@code .nan}, {@code .inf} and {@code -.inf} (in any case, {@code .inf}
     * with an optional sign) as floats, which Jackson 2 then fails to parse as Java numbers ("Malformed
     * numeric value"); this parser reads them, so a field given one is range-checked like any number.
     */
    private static final class Parser extends YAMLParser {
        Parser(IOContext ctxt, int features, int yamlFeatures, LoaderOptions options, ObjectCodec codec, Reader r) {
            super(ctxt, features, yamlFeatures, options, codec, r);
        }

        @Override
        protected void _parseNumericValue(int expType) throws IOException {
            if (_currToken == JsonToken.VALUE_NUMBER_FLOAT && _textValue != null) {
                String t = _textValue.toLowerCase(Locale.ROOT);
                if (t.equals(".nan")) {
                    _numberDouble = Double.NaN;
                } else if (t.equals(".inf") || t.equals("+.inf")) {
                    _numberDouble = Double.POSITIVE_INFINITY;
                } else if (t.equals("-.inf")) {
                    _numberDouble = Double.NEGATIVE_INFINITY;
                } else {
                    super._parseNumericValue(expType);
                    return;
                }
                _numTypesValid = NR_DOUBLE;
                return;
            }
            super._parseNumericValue(expType);
        }
    }

    /**
     * Rejects keys outside the allowed set (typos would otherwise be silently ignored).
     *
     * @param node the mapping
     * @param path the field path of the mapping ("" for the root)
     * @param allowed the allowed keys
     */
    public void onlyKeys(JsonNode node, String path, Set<String> allowed) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                List<String> sorted = new ArrayList<>(allowed);
                sorted.sort(null);
                String near = Names.closest(k, allowed);
                throw new SpecException(file, join(path, k), "unknown field; "
                        + (near == null ? "" : "did you mean " + near + "? ") + "allowed fields here: "
                        + String.join(", ", sorted));
            }
        }
    }

    /**
     * Joins a parent path and a key.
     *
     * @param parent the parent path ("" for root)
     * @param key the key
     * @return the joined path
     */
    public static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /**
     * Reads a required string.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @return the value
     */
    public String requiredText(JsonNode node, String path, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new SpecException(file, join(path, key), "is missing; it is required");
        }
        if (!v.isValueNode()) {
            throw new SpecException(file, join(path, key), "must be a single value, not a list or mapping");
        }
        String s = WrittenScalars.text(v).trim();
        if (s.isEmpty()) {
            throw new SpecException(file, join(path, key), "is empty; it is required");
        }
        return s;
    }

    /**
     * Reads an optional string.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default
     * @return the value or the default
     */
    public String text(JsonNode node, String path, String key, String def) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isValueNode()) {
            throw new SpecException(file, join(path, key), "must be a single value, not a list or mapping");
        }
        return WrittenScalars.text(v).trim();
    }

    /**
     * Reads an optional string that may not be left empty: a key written without a value
     * ({@code key:}, {@code key: null}, {@code key: ''}) is refused rather than read as the default.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default, when the key is absent
     * @return the value or the default
     */
    public String nonEmptyText(JsonNode node, String path, String key, String def) {
        given(node, path, key);
        return text(node, path, key, def);
    }

    /**
     * The value of an optional key, or null when the key is absent. A key written without a value
     * ({@code epochs:}, {@code epochs: null}, {@code epochs: ''}) is refused: silently taking the
     * default would hide a value the author meant to give.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @return the value, or null if the key is absent
     */
    JsonNode given(JsonNode node, String path, String key) {
        JsonNode v = node.get(key);
        if (v != null && (v.isNull() || v.isTextual() && v.asText().isBlank())) {
            throw new SpecException(file, join(path, key), "is empty; give a value or remove the key");
        }
        return v;
    }

    /**
     * Reads an optional choice.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default
     * @param allowed the allowed values
     * @return the value or the default
     */
    public String choice(JsonNode node, String path, String key, String def, List<String> allowed) {
        String v = nonEmptyText(node, path, key, def);
        if (v != null && !allowed.contains(v)) {
            throw new SpecException(file, join(path, key),
                    "'" + v + "' is not allowed" + Names.meant(v, allowed) + "; allowed: " + String.join(", ", allowed));
        }
        return v;
    }

    /**
     * Reads an optional number within a range.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default
     * @param min the minimum (inclusive)
     * @param max the maximum (inclusive)
     * @param hint how to phrase the allowed range, for example "a positive number such as 0.01"
     * @return the value or the default
     */
    public double number(JsonNode node, String path, String key, double def, double min, double max,
            String hint) {
        JsonNode v = given(node, path, key);
        if (v == null) {
            return def;
        }
        double d;
        if (v.isNumber()) {
            plainNumber(v, join(path, key));
            d = v.asDouble();
        } else if (v.isTextual() && (OptionDef.isDecimal(v.asText().trim())
                || v.asText().trim().matches("[+-]?(NaN|Infinity)"))) {
            // a number in quotes (NaN and the infinities are refused as out of range below); Java's
            // own spellings (0.9d, 1f, 0x1p-3) are not numbers in a spec
            d = Double.parseDouble(v.asText().trim());
        } else if (v.isTextual()) {
            throw new SpecException(file, join(path, key), "'" + v.asText() + "' is not a number; use " + hint);
        } else {
            throw new SpecException(file, join(path, key), "must be a number; use " + hint);
        }
        if (Double.isNaN(d) || d < min || d > max || d == 0 && !isZero(v)) {
            // as written: 1e400 is not 'Infinity', 1e-400 is not '0'
            String written = WrittenScalars.text(v).trim();
            String shown = OptionDef.isDecimal(written) && (Double.isInfinite(d) || d == 0) ? written
                    : OptionDef.formatNumber(d);
            throw new SpecException(file, join(path, key), shown + " is out of range; use " + hint);
        }
        return d;
    }

    /** Whether a number node, as written, is zero (and not a tiny number that underflowed to 0). */
    private static boolean isZero(JsonNode v) {
        String t = WrittenScalars.text(v).trim();
        return OptionDef.isDecimal(t) && new BigDecimal(t).signum() == 0;
    }

    /**
     * Reads an optional whole number within a range.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default
     * @param min the minimum (inclusive)
     * @param max the maximum (inclusive)
     * @return the value or the default
     */
    public long integer(JsonNode node, String path, String key, long def, long min, long max) {
        JsonNode v = given(node, path, key);
        if (v == null) {
            return def;
        }
        return wholeNumber(v, join(path, key), min, max);
    }

    /**
     * Reads a whole number within a range from a value node; a number beyond the 64-bit range is
     * out of range, never wrapped.
     *
     * @param v the value (a number, or a number in quotes)
     * @param field the field path for messages
     * @param min the minimum (inclusive)
     * @param max the maximum (inclusive)
     * @return the value
     */
    public long wholeNumber(JsonNode v, String field, long min, long max) {
        plainNumber(v, field);
        Object raw = v.isIntegralNumber() ? v.bigIntegerValue()
                : v.isNumber() && Double.isFinite(v.asDouble()) ? WrittenScalars.text(v) // 5e4, not 50000.0
                : v.isNumber() ? v.numberValue() : v.asText();
        try {
            return OptionDef.wholeNumber(raw, min, max, "use a whole number from " + min + " to " + max);
        } catch (IllegalArgumentException e) {
            throw new SpecException(file, field, e.getMessage());
        }
    }

    /**
     * Refuses a number written in a form of YAML 1.1 that reads as another number than a person
     * reading the file sees, or than JSON and YAML 1.2 read: a leading zero that makes it octal
     * ({@code 010} is 8: its author almost surely meant 10), hexadecimal ({@code 0x10} is 16),
     * binary ({@code 0b10} is 2), and {@code _} between digits ({@code 1_000} is 1000, {@code 0.0_1}
     * is 0.01). A leading zero that changes nothing ({@code 07}, {@code 00.5}) is left alone, and
     * so are YAML's {@code .inf} and {@code .nan}, refused as out of range where they are.
     * Numbers of a tree that was not read from YAML text (a worker's JSON request) pass.
     *
     * @param v the value
     * @param field the field path for messages
     * @throws SpecException naming the value, how YAML reads it and how to write it
     */
    public void plainNumber(JsonNode v, String field) {
        if (!(v instanceof WrittenScalars.Written) || !v.isNumber()) {
            return;
        }
        String written = WrittenScalars.text(v).trim();
        String unsigned = written.replaceFirst("^[+-]", "").toLowerCase(Locale.ROOT);
        String read = v.isIntegralNumber() ? v.bigIntegerValue().toString() : OptionDef.formatNumber(v.asDouble());
        if (unsigned.startsWith("0x") || unsigned.startsWith("0b")) {
            throw new SpecException(file, field, "'" + written + "' is a " + (unsigned.startsWith("0x") ? "hexadecimal"
                    : "binary") + " number, which YAML reads as " + read + "; write numbers as plain decimals ("
                    + read + ")");
        }
        String digits = written.replace("_", "");
        if (v.isIntegralNumber() && digits.matches("[+-]?0[0-9]+") && !new BigInteger(digits).equals(v.bigIntegerValue())) {
            BigInteger decimal = new BigInteger(digits);
            throw new SpecException(file, field, "'" + written + "' starts with 0, so YAML reads it as the octal"
                    + " number " + read + "; write " + read + ", or " + decimal + " without the leading 0");
        }
        if (written.contains("_")) {
            throw new SpecException(file, field, "'" + written + "' has '_' between its digits; write numbers as plain"
                    + " decimals, without '_' (" + (v.isIntegralNumber() ? read : digits) + ")");
        }
    }

    /**
     * Reads an optional boolean.
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @param def the default
     * @return the value or the default
     */
    public boolean bool(JsonNode node, String path, String key, boolean def) {
        JsonNode v = given(node, path, key);
        if (v == null) {
            return def;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String t = v.asText().trim();
        Boolean b = OptionDef.parseBoolean(t);
        if (b != null) {
            return b;
        }
        throw new SpecException(file, join(path, key), "'" + t + "' is not true or false");
    }

    /**
     * Reads an optional mapping.
     *
     * @param node the parent mapping
     * @param path the parent path
     * @param key the key
     * @return the mapping, or an empty one if absent
     */
    public JsonNode object(JsonNode node, String path, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return YAML.createObjectNode();
        }
        if (!v.isObject()) {
            throw new SpecException(file, join(path, key), "must be a mapping of fields (key: value)");
        }
        return v;
    }

    /**
     * Reads an optional list of strings (a single string counts as a list of one).
     *
     * @param node the mapping
     * @param path the parent path
     * @param key the key
     * @return the strings (empty if absent)
     */
    public List<String> textList(JsonNode node, String path, String key) {
        JsonNode v = node.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isValueNode()) {
            out.add(WrittenScalars.text(v).trim());
            return out;
        }
        if (!v.isArray()) {
            throw new SpecException(file, join(path, key), "must be a list");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (e.isNull()) {
                throw new SpecException(file, join(path, key) + "[" + i + "]", "is empty; give a value or remove"
                        + " the entry");
            }
            if (!e.isValueNode()) {
                throw new SpecException(file, join(path, key) + "[" + i + "]", "must be a name");
            }
            out.add(WrittenScalars.text(e).trim());
        }
        return out;
    }

}
