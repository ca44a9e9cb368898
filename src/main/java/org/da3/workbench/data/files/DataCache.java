package org.da3.workbench.data.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The workbench's data cache, outside the dataset folders (which may be read-only, like
 * {@code /usr/share/datasets}): normalisation statistics in {@code stats/} and decoded image sets in
 * {@code images/}, each file named by a fingerprint of what it was computed from, so a changed
 * dataset never meets a stale entry. The folder is {@code $DA3_CACHE}, else
 * {@code ~/.cache/da3-workbench}; the system property {@code da3.cache} overrides both (tests).
 * Deleting it is always safe. A cache that cannot be written only costs time: nothing fails.
 */
public final class DataCache {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DataCache() {}

    /** @return the cache folder (not necessarily existing yet) */
    public static Path directory() {
        String p = System.getProperty("da3.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("DA3_CACHE");
        }
        if (p == null || p.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "da3-workbench");
        }
        if (p.equals("~") || p.startsWith("~/")) {
            p = System.getProperty("user.home") + p.substring(1);
        }
        return Path.of(p).toAbsolutePath().normalize();
    }

    /** Builds a SHA-256 fingerprint from texts and file identities (path, size, modification time). */
    static final class Fingerprint {
        private final MessageDigest md;

        Fingerprint(String what) {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            add(what);
        }

        Fingerprint add(String s) {
            md.update(s.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return this;
        }

        Fingerprint addFile(Path f) {
            add(f.toAbsolutePath().normalize().toString());
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                add(a.size() + "@" + a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                add("unreadable");
            }
            return this;
        }

        Fingerprint addFile(Path f, long size, long mtime) {
            return add(f.toString()).add(size + "@" + mtime);
        }

        /** @return the first 24 hex digits */
        String hex() {
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        }
    }

    /**
     * The statistics for a fingerprint: read from the cache, else computed and written there.
     *
     * @param fingerprint what the statistics were computed from
     * @param compute computes {mean[3], std[3]}
     * @return {mean[3], std[3]}
     */
    static float[][] statistics(String fingerprint, Supplier<float[][]> compute) {
        Path f = directory().resolve("stats").resolve(fingerprint + ".json");
        try {
            if (Files.isRegularFile(f)) {
                JsonNode n = JSON.readTree(f.toFile());
                float[] mean = floats(n.get("mean"));
                float[] std = floats(n.get("std"));
                if (mean != null && std != null) {
                    return new float[][] {mean, std};
                }
            }
        } catch (IOException | RuntimeException e) {
            // A damaged entry is recomputed below.
        }
        float[][] s = compute.get();
        ObjectNode o = JSON.createObjectNode();
        o.putArray("mean").add(s[0][0]).add(s[0][1]).add(s[0][2]);
        o.putArray("std").add(s[1][0]).add(s[1][1]).add(s[1][2]);
        try {
            writeAtomically(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
        } catch (IOException e) {
            System.err.println("da3: cannot cache normalisation statistics in " + f.getParent() + ": " + e.getMessage()
                    + " (set DA3_CACHE to a writable folder)");
        }
        return s;
    }

    private static float[] floats(JsonNode a) {
        if (a == null || !a.isArray() || a.size() != 3) {
            return null;
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!a.get(i).isNumber()) {
                return null;
            }
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    /**
     * Writes a file through a temporary sibling and a rename, so readers never see half of it.
     *
     * @param f the file
     * @param bytes its content
     * @throws IOException on a write error
     */
    static void writeAtomically(Path f, byte[] bytes) throws IOException {
        Files.createDirectories(f.getParent());
        Path tmp = Files.createTempFile(f.getParent(), f.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
