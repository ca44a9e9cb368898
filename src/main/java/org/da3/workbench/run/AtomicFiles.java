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
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a folder; give a file name");
        }
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d)) {
                if (!Files.isDirectory(d)) {
                    throw new IOException("cannot write " + file + ": " + d + " is a file, not a folder");
                }
                break;
            }
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            readableByAll(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException(problem(file, dir, e), e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Says in plain words why a file could not be written, naming the file asked for, not the
     * temporary file the write went through.
     *
     * @param file the destination
     * @param dir its folder
     * @param e what the file system said
     * @return the message
     */
    static String problem(Path file, Path dir, IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "cannot write " + file + ": permission denied in " + dir + "; choose a folder you can write to";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return "cannot write " + file + ": " + f.getReason();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "cannot write " + file + ": files cannot be created in " + dir;
        }
        return "cannot write " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
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
