package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes named tensors as safetensors or npz files (the formats torchvision exports can
 * produce), and imports them into a backbone by torchvision name.
 */
public final class Weights {
    private Weights() {}

    /**
     * Writes named arrays atomically (a temporary file, then a rename), as safetensors unless the
     * name ends with {@code .npz}.
     *
     * @param arrays the arrays by name
     * @param file the destination
     * @throws IOException on a write error
     */
    public static void save(Map<String, NDArray> arrays, Path file) throws IOException {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
        }
        NDList.Encoding enc = file.toString().endsWith(".npz") ? NDList.Encoding.NPZ : NDList.Encoding.SAFETENSORS;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            list.encode(os, enc);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        org.da3.workbench.run.AtomicFiles.readableByAll(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads named arrays from a safetensors or npz file.
     *
     * @param file the file
     * @param manager the owner of the arrays
     * @return the arrays by name, in file order
     * @throws IOException naming the file when it is missing or not a tensor file
     */
    public static Map<String, NDArray> load(Path file, NDManager manager) throws IOException {
        String problem = formatProblem(file);
        if (problem != null) {
            throw new IOException(file + ": " + problem);
        }
        try {
            return TensorFile.read(file, manager);
        } catch (TensorFile.Bad e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": the weights file does not exist", e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": its tensors cannot be read although its header can (" + e.getMessage()
                    + "); the file is damaged: write it again", e);
        }
    }

    /**
     * What is wrong with a weights file's framing, read from its headers only (so a spec can be
     * checked before anything starts): a safetensors file is an 8-byte little-endian header
     * length, a JSON header of that length naming each tensor once with a known dtype, its shape
     * and its byte range, then the tensor bytes, each byte in exactly one tensor; an npz file is a
     * zip archive of NAME.npy arrays of numbers.
     *
     * @param file the weights file
     * @return the problem in words, or null when the framing is sound
     * @throws IOException when the file cannot be read
     */
    public static String formatProblem(Path file) throws IOException {
        return framing(file, new LinkedHashMap<>());
    }

    /** {@link #formatProblem}, keeping every tensor's shape from the headers in {@code shapes}. */
    private static String framing(Path file, Map<String, Shape> shapes) throws IOException {
        if (Files.isDirectory(file)) {
            return "is a folder; give a weights file (.safetensors or .npz)";
        }
        if (!Files.exists(file)) {
            return "the weights file does not exist";
        }
        try {
            TensorFile.checkHeaders(file).forEach((k, v) -> shapes.put(k, new Shape(v)));
        } catch (TensorFile.Bad e) {
            return e.getMessage();
        }
        return null;
    }

    /** @param dict a backbone's parameters; @return their arrays by name */
    public static Map<String, NDArray> arrays(Map<String, Parameter> dict) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : dict.entrySet()) {
            out.put(e.getKey(), e.getValue().getArray());
        }
        return out;
    }

    /**
     * Copies named arrays into a backbone's parameters, checking that they fit exactly. Names
     * outside the backbone that a torchvision export carries ({@code fc.*}, {@code
     * num_batches_tracked}) are ignored, and so is the {@code module.} prefix that a state dict
     * saved from {@code DataParallel} gives every name. Nothing is copied unless every tensor fits,
     * is floating point and holds finite values only.
     *
     * @param net the backbone
     * @param source the arrays by torchvision name
     * @param file the file name for messages
     * @throws IllegalArgumentException listing every missing, unexpected and mis-shaped tensor
     *     (and which architecture the file holds, when its names tell), every integer tensor, or
     *     every tensor with NaN or infinite values
     */
    public static void importInto(ResNet net, Map<String, NDArray> source, String file) {
        source = withoutDataParallelPrefix(source);
        Map<String, Parameter> dict = net.stateDict();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : source.entrySet()) {
            shapes.put(e.getKey(), e.getValue().getShape());
        }
        String misfit = misfit(net, shapes);
        if (misfit != null) {
            throw new IllegalArgumentException(file + ": the weights do not fit " + misfit);
        }
        List<String> integer = new ArrayList<>();
        for (String k : dict.keySet()) {
            if (!source.get(k).getDataType().isFloating()) {
                integer.add(k + " (" + source.get(k).getDataType() + ")");
            }
        }
        if (!integer.isEmpty()) {
            throw new IllegalArgumentException(file + ": the backbone's weights are floating point, but the file holds"
                    + " integer tensors for " + integer.size() + " of them: " + abbrev(integer) + " (a quantised"
                    + " export?); export the float32 state dict as docs/weights.md shows");
        }
        Map<String, NDArray> typed = new LinkedHashMap<>();
        List<String> nonFinite = new ArrayList<>();
        try {
            for (Map.Entry<String, Parameter> e : dict.entrySet()) {
                NDArray src = source.get(e.getKey());
                NDArray dst = e.getValue().getArray();
                NDArray t = src.getDataType() == dst.getDataType() ? src : src.toType(dst.getDataType(), false);
                typed.put(e.getKey(), t);
                long nan;
                long inf;
                try (NDArray isNan = t.isNaN(); NDArray isInf = t.isInfinite()) {
                    nan = isNan.countNonzero().getLong();
                    inf = isInf.countNonzero().getLong();
                }
                if (nan + inf > 0) {
                    nonFinite.add(e.getKey() + " (" + (nan > 0 ? nan + " NaN" : "") + (nan > 0 && inf > 0 ? ", " : "")
                            + (inf > 0 ? inf + " infinite" : "") + " of " + t.size() + ")");
                }
            }
            if (!nonFinite.isEmpty()) {
                // a frozen backbone with them gives NaN features for every image: refuse, do not start
                throw new IllegalArgumentException(file + ": the weights hold NaN or infinite values in "
                        + nonFinite.size() + " tensors: " + abbrev(nonFinite) + "; the training or export that wrote"
                        + " them diverged or the file is damaged: use another checkpoint");
            }
            for (Map.Entry<String, Parameter> e : dict.entrySet()) {
                e.getValue().getArray().set(typed.get(e.getKey()).toByteBuffer());
            }
        } finally {
            for (Map.Entry<String, NDArray> e : typed.entrySet()) {
                if (e.getValue() != source.get(e.getKey())) {
                    e.getValue().close();
                }
            }
        }
    }

    /**
     * {@link #formatProblem}, then whether the file fits the backbone: its tensor names and shapes
     * must be the backbone's exactly, apart from what {@link #importInto} ignores. Everything that
     * can be told of a weights file for a backbone from its headers (read once), before any run
     * starts.
     *
     * @param file the weights file
     * @param arch the backbone's architecture
     * @param width its first stage's width
     * @return the problem in words, or null when the file can be used
     * @throws IOException when the file cannot be read
     */
    public static String problem(Path file, String arch, int width) throws IOException {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        String framing = framing(file, shapes);
        if (framing != null) {
            return framing;
        }
        String misfit = misfit(ResNet.create(arch, width), withoutDataParallelPrefix(shapes));
        return misfit == null ? null : "does not fit " + misfit;
    }

    /** What does not fit, after "the weights do not fit ", or null when everything fits. */
    private static String misfit(ResNet net, Map<String, Shape> source) {
        Map<String, Shape> dict = net.stateShapes();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        for (Map.Entry<String, Shape> e : dict.entrySet()) {
            Shape a = source.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (!a.equals(e.getValue())) {
                misshaped.add(e.getKey() + " (file " + a + ", backbone " + e.getValue() + ")");
            }
        }
        for (String k : new TreeMap<>(source).keySet()) {
            if (!dict.containsKey(k) && !ignored(k)) {
                unexpected.add(k);
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty() && misshaped.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder().append(net.arch()).append(" width ").append(net.width()).append(".");
        if (!missing.isEmpty()) {
            sb.append(" Missing (").append(missing.size()).append("): ").append(abbrev(missing)).append('.');
        }
        if (!unexpected.isEmpty()) {
            sb.append(" Unexpected (").append(unexpected.size()).append("): ").append(abbrev(unexpected)).append('.');
        }
        if (!misshaped.isEmpty()) {
            sb.append(" Mis-shaped (").append(misshaped.size()).append("): ").append(abbrev(misshaped)).append('.');
        }
        String looks = looksLike(source);
        if (looks != null && !looks.equals(net.arch() + " width " + net.width())) {
            String[] aw = looks.split(" width ");
            sb.append(" By its tensor names and layer1.0.conv1.weight, the file holds a ").append(looks)
                    .append(": set backbone.name: ").append(aw[0]).append(" and backbone.width: ").append(aw[1])
                    .append(", or give a file of ").append(net.arch()).append(" width ").append(net.width()).append('.');
        } else {
            sb.append(" Check backbone.name and backbone.width, or export the file as docs/weights.md shows.");
        }
        return sb.toString();
    }

    private static boolean ignored(String name) {
        return name.startsWith("fc.") || name.endsWith("num_batches_tracked");
    }

    /** A state dict saved from a DataParallel model names every tensor module.NAME: drop that. */
    private static <T> Map<String, T> withoutDataParallelPrefix(Map<String, T> source) {
        if (source.isEmpty() || !source.keySet().stream().allMatch(k -> k != null && k.startsWith("module."))) {
            return source;
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : source.entrySet()) {
            out.put(e.getKey().substring("module.".length()), e.getValue());
        }
        return out;
    }

    /**
     * Which of the workbench's architectures a file holds, told from its tensor names (the
     * architecture) and layer1.0.conv1.weight's shape (the first stage's width, in every one).
     *
     * @return "ARCH width W", or null when no architecture has exactly the file's names
     */
    private static String looksLike(Map<String, Shape> source) {
        Shape first = source.get("layer1.0.conv1.weight");
        if (first == null || first.dimension() != 4) {
            return null;
        }
        long width = first.get(0);
        if (width < 4 || width > 512) {
            return null;
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String k : source.keySet()) {
            if (!ignored(k)) {
                names.add(k);
            }
        }
        for (String arch : org.da3.workbench.spec.BackboneSpec.NAMES) {
            if (new java.util.TreeSet<>(ResNet.create(arch, (int) width).stateDict().keySet()).equals(names)) {
                return arch + " width " + width;
            }
        }
        return null;
    }

    private static String abbrev(List<String> names) {
        if (names.size() <= 12) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, 12)) + ", ... (" + (names.size() - 12) + " more)";
    }

    /**
     * A checksum of a backbone's arrays (FNV-1a over their bytes), to prove a frozen backbone
     * stayed bit-identical.
     *
     * @param net the backbone
     * @return the checksum as 16 hex digits
     */
    public static String checksum(ResNet net) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, Parameter> e : net.stateDict().entrySet()) {
            for (byte b : e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                h = (h ^ b) * 0x100000001b3L;
            }
            java.nio.ByteBuffer bb = e.getValue().getArray().toByteBuffer();
            while (bb.hasRemaining()) {
                h = (h ^ bb.get()) * 0x100000001b3L;
            }
        }
        return String.format("%016x", h);
    }
}
