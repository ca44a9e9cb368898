package org.da3.workbench.data.files;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One IDX file (the MNIST format): a 4-byte magic number {@code 0x000008NN} (unsigned bytes in NN
 * dimensions), NN big-endian 32-bit sizes, then the bytes. Read whole, gzip-compressed or plain,
 * and validated against its header: a problem is added to a list naming the file, never thrown.
 *
 * @param file the file
 * @param bytes the whole (decompressed) content, or only the header when read for a listing
 * @param offset where the data starts
 * @param dims the sizes from the header
 */
record IdxFile(Path file, byte[] bytes, int offset, int[] dims) {

    /** @return the number of items (the first dimension) */
    int count() {
        return dims[0];
    }

    /** @return bytes per item */
    int itemBytes() {
        int n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /**
     * Reads and validates an IDX file.
     *
     * @param file the file ({@code .gz} is decompressed)
     * @param nDims the dimensions expected: 3 for images, 1 for labels
     * @param headerOnly read only the header (for listings)
     * @param problems receives what is wrong
     * @return the file, or null when it is unusable
     */
    static IdxFile read(Path file, int nDims, boolean headerOnly, List<String> problems) {
        String what = nDims == 3 ? "images" : "labels";
        int header = 4 + 4 * nDims;
        int magic = 0x800 | nDims;
        String layout = nDims == 3 ? "magic 0x00000803, count, rows, columns" : "magic 0x00000801, count";
        boolean gz = file.getFileName().toString().endsWith(".gz");
        byte[] b;
        try {
            if (Files.size(file) == 0) {
                problems.add(file + ": is empty (0 bytes); download it again");
                return null;
            }
        } catch (IOException e) {
            // the read below reports it
        }
        // the bytes after the header, when all are read (the header's count of them may be more)
        long actual = -1;
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
            b = in.readNBytes(header);
            long want = announcedBytes(b, nDims);
            if (!headerOnly && want >= 0 && want <= Integer.MAX_VALUE - header) {
                // what the header announces, and only a count of what follows: a file of gigabytes is
                // not read whole into one array (past 2 GB that ended the program)
                byte[] all = java.util.Arrays.copyOf(b, header + (int) want);
                int n = in.readNBytes(all, header, (int) want);
                actual = n + (n < want ? 0 : in.transferTo(java.io.OutputStream.nullOutputStream()));
                b = n < want ? java.util.Arrays.copyOf(all, header + n) : all;
            }
        } catch (AccessDeniedException e) {
            problems.add(file + ": cannot be read (permission denied); make it readable to this user");
            return null;
        } catch (ZipException e) {
            problems.add(file + ": is not gzip-compressed although its name ends in .gz (" + e.getMessage()
                    + "); rename it without .gz, or download it again");
            return null;
        } catch (EOFException e) {
            problems.add(file + ": the gzip data is truncated (" + e.getMessage() + "); download the file again");
            return null;
        } catch (IOException e) {
            problems.add(file + ": cannot be read: " + e.getMessage());
            return null;
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B) {
            problems.add(file + ": is gzip-compressed but its name does not end in .gz; rename it to "
                    + file.getFileName() + ".gz or decompress it");
            return null;
        }
        if (b.length < header) {
            problems.add(file + ": truncated: " + b.length + " bytes, but an IDX " + what + " file starts with a "
                    + header + "-byte header (" + layout + "); download it again");
            return null;
        }
        int found = readInt(b, 0);
        if (found != magic) {
            String hint = found == (0x800 | (nDims == 3 ? 1 : 3))
                    ? "; it looks like an IDX " + (nDims == 3 ? "labels" : "images") + " file: are the names swapped?"
                    : "; the file is corrupt or not IDX";
            problems.add(file + ": magic number " + String.format("0x%08X", found) + " is not that of an IDX " + what
                    + " file (" + String.format("0x%08X", magic) + ": unsigned bytes in " + nDims + " dimension"
                    + (nDims == 1 ? "" : "s") + ")" + hint);
            return null;
        }
        int[] dims = new int[nDims];
        for (int i = 0; i < nDims; i++) {
            dims[i] = readInt(b, 4 + 4 * i);
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                problems.add(file + ": the header gives dimension " + (i + 1) + " as " + dims[i]
                        + "; the header is corrupt, download the file again");
                return null;
            }
        }
        long expected = announcedBytes(b, nDims);
        String announced = nDims == 3
                ? dims[0] + " images of " + dims[1] + "x" + dims[2] + " (" + expected + " bytes of pixels)"
                : dims[0] + " labels";
        if (expected > Integer.MAX_VALUE - header) {
            problems.add(file + ": the header announces " + announced + ", more than one file can hold in memory");
            return null;
        }
        if (headerOnly) {
            return new IdxFile(file, java.util.Arrays.copyOf(b, header), header, dims);
        }
        if (actual < expected) {
            problems.add(file + ": truncated: the header announces " + announced + " but " + actual
                    + " follow; download the file again");
            return null;
        }
        if (actual > expected) {
            problems.add(file + ": " + (actual - expected) + " bytes more than the header announces (" + announced
                    + "); the file is corrupt or not IDX");
            return null;
        }
        return new IdxFile(file, b, header, dims);
    }

    /**
     * The bytes of data a header announces (the product of its sizes, at most {@link Long#MAX_VALUE}),
     * or -1 when the bytes are no IDX header of that many dimensions.
     */
    private static long announcedBytes(byte[] b, int nDims) {
        if (b.length < 4 + 4 * nDims || readInt(b, 0) != (0x800 | nDims)) {
            return -1;
        }
        long n = 1;
        for (int i = 0; i < nDims; i++) {
            int d = readInt(b, 4 + 4 * i);
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    private static int readInt(byte[] b, int o) {
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }
}
