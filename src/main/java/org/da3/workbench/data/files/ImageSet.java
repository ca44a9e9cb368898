package org.da3.workbench.data.files;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.Split;

/**
 * A split made of image files (the image kinds): picks a class-balanced subset under a limit,
 * decodes the files in parallel into one uint8 {@link Split}, and keeps the result in the data
 * cache ({@code images/}), keyed by the file listing (paths, sizes, modification times, labels) and
 * the preprocessing, so a later load reads one compact file instead of decoding every JPEG again.
 */
final class ImageSet {

    private static final byte[] MAGIC = "DA3IMGS1".getBytes(StandardCharsets.US_ASCII);

    private ImageSet() {}

    /**
     * One image of a split.
     *
     * @param file the file
     * @param label its class index
     * @param size its length in bytes (-1 if unknown)
     * @param mtime its modification time in ms (-1 if unknown)
     */
    record Entry(Path file, int label, long size, long mtime) {}

    /**
     * A decoded split.
     *
     * @param split the images that decoded
     * @param bad one message per image that did not, in listing order
     */
    record Decoded(Split split, List<String> bad) {}

    /**
     * Says when test images are also training images (one file in both splits), which would report
     * accuracy on images the network was trained on.
     *
     * @param train the training images
     * @param test the test images
     * @param identity what makes two entries one file: at least the normalised path; the file key
     *     (device and inode) where known, so that links to one file are one file
     * @param where what names the splits, for the fix (for example "splits in datasets/cub.yaml")
     * @return the problem, or null when the splits share no file
     */
    static String overlap(List<Entry> train, List<Entry> test, Function<Entry, Object> identity, String where) {
        Set<Object> seen = new HashSet<>();
        for (Entry e : train) {
            seen.add(identity.apply(e));
        }
        int shared = 0;
        Path first = null;
        for (Entry e : test) {
            if (seen.contains(identity.apply(e)) && shared++ == 0) {
                first = e.file();
            }
        }
        if (shared == 0) {
            return null;
        }
        String many = shared == test.size() ? "as are all " + shared : "as are " + shared + " of the " + test.size();
        return first + ": is a training image and a test image" + (shared == 1 ? "" : " (" + many + " test images)")
                + "; test on images the network is not trained on (" + where + ")";
    }

    /**
     * Picks at most {@code limit} entries, as evenly over the classes as possible: round-robin over
     * the classes, each class's files in an order fixed by a hash of their paths below the listing's
     * common folder, so the same files are picked on every machine, wherever the dataset lies. The result keeps the listing order.
     *
     * @param entries the listing
     * @param limit the most to keep (0: all)
     * @return the chosen entries
     */
    static List<Entry> select(List<Entry> entries, int limit) {
        if (limit <= 0 || limit >= entries.size()) {
            return entries;
        }
        int classes = entries.stream().mapToInt(Entry::label).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < entries.size(); i++) {
            byClass.get(entries.get(i).label()).add(i);
        }
        // keyed by the path below the listing's common folder, not the absolute path: the dataset's
        // root differs between machines (another home, a ${DATA} elsewhere, a remote worker)
        String[] keys = relativeKeys(entries);
        for (List<Integer> l : byClass) {
            l.sort(Comparator.comparingLong((Integer i) -> mix(keys[i].hashCode())).thenComparing(i -> keys[i]));
        }
        boolean[] keep = new boolean[entries.size()];
        int taken = 0;
        for (int round = 0; taken < limit; round++) {
            for (List<Integer> l : byClass) {
                if (round < l.size() && taken < limit) {
                    keep[l.get(round)] = true;
                    taken++;
                }
            }
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (keep[i]) {
                out.add(entries.get(i));
            }
        }
        return out;
    }

    /**
     * Each entry's path below the deepest folder that holds them all, its names joined with '/'
     * (the same on every machine and file system where the dataset has the same layout).
     */
    static String[] relativeKeys(List<Entry> entries) {
        Path common = entries.get(0).file().toAbsolutePath().normalize().getParent();
        for (Entry e : entries) {
            Path f = e.file().toAbsolutePath().normalize();
            while (common != null && !f.startsWith(common)) {
                common = common.getParent();
            }
        }
        String[] keys = new String[entries.size()];
        for (int i = 0; i < keys.length; i++) {
            Path f = entries.get(i).file().toAbsolutePath().normalize();
            Path rel = common == null ? f : common.relativize(f);
            StringBuilder sb = new StringBuilder();
            for (Path part : rel) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(part);
            }
            keys[i] = sb.toString();
        }
        return keys;
    }

    private static long mix(long h) {
        h *= 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    /**
     * Refuses a split whose pixels cannot be held in one Java array (2 GB), before anything is
     * allocated, with the fix.
     *
     * @param name the dataset and split, for the message (for example {@code cub-train})
     * @param images the number of images
     * @param size the output side
     * @param channels 1 or 3
     * @throws DatasetException if the split is too large
     */
    static void checkFits(String name, long images, int size, int channels) {
        long bytes = (long) size * size * channels;
        if (bytes * images > Integer.MAX_VALUE - 64) {
            throw new DatasetException(name + ": " + images + " images of " + size + "x" + size + "x" + channels
                    + " need " + String.format("%.1f", bytes * images / 1e9) + " GB, more than one split can"
                    + " hold in memory (2 GB); set training.train_limit or test_limit, or a smaller image_size");
        }
    }

    /**
     * Decodes a split, through the cache when allowed.
     *
     * @param name the dataset and split, for the cache file name and messages (for example {@code cub/train})
     * @param entries the images
     * @param size the output side
     * @param pp how to resize
     * @param gray one channel instead of three
     * @param useCache read and write the cache
     * @return the decoded split and the images that failed
     */
    static Decoded decode(String name, List<Entry> entries, int size, Preprocess pp, boolean gray,
            boolean useCache) {
        int c = gray ? 1 : 3;
        checkFits(name, entries.size(), size, c);
        Path cacheFile = null;
        if (useCache) {
            DataCache.Fingerprint fp = new DataCache.Fingerprint("images-v1").add(size + "/" + pp.key() + "/" + c);
            for (Entry e : entries) {
                fp.addFile(e.file(), e.size(), e.mtime()).add(Integer.toString(e.label()));
            }
            cacheFile = DataCache.directory().resolve("images")
                    .resolve(name.replaceAll("[^A-Za-z0-9._+-]", "-") + "-" + size + "px-" + fp.hex() + ".bin");
            Decoded cached = read(cacheFile, size, c);
            if (cached != null) {
                return cached;
            }
        }
        Decoded d = decodeAll(entries, size, pp, gray);
        if (cacheFile != null) {
            try {
                write(cacheFile, d);
            } catch (IOException e) {
                System.err.println("da3: cannot cache decoded images in " + cacheFile.getParent() + ": " + e.getMessage()
                        + " (set DA3_CACHE to a writable folder)");
            }
        }
        return d;
    }

    private static Decoded decodeAll(List<Entry> entries, int size, Preprocess pp, boolean gray) {
        int n = entries.size();
        int c = gray ? 1 : 3;
        int bytes = size * size * c;
        byte[] px = new byte[n * bytes];
        String[] bad = new String[n];
        parallel(n, i -> {
            try {
                byte[] img = ImageDecoder.decode(entries.get(i).file(), size, pp, gray);
                System.arraycopy(img, 0, px, i * bytes, bytes);
            } catch (ImageDecoder.BadImage e) {
                bad[i] = e.getMessage();
            }
        });
        List<String> badList = new ArrayList<>();
        int kept = 0;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            if (bad[i] != null) {
                badList.add(bad[i]);
                continue;
            }
            if (kept != i) {
                System.arraycopy(px, i * bytes, px, kept * bytes, bytes);
            }
            labels[kept++] = entries.get(i).label();
        }
        byte[] pixels = kept == n ? px : Arrays.copyOf(px, kept * bytes);
        return new Decoded(new Split(pixels, Arrays.copyOf(labels, kept), size, size, c), badList);
    }

    /**
     * Decodes every file to check it, in parallel.
     *
     * @param entries the images
     * @return a message per image that fails, in listing order
     */
    static List<String> verify(List<Entry> entries) {
        String[] bad = new String[entries.size()];
        parallel(entries.size(), i -> {
            try {
                ImageDecoder.decode(entries.get(i).file(), 8, Preprocess.DEFAULT, false);
            } catch (ImageDecoder.BadImage e) {
                bad[i] = e.getMessage();
            }
        });
        List<String> out = new ArrayList<>();
        for (String b : bad) {
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    private static void parallel(int n, java.util.function.IntConsumer body) {
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            throw new DatasetException("decoding images failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Reads a cache file; null when absent, damaged or of another shape. Every count in the header is
     * checked against the file's length before anything is allocated, so a damaged header costs a
     * rebuild, never an out-of-memory error.
     */
    static Decoded read(Path f, int size, int channels) {
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try (InputStream raw = Files.newInputStream(f);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                return null;
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            int c = in.readInt();
            if (n < 0 || h != size || w != size || c != channels) {
                return null;
            }
            int nBad = in.readInt();
            // what follows the header: the bad-image messages, the labels, the pixels and the CRC
            long left = Files.size(f) - MAGIC.length - 5 * Integer.BYTES;
            if (nBad < 0 || nBad > left / Integer.BYTES) {
                return null;
            }
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < nBad; i++) {
                int len = in.readInt();
                left -= Integer.BYTES;
                if (len < 0 || len > left) {
                    return null;
                }
                byte[] s = new byte[len];
                in.readFully(s);
                left -= len;
                bad.add(new String(s, StandardCharsets.UTF_8));
            }
            if (left != n * (Integer.BYTES + (long) h * w * c) + Long.BYTES) {
                return null;
            }
            int[] labels = new int[n];
            CRC32 crc = new CRC32();
            byte[] lb = new byte[n * 4];
            in.readFully(lb);
            crc.update(lb);
            for (int i = 0; i < n; i++) {
                labels[i] = ((lb[4 * i] & 0xFF) << 24) | ((lb[4 * i + 1] & 0xFF) << 16) | ((lb[4 * i + 2] & 0xFF) << 8)
                        | (lb[4 * i + 3] & 0xFF);
            }
            byte[] px = new byte[Math.multiplyExact(n, h * w * c)];
            in.readFully(px);
            crc.update(px);
            if (in.readLong() != crc.getValue() || in.read() != -1) {
                return null;
            }
            return new Decoded(new Split(px, labels, h, w, c), bad);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes a cache file atomically. */
    static void write(Path f, Decoded d) throws IOException {
        Files.createDirectories(f.getParent());
        Path tmp = Files.createTempFile(f.getParent(), f.getFileName().toString(), ".tmp");
        try {
            Split s = d.split();
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(s.size());
                out.writeInt(s.height());
                out.writeInt(s.width());
                out.writeInt(s.channels());
                out.writeInt(d.bad().size());
                for (String b : d.bad()) {
                    byte[] bs = b.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(bs.length);
                    out.write(bs);
                }
                CRC32 crc = new CRC32();
                byte[] lb = new byte[s.size() * 4];
                for (int i = 0; i < s.size(); i++) {
                    int v = s.labels()[i];
                    lb[4 * i] = (byte) (v >>> 24);
                    lb[4 * i + 1] = (byte) (v >>> 16);
                    lb[4 * i + 2] = (byte) (v >>> 8);
                    lb[4 * i + 3] = (byte) v;
                }
                out.write(lb);
                crc.update(lb);
                out.write(s.pixels());
                crc.update(s.pixels());
                out.writeLong(crc.getValue());
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
