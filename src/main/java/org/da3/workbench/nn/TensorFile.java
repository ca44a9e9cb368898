package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.da3.workbench.run.event.EventCodec;

/**
 * Reads safetensors and npz files strictly: every tensor's dtype, shape and byte range is checked
 * against the format before any array exists, so a damaged or foreign file is refused with what is
 * wrong instead of being imported as garbage (or aborting the engine, as a bfloat16 array made
 * from a buffer does). bfloat16 is widened to float32, big-endian npy arrays are byte-swapped and
 * Fortran-order arrays are reordered, so every array handed out is little-endian and C-ordered.
 */
final class TensorFile {
    private TensorFile() {}

    /** What is wrong with a tensor file, in words that complete "FILE ...". */
    static final class Bad extends IOException {
        private static final long serialVersionUID = 1L;

        Bad(String problem) {
            super(problem);
        }
    }

    /** A safetensors dtype, its DJL type and its size in bytes. */
    private record StType(String name, DataType type, int bytes) {}

    private static final List<StType> ST_TYPES = List.of(new StType("F64", DataType.FLOAT64, 8),
            new StType("F32", DataType.FLOAT32, 4), new StType("F16", DataType.FLOAT16, 2),
            new StType("BF16", DataType.BFLOAT16, 2), new StType("I64", DataType.INT64, 8),
            new StType("I32", DataType.INT32, 4), new StType("I8", DataType.INT8, 1),
            new StType("U8", DataType.UINT8, 1), new StType("BOOL", DataType.BOOLEAN, 1));

    /** One tensor of a safetensors header. */
    private record StEntry(String name, StType type, long[] shape, long begin, long end) {}

    /** The parsed header of a safetensors file: its tensors and where their data starts. */
    private record StHeader(List<StEntry> entries, long dataStart) {}

    /**
     * Checks a file's framing and the description of every tensor, from its headers only.
     *
     * @param file a .safetensors or .npz file
     * @return every tensor's shape by name, in file order
     * @throws Bad with the problem
     * @throws IOException when it cannot be read
     */
    static Map<String, long[]> checkHeaders(Path file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (isNpz(file)) {
            readNpz(file, null, shapes);
        } else {
            try (InputStream is = Files.newInputStream(file)) {
                for (StEntry e : safetensorsHeader(is, Files.size(file)).entries()) {
                    shapes.put(e.name(), e.shape());
                }
            }
        }
        return shapes;
    }

    /**
     * Reads every tensor of a file.
     *
     * @param file a .safetensors or .npz file
     * @param manager the owner of the arrays
     * @return the arrays by name, in file order
     * @throws Bad with the problem
     * @throws IOException when it cannot be read
     */
    static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        if (isNpz(file)) {
            return readNpz(file, manager, null);
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new Bad("is larger than 2 GB, more than the workbench reads as one weights file");
        }
        byte[] bytes = Files.readAllBytes(file);
        StHeader h;
        try (InputStream is = new java.io.ByteArrayInputStream(bytes)) {
            h = safetensorsHeader(is, bytes.length);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (StEntry e : h.entries()) {
            int from = (int) (h.dataStart() + e.begin());
            int len = (int) (e.end() - e.begin());
            out.put(e.name(), create(manager, bytes, from, len, e.type().type(), e.shape()));
        }
        return out;
    }

    private static boolean isNpz(Path file) {
        return file.getFileName().toString().endsWith(".npz");
    }

    private static NDArray create(NDManager manager, byte[] bytes, int from, int len, DataType type, long[] shape) {
        Shape s = new Shape(shape);
        if (type == DataType.BFLOAT16) {
            // the engine aborts the process on a bfloat16 array made from a buffer: widen to float32
            // (a bfloat16 is the upper half of a float32)
            ByteBuffer wide = ByteBuffer.allocate(len * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = from; i < from + len; i += 2) {
                int bits = ((bytes[i] & 0xff) | (bytes[i + 1] & 0xff) << 8) << 16;
                wide.putInt(bits);
            }
            wide.flip();
            return manager.create(wide, s, DataType.FLOAT32);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes, from, len).slice().order(ByteOrder.LITTLE_ENDIAN);
        return manager.create(bb, s, type);
    }

    private static StHeader safetensorsHeader(InputStream is, long size) throws IOException {
        byte[] head = is.readNBytes(8);
        if (head.length < 8) {
            throw new Bad("is too short to be a safetensors file (" + size + " bytes); it is empty or was cut off");
        }
        long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n <= 1 || n > size - 8) {
            throw new Bad("is not a safetensors file: its first 8 bytes announce a header of " + Long.toUnsignedString(n)
                    + " bytes in a file of " + size + " (a safetensors file starts with its JSON header's length)");
        }
        if (n > 100L << 20) {
            throw new Bad("is not a safetensors file: its first 8 bytes announce a header of " + n + " bytes, more than"
                    + " the 100 MB a safetensors header may have");
        }
        byte[] header = is.readNBytes((int) n);
        if (header[0] != '{') {
            throw new Bad("is not a safetensors file: its header is not JSON (it starts with byte "
                    + String.format("%02X", header[0] & 0xff) + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new Bad("is not a safetensors file: its header is not UTF-8 text (" + badUtf8At(header) + ")");
        }
        JsonNode json;
        try {
            json = EventCodec.JSON.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field '")) {
                String name = m.substring("Duplicate field '".length(), m.indexOf('\'', "Duplicate field '".length()));
                throw new Bad("names the tensor '" + name + "' twice in its header, so which one is meant cannot be"
                        + " told; write the file again from a state dict");
            }
            throw new Bad("is not a safetensors file: its JSON header is malformed (" + m + ")");
        }
        if (json == null || !json.isObject()) {
            throw new Bad("is not a safetensors file: its header is not a JSON object");
        }
        List<StEntry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                continue; // free text (format, framework) that the workbench does not need
            }
            entries.add(entry(f.getKey(), f.getValue()));
        }
        long dataSize = size - 8 - n;
        checkLayout(entries, dataSize);
        return new StHeader(entries, 8 + n);
    }

    private static String badUtf8At(byte[] header) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(header.length);
        dec.decode(in, out, true);
        return "byte " + (8 + in.position()) + " of the file";
    }

    private static StEntry entry(String name, JsonNode v) throws Bad {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw new Bad("is not a safetensors file: " + where + " is described by " + v.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT) + ", not by {dtype, shape, data_offsets}");
        }
        JsonNode dt = v.get("dtype");
        StType type = null;
        for (StType t : ST_TYPES) {
            if (dt != null && dt.isTextual() && t.name().equals(dt.asText())) {
                type = t;
            }
        }
        if (type == null) {
            throw new Bad("has the " + where + " of dtype " + (dt == null ? "(none)" : dt.toString()) + ", which the"
                    + " workbench cannot read; it reads F64, F32, F16, BF16, I64, I32, I8, U8 and BOOL");
        }
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new Bad("is not a safetensors file: " + where + " has no shape list");
        }
        long[] shape = new long[sh.size()];
        long need = type.bytes();
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new Bad("is not a safetensors file: " + where + " has the shape " + sh + "; each size is a whole"
                        + " number of 0 or more");
            }
            shape[i] = d.asLong();
            try {
                need = Math.multiplyExact(need, shape[i]);
            } catch (ArithmeticException e) {
                need = -1;
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()
                || off.get(0).asLong() < 0 || off.get(1).asLong() < off.get(0).asLong()) {
            throw new Bad("is not a safetensors file: " + where + " has the data_offsets " + off + "; they are two"
                    + " whole numbers [begin, end] with 0 <= begin <= end");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (need != end - begin) {
            throw new Bad("is damaged: " + where + " (" + type.name() + ", shape " + sh + ") needs "
                    + (need < 0 ? "more than 2^63" : Long.toString(need)) + " bytes but its data_offsets " + off
                    + " give it " + (end - begin) + "; write the file again");
        }
        return new StEntry(name, type, shape, begin, end);
    }

    private static void checkLayout(List<StEntry> entries, long dataSize) throws Bad {
        List<StEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(StEntry::begin).thenComparingLong(StEntry::end));
        StEntry last = sorted.stream().max(Comparator.comparingLong(StEntry::end)).orElse(null);
        if (last != null && last.end() > dataSize) {
            // most often a file cut off in a copy or a download: say so before any offset problem
            throw new Bad("is cut off: its tensors need " + last.end() + " bytes of data but the file holds " + dataSize
                    + " after its header (the tensor '" + last.name() + "' runs past the end); copy or write it again");
        }
        long at = 0;
        StEntry prev = null;
        for (StEntry e : sorted) {
            if (e.begin() < at) {
                throw new Bad("is damaged: the tensors '" + prev.name() + "' (bytes " + prev.begin() + " to "
                        + prev.end() + ") and '" + e.name() + "' (bytes " + e.begin() + " to " + e.end()
                        + ") overlap, so at least one of them holds the other's values; write the file again");
            }
            if (e.begin() > at) {
                throw new Bad("is damaged: bytes " + at + " to " + e.begin() + " of its data belong to no tensor ("
                        + (prev == null ? "before '" + e.name() + "'" : "between '" + prev.name() + "' and '" + e.name()
                        + "'") + "), so its offsets are wrong; write the file again");
            }
            at = e.end();
            prev = e;
        }
        if (at < dataSize) {
            throw new Bad("is damaged: its last " + (dataSize - at) + " bytes belong to no tensor (the tensors end at"
                    + " byte " + at + " of " + dataSize + " bytes of data); write the file again");
        }
    }

    // --- npz ---

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*(?:'([^']*)'|(\\[))");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /**
     * Reads or checks an npz file: every entry is NAME.npy, an npy array of a numeric dtype.
     *
     * @param manager the owner of the arrays, or null to check the headers only
     * @param shapes where each array's shape goes by name, or null
     */
    private static Map<String, NDArray> readNpz(Path file, NDManager manager, Map<String, long[]> shapes)
            throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<String> foreign = new ArrayList<>();
        int arrays = 0;
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            try (InputStream is = Files.newInputStream(file)) {
                byte[] head = is.readNBytes(4);
                boolean pk = head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
                throw new Bad(pk ? "is a damaged zip archive (" + e.getMessage() + "), so not a readable npz file; it"
                        + " may have been cut off: copy or write it again" : "is not an npz file (an npz is a zip"
                        + " archive, which starts with the bytes PK); write it with numpy.savez, or use a"
                        + " .safetensors file");
            }
        }
        try (zip) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry ze = en.nextElement();
                if (ze.isDirectory()) {
                    continue;
                }
                if (!ze.getName().endsWith(".npy")) {
                    foreign.add(ze.getName());
                    continue;
                }
                arrays++;
                String name = ze.getName().substring(0, ze.getName().length() - 4);
                try (InputStream is = zip.getInputStream(ze)) {
                    NDArray a = npy(is, name, ze.getSize(), manager, shapes);
                    if (a != null) {
                        out.put(name, a);
                    }
                } catch (ZipException e) {
                    throw new Bad("is a damaged zip archive: its array '" + name + "' cannot be unpacked ("
                            + e.getMessage() + "); copy or write it again");
                }
            }
        }
        if (arrays == 0) {
            throw new Bad("is a zip archive but not an npz file: it holds no NAME.npy arrays"
                    + (foreign.isEmpty() ? "" : " (it holds " + abbrev(foreign) + ")")
                    + "; write the weights with numpy.savez");
        }
        if (!foreign.isEmpty()) {
            throw new Bad("holds " + abbrev(foreign) + " beside its .npy arrays, so it is not an npz file of weights"
                    + " alone; write the weights with numpy.savez");
        }
        return out;
    }

    private static String abbrev(List<String> names) {
        List<String> q = names.stream().limit(5).map(s -> "'" + s + "'").toList();
        return String.join(", ", q) + (names.size() > 5 ? ", ... (" + (names.size() - 5) + " more)" : "");
    }

    private static NDArray npy(InputStream is, String name, long entrySize, NDManager manager,
            Map<String, long[]> shapes) throws IOException {
        String where = "array '" + name + "'";
        byte[] magic = is.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N' || magic[2] != 'U' || magic[3] != 'M'
                || magic[4] != 'P' || magic[5] != 'Y') {
            throw new Bad("holds the " + where + ", which is not an npy array (it does not start with \\x93NUMPY);"
                    + " write the weights with numpy.savez");
        }
        int major = magic[6];
        if (major < 1 || major > 3 || magic[7] != 0) {
            throw new Bad("holds the " + where + " in npy format version " + major + "." + magic[7] + ", which the"
                    + " workbench does not know (it reads versions 1.0, 2.0 and 3.0)");
        }
        byte[] lenBytes = is.readNBytes(major == 1 ? 2 : 4);
        if (lenBytes.length < (major == 1 ? 2 : 4)) {
            throw new Bad("is cut off: its " + where + " ends inside its npy header; copy or write it again");
        }
        ByteBuffer lb = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = major == 1 ? lb.getShort() & 0xffff : lb.getInt() & 0xffffffffL;
        if (hlen > 1 << 20) {
            throw new Bad("holds the " + where + " with an npy header of " + hlen + " bytes, so it is damaged");
        }
        byte[] hb = is.readNBytes((int) hlen);
        if (hb.length < hlen) {
            throw new Bad("is cut off: its " + where + " ends inside its npy header; copy or write it again");
        }
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new Bad("holds the " + where + " with an npy header that is not numpy's ("
                    + header.trim() + "); write the weights with numpy.savez");
        }
        if (d.group(2) != null) {
            throw new Bad("holds the " + where + ", a structured array (several fields per element); weights are"
                    + " arrays of numbers: save each field as an array of its own");
        }
        String descr = d.group(1);
        NpyType t = npyType(descr);
        if (t == null) {
            String what = descr.endsWith("O") ? "an array of Python objects (dtype " + descr + ")"
                    : "an array of dtype '" + descr + "'";
            throw new Bad("holds the " + where + ", " + what + ", which the workbench cannot read as weights; save"
                    + " it as float32 (numpy: a.astype('float32'))");
        }
        long[] shape;
        String dims = s.group(1).trim();
        try {
            shape = dims.isEmpty() ? new long[0] : java.util.Arrays.stream(dims.split(",")).map(String::trim)
                    .filter(x -> !x.isEmpty()).mapToLong(x -> x.endsWith("L") ? Long.parseLong(x.substring(0,
                    x.length() - 1)) : Long.parseLong(x)).toArray();
        } catch (NumberFormatException e) {
            throw new Bad("holds the " + where + " with the shape (" + dims + "), which is not a list of sizes");
        }
        long count = 1;
        for (long x : shape) {
            if (x < 0 || (x > 0 && count > Long.MAX_VALUE / x)) {
                throw new Bad("holds the " + where + " with the shape (" + dims + "), which is not a list of sizes");
            }
            count *= x;
        }
        long dataStart = 8 + (major == 1 ? 2 : 4) + hlen;
        long need = count * t.bytes();
        if (need > Integer.MAX_VALUE - 16) {
            throw new Bad("holds the " + where + " of " + need + " bytes, more than the workbench reads as one array");
        }
        if (entrySize >= 0 && entrySize != dataStart + need) {
            throw new Bad((entrySize < dataStart + need ? "is cut off: its " : "is damaged: its ") + where + " ("
                    + descr + ", shape (" + dims + ")) needs " + need + " bytes of data but has " + (entrySize - dataStart)
                    + "; write it again");
        }
        if (shapes != null) {
            shapes.put(name, shape);
        }
        if (manager == null) {
            return null;
        }
        byte[] data = is.readNBytes((int) need);
        if (data.length < need) {
            throw new Bad("is cut off: its " + where + " (" + descr + ", shape (" + dims + ")) needs " + need
                    + " bytes of data but has " + data.length + "; copy or write it again");
        }
        if (t.bigEndian() && t.bytes() > 1) {
            for (int i = 0; i < data.length; i += t.bytes()) {
                for (int a = i, b = i + t.bytes() - 1; a < b; a++, b--) {
                    byte x = data[a];
                    data[a] = data[b];
                    data[b] = x;
                }
            }
        }
        if (f.group(1).equals("True") && shape.length > 1) {
            data = fortranToC(data, shape, t.bytes());
        }
        return create(manager, data, 0, data.length, t.type(), shape);
    }

    /** An npy dtype the workbench reads. */
    private record NpyType(DataType type, int bytes, boolean bigEndian) {}

    private static NpyType npyType(String descr) {
        if (descr.length() < 3) {
            return null;
        }
        char order = descr.charAt(0);
        boolean big = order == '>' || (order == '=' || order == '|') && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
        if (order != '<' && order != '>' && order != '=' && order != '|') {
            return null;
        }
        DataType type = switch (descr.substring(1)) {
            case "f2" -> DataType.FLOAT16;
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            case "i1" -> DataType.INT8;
            case "i4" -> DataType.INT32;
            case "i8" -> DataType.INT64;
            case "u1" -> DataType.UINT8;
            case "b1" -> DataType.BOOLEAN;
            default -> null;
        };
        return type == null ? null : new NpyType(type, type.getNumOfBytes(), big);
    }

    /** Reorders a column-major (Fortran) array's elements into row-major (C) order. */
    private static byte[] fortranToC(byte[] data, long[] shape, int size) {
        int n = shape.length;
        byte[] out = new byte[data.length];
        int count = data.length / size;
        // strides of the Fortran layout, in elements
        long[] fstride = new long[n];
        long st = 1;
        for (int i = 0; i < n; i++) {
            fstride[i] = st;
            st *= shape[i];
        }
        long[] idx = new long[n];
        for (int c = 0; c < count; c++) {
            long fi = 0;
            for (int i = 0; i < n; i++) {
                fi += idx[i] * fstride[i];
            }
            System.arraycopy(data, (int) fi * size, out, c * size, size);
            for (int i = n - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return out;
    }
}
