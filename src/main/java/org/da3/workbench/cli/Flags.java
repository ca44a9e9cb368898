package org.da3.workbench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.spec.BackboneSpec;

/**
 * Checks of command-line values that picocli's types do not cover: ranges, ratios and the
 * network shapes the benchmarks and the profiler take. Each failure is an
 * {@link IllegalArgumentException} whose message names the flag, the value and what is allowed,
 * which the CLI reports as bad input (exit 2) before any worker starts.
 */
final class Flags {
    private Flags() {}

    /** The largest batch a spec accepts (training.batch_size), and so a flag. */
    static final int MAX_BATCH = 4096;

    /**
     * @param flag the flag, for example {@code --steps}
     * @param value the value given
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value
     */
    static int wholeNumber(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + ": " + value + " is out of range; use a whole number from " + min
                    + " to " + max);
        }
        return (int) value;
    }

    /**
     * @param flag the flag
     * @param value the value given
     * @return the value, a ratio from 0 to 1
     */
    static double ratio(String flag, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(flag + ": " + value + " is not a ratio; use a number from 0 to 1");
        }
        return value;
    }

    /**
     * Checks a network shape as the spec loader would: a known architecture, a width of 4 to 512,
     * an image side of 8 to 1024 and a batch of 1 to 4096.
     *
     * @param where what gave the values (a flag, or a flag and its value)
     * @param arch the architecture
     * @param width the width
     * @param imageSize the image side
     * @param batch the batch
     */
    static void shape(String where, String arch, long width, long imageSize, long batch) {
        arch(where, arch);
        wholeNumber(where + ": width", width, 4, 512);
        wholeNumber(where + ": image size", imageSize, 8, 1024);
        wholeNumber(where + ": batch", batch, 1, MAX_BATCH);
    }

    /**
     * @param where what gave the value
     * @param arch an architecture name
     * @return the name, one the workbench builds
     */
    static String arch(String where, String arch) {
        if (!BackboneSpec.NAMES.contains(arch)) {
            throw new IllegalArgumentException(where + ": unknown backbone '" + arch + "'; use one of "
                    + String.join(", ", BackboneSpec.NAMES));
        }
        return arch;
    }

    /**
     * Checks that a file can be written where a flag (or its default) puts it: not a folder, under
     * folders that exist or can be made, in one that takes new files (a scratch file is made there
     * and removed). A benchmark checks its outputs so before it measures, not after.
     *
     * @param flag the flag
     * @param file the file to be written
     * @return the file
     */
    static Path outputFile(String flag, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": is a folder; give a file name");
        }
        for (Path d = file.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            if (!Files.exists(d)) {
                continue;
            }
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException(flag + " " + file + ": " + d + " is a file, not a folder;"
                        + " give a path under a folder");
            }
            try {
                Files.delete(Files.createTempFile(d, ".da3-write-check", ".tmp"));
            } catch (IOException | SecurityException e) {
                String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                        : e.getClass().getSimpleName();
                throw new IllegalArgumentException(flag + " " + file + ": files cannot be written in " + d + " ("
                        + why + "); choose a folder you can write to");
            }
            break;
        }
        return file;
    }

    /**
     * Parses a benchmark configuration {@code ARCH:WIDTH:SIZE:BATCH} and checks it.
     *
     * @param flag the flag
     * @param text the value given
     * @return width, size and batch (the architecture is the text's first field)
     */
    static int[] config(String flag, String text) {
        String[] p = text.split(":", -1);
        String where = flag + " " + text;
        if (p.length != 4) {
            throw new IllegalArgumentException(where + ": not ARCH:WIDTH:SIZE:BATCH, for example resnet26:64:64:32");
        }
        String[] names = {"width", "image size", "batch"};
        long[] v = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Long.parseLong(p[i + 1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": " + names[i] + " '" + p[i + 1]
                        + "' is not a whole number");
            }
        }
        shape(where, p[0], v[0], v[1], v[2]);
        return new int[] {(int) v[0], (int) v[1], (int) v[2]};
    }
}
