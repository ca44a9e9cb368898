package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
        if (Files.isDirectory(file)) {
            return "is a folder; give a weights file (.safetensors or .npz)";
        }
        if (!Files.exists(file)) {
            return "the weights file does not exist";
        }
        try {
            TensorFile.checkHeaders(file);
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
     * num_batches_tracked}) are ignored.
     *
     * @param net the backbone
     * @param source the arrays by torchvision name
     * @param file the file name for messages
     * @throws IllegalArgumentException listing every missing, unexpected and mis-shaped tensor
     */
    public static void importInto(ResNet net, Map<String, NDArray> source, String file) {
        Map<String, Parameter> dict = net.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : dict.entrySet()) {
            NDArray a = source.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (!a.getShape().equals(e.getValue().getArray().getShape())) {
                misshaped.add(e.getKey() + " (file " + a.getShape() + ", backbone "
                        + e.getValue().getArray().getShape() + ")");
            }
        }
        for (String k : new TreeMap<>(source).keySet()) {
            if (!dict.containsKey(k) && !k.startsWith("fc.") && !k.endsWith("num_batches_tracked")) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
            StringBuilder sb = new StringBuilder(file).append(": the weights do not fit ")
                    .append(net.arch()).append(" width ").append(net.width()).append(".");
            if (!missing.isEmpty()) {
                sb.append(" Missing (").append(missing.size()).append("): ").append(abbrev(missing)).append('.');
            }
            if (!unexpected.isEmpty()) {
                sb.append(" Unexpected (").append(unexpected.size()).append("): ").append(abbrev(unexpected)).append('.');
            }
            if (!misshaped.isEmpty()) {
                sb.append(" Mis-shaped (").append(misshaped.size()).append("): ").append(abbrev(misshaped)).append('.');
            }
            sb.append(" Check backbone.name and backbone.width, or export the file as docs/weights.md shows.");
            throw new IllegalArgumentException(sb.toString());
        }
        for (Map.Entry<String, Parameter> e : dict.entrySet()) {
            NDArray src = source.get(e.getKey());
            NDArray dst = e.getValue().getArray();
            NDArray typed = src.getDataType() == dst.getDataType() ? src : src.toType(dst.getDataType(), false);
            dst.set(typed.toByteBuffer());
            if (typed != src) {
                typed.close();
            }
        }
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
