package org.da3.workbench.test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * Small dataset files made by tests in a temporary folder, in each layout the workbench reads:
 * IDX (MNIST), CIFAR binary, image files (PNG, JPEG) for ImageFolder and Decathlon trees, and
 * ways to damage them. Nothing is downloaded. Pixel values are a function of (image, position),
 * so tests can check where each pixel went.
 */
public final class DatasetFixtures {
    private DatasetFixtures() {}

    /**
     * Makes a file of gigabytes in no time and no disk: a sparse file, its first bytes given and
     * the rest zeros that are never written.
     *
     * @param file the file (created or replaced)
     * @param head the bytes at its start
     * @param length its length in bytes
     * @return the file
     * @throws java.io.IOException on a write error
     */
    public static java.nio.file.Path sparseFile(java.nio.file.Path file, byte[] head, long length)
            throws java.io.IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(head);
            f.setLength(length);
        }
        return file;
    }

    /**
     * The pixel value of image {@code i} at a position (and channel), shared by every writer here.
     *
     * @param i the image index
     * @param y the row
     * @param x the column
     * @param c the channel
     * @return a byte value
     */
    public static int pixel(int i, int y, int x, int c) {
        return (i * 37 + y * 11 + x * 5 + c * 71) & 0xFF;
    }

    /**
     * IDX images: {@code count} images of {@code rows x cols}, pixel {@link #pixel(int, int, int, int)}.
     *
     * @param count images
     * @param rows rows
     * @param cols columns
     * @return the file bytes
     */
    public static byte[] idxImages(int count, int rows, int cols) {
        byte[] b = new byte[16 + count * rows * cols];
        putInt(b, 0, 0x803);
        putInt(b, 4, count);
        putInt(b, 8, rows);
        putInt(b, 12, cols);
        int o = 16;
        for (int i = 0; i < count; i++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    b[o++] = (byte) pixel(i, y, x, 0);
                }
            }
        }
        return b;
    }

    /**
     * IDX labels.
     *
     * @param labels the labels
     * @return the file bytes
     */
    public static byte[] idxLabels(int... labels) {
        byte[] b = new byte[8 + labels.length];
        putInt(b, 0, 0x801);
        putInt(b, 4, labels.length);
        for (int i = 0; i < labels.length; i++) {
            b[8 + i] = (byte) labels[i];
        }
        return b;
    }

    /**
     * Labels cycling through the classes: 0, 1, ..., classes-1, 0, ...
     *
     * @param count how many
     * @param classes the classes
     * @return the labels
     */
    public static int[] cycle(int count, int classes) {
        int[] l = new int[count];
        for (int i = 0; i < count; i++) {
            l[i] = i % classes;
        }
        return l;
    }

    /**
     * Writes an MNIST-style folder: train and t10k images (8x8) and labels.
     *
     * @param dir the folder (created)
     * @param train training images
     * @param test test images
     * @param classes classes the labels cycle through
     * @param gzip gzip the files (and name them .gz)
     * @return the folder
     * @throws IOException on a write error
     */
    public static Path idxDataset(Path dir, int train, int test, int classes, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String ext = gzip ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + ext), idxImages(train, 8, 8), gzip);
        write(dir.resolve("train-labels-idx1-ubyte" + ext), idxLabels(cycle(train, classes)), gzip);
        write(dir.resolve("t10k-images-idx3-ubyte" + ext), idxImages(test, 8, 8), gzip);
        write(dir.resolve("t10k-labels-idx1-ubyte" + ext), idxLabels(cycle(test, classes)), gzip);
        return dir;
    }

    /**
     * Writes bytes, gzip-compressed if asked.
     *
     * @param f the file
     * @param bytes the content
     * @param gzip compress
     * @throws IOException on a write error
     */
    public static void write(Path f, byte[] bytes, boolean gzip) throws IOException {
        Files.write(f, gzip ? gzip(bytes) : bytes);
    }

    /**
     * Gzip-compresses bytes.
     *
     * @param bytes the content
     * @return the compressed bytes
     * @throws IOException never in practice
     */
    public static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(bo)) {
            g.write(bytes);
        }
        return bo.toByteArray();
    }

    /**
     * CIFAR binary records: per image the label bytes, then 32x32 R, G and B planes with pixel
     * {@link #pixel(int, int, int, int)} (image index offset by {@code first}).
     *
     * @param first the index of the first image (for distinct content across files)
     * @param labels per image its label bytes (1 for CIFAR-10, 2 for CIFAR-100)
     * @return the file bytes
     */
    public static byte[] cifarRecords(int first, int[][] labels) {
        int lb = labels.length == 0 ? 1 : labels[0].length;
        int rec = lb + 3072;
        byte[] b = new byte[labels.length * rec];
        for (int i = 0; i < labels.length; i++) {
            int o = i * rec;
            for (int k = 0; k < lb; k++) {
                b[o + k] = (byte) labels[i][k];
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        b[o + lb + c * 1024 + y * 32 + x] = (byte) pixel(first + i, y, x, c);
                    }
                }
            }
        }
        return b;
    }

    /**
     * Writes a CIFAR-10 binary folder: five training batches of {@code perBatch} records, a test
     * batch of {@code test}, labels cycling over 10 classes, and batches.meta.txt.
     *
     * @param dir the folder (created)
     * @param perBatch records per training batch
     * @param test test records
     * @return the folder
     * @throws IOException on a write error
     */
    public static Path cifar10(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        for (int b = 1; b <= 5; b++) {
            int[][] l = new int[perBatch][];
            for (int i = 0; i < perBatch; i++) {
                l[i] = new int[] {((b - 1) * perBatch + i) % 10};
            }
            Files.write(dir.resolve("data_batch_" + b + ".bin"), cifarRecords((b - 1) * perBatch, l));
        }
        int[][] l = new int[test][];
        for (int i = 0; i < test; i++) {
            l[i] = new int[] {i % 10};
        }
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(1000, l));
        Files.writeString(dir.resolve("batches.meta.txt"),
                "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
        return dir;
    }

    /**
     * An RGB image whose pixel (x, y) has channels {@link #pixel(int, int, int, int)} of image {@code i}.
     *
     * @param i the image index
     * @param w the width
     * @param h the height
     * @return the image
     */
    public static BufferedImage image(int i, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (pixel(i, y, x, 0) << 16) | (pixel(i, y, x, 1) << 8) | pixel(i, y, x, 2));
            }
        }
        return img;
    }

    /**
     * Writes an image file; the format follows the extension (png or jpg).
     *
     * @param f the file (parents created)
     * @param img the image
     * @return the file
     * @throws IOException on a write error
     */
    public static Path writeImage(Path f, BufferedImage img) throws IOException {
        Files.createDirectories(f.getParent());
        String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!ImageIO.write(img, n.endsWith(".png") ? "png" : "jpg", f.toFile())) {
            throw new IOException("no writer for " + f);
        }
        return f;
    }

    /**
     * Writes an ImageFolder tree: {@code root/split/class/imgN.png} (every third a .jpg).
     *
     * @param root the dataset folder
     * @param split the split folder name
     * @param classes the class folder names
     * @param perClass images per class
     * @param size the image side
     * @return the dataset folder
     * @throws IOException on a write error
     */
    public static Path imageFolder(Path root, String split, String[] classes, int perClass, int size)
            throws IOException {
        int i = 0;
        for (String c : classes) {
            for (int k = 0; k < perClass; k++, i++) {
                String ext = k % 3 == 2 ? ".jpg" : ".png";
                writeImage(root.resolve(split).resolve(c).resolve("img" + k + ext), image(i, size + k, size));
            }
        }
        return root;
    }

    /**
     * Cuts a file to its first {@code keep} bytes.
     *
     * @param f the file
     * @param keep bytes to keep
     * @throws IOException on a read or write error
     */
    public static void truncate(Path f, int keep) throws IOException {
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, Math.min(keep, b.length)));
    }

    /**
     * Writes text that is no image under an image name.
     *
     * @param f the file
     * @throws IOException on a write error
     */
    public static void notAnImage(Path f) throws IOException {
        Files.createDirectories(f.getParent());
        Files.write(f, "<!DOCTYPE html><html>not found</html>".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Writes {@code workspace/datasets/NAME.yaml} and reads it as the catalog would.
     *
     * @param workspace the workspace folder
     * @param name the dataset name
     * @param yaml the descriptor body (without name)
     * @return the descriptor
     * @throws IOException on a write error
     */
    public static org.da3.workbench.data.DatasetDescriptor descriptor(Path workspace, String name, String yaml)
            throws IOException {
        Path f = workspace.resolve("datasets").resolve(name + ".yaml");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "name: " + name + "\n" + yaml);
        return org.da3.workbench.data.DatasetCatalog.read(f);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }
}
