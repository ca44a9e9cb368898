package org.da3.workbench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes result files atomically: a temporary file in the same folder, then a rename. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes text atomically; readers see the old file or the new one, never half of it.
     *
     * @param file the destination
     * @param text the content
     * @throws IOException on a write error (the destination is untouched)
     */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes bytes atomically.
     *
     * @param file the destination
     * @param bytes the content
     * @throws IOException on a write error (the destination is untouched)
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            readableByAll(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Gives a file the usual permissions (rw-r--r--): temporary files are created owner-only.
     *
     * @param file the file
     */
    public static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }
}
