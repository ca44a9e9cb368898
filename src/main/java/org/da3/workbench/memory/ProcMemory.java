package org.da3.workbench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads this process's resident memory on Linux: VmRSS (now) and VmHWM (peak since start or since
 * the last {@link #resetPeak()}, which writes 5 to /proc/self/clear_refs). Elsewhere every reading
 * is -1.
 */
public final class ProcMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcMemory() {}

    /** @return whether readings are available */
    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** @return resident set size in bytes, or -1 */
    public static long rss() {
        return field("VmRSS:");
    }

    /** @return peak resident set size in bytes since the last reset, or -1 */
    public static long peak() {
        return field("VmHWM:");
    }

    /**
     * Resets the peak to the current RSS, so the next {@link #peak()} is the peak of the phase
     * that starts now.
     *
     * @return whether the reset worked
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Whether this process's freed tensors go back to the OS at once: the {@code exact} allocator
     * setting ({@code MALLOC_MMAP_THRESHOLD_} set, as every worker of an {@code exact} run has it).
     *
     * @return true when glibc was told to map every large block on its own
     */
    public static boolean freesAtOnce() {
        return System.getenv("MALLOC_MMAP_THRESHOLD_") != null;
    }

    /**
     * Before an idle baseline: where freed memory stays in the C heap (the {@code reuse} setting),
     * gives it back ({@link #trim()}) so the baseline holds only what is live. The {@code exact}
     * setting is left alone: its large blocks are gone already, and the small ones the warm-up freed
     * are the heap's steady pool, which the profiler's figures were checked against.
     */
    public static void settleForBaseline() {
        if (!freesAtOnce()) {
            trim();
        }
    }

    /**
     * Gives the C heap's free memory back to the OS ({@code malloc_trim(0)}, glibc only), so that
     * RSS is what is live. With glibc's default settings (the {@code reuse} allocator) the heap
     * keeps every tensor freed so far; a baseline taken without a trim would hide them from the
     * next peak.
     *
     * @return whether the C library trimmed (false where it has no malloc_trim)
     */
    public static boolean trim() {
        try {
            com.sun.jna.Function f = com.sun.jna.NativeLibrary.getInstance("c").getFunction("malloc_trim");
            f.invokeInt(new Object[] {0});
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
