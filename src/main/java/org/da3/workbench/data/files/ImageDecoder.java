package org.da3.workbench.data.files;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one image file (JPEG, PNG, BMP, GIF or TIFF: what the JDK's ImageIO reads) into uint8
 * pixels of a square size. Anything that goes wrong becomes a {@link BadImage} naming the file; a decoder
 * warning (for example a JPEG that ends early, which the JDK would otherwise fill with grey) counts
 * as a failure, so a damaged image never enters a dataset silently.
 */
final class ImageDecoder {
    /** The largest image file read: a Java array's size (a larger file is no image one would train on). */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;


    private static final Set<String> FORMATS = Set.of("jpeg", "png", "gif", "bmp", "tif", "tiff");

    /** The file name extensions of images, lower case. */
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff");

    static {
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {}

    /** An image that cannot be used; the message names the file and the fix. */
    static final class BadImage extends Exception {
        private static final long serialVersionUID = 1L;

        BadImage(String message) {
            super(message);
        }
    }

    /**
     * Whether a file name has an image extension the image kinds read.
     *
     * @param name the file name
     * @return true for {@link #EXTENSIONS}, in any case
     */
    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) {
            if (n.endsWith(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes a file to a square.
     *
     * @param file the image file
     * @param size the output side
     * @param pp how to resize
     * @param gray one channel (luma) instead of three
     * @return {@code size * size * (gray ? 1 : 3)} bytes, HWC
     * @throws BadImage naming the file
     */
    static byte[] decode(Path file, int size, Preprocess pp, boolean gray) throws BadImage {
        byte[] data;
        try {
            long bytes = Files.size(file);
            if (bytes > MAX_FILE_BYTES) {
                // read whole, it would end the decoding of every image with an OutOfMemoryError
                throw new BadImage(file + ": is " + bytes + " bytes, larger than an image file the workbench reads"
                        + " (" + MAX_FILE_BYTES + "); replace or remove it");
            }
            data = Files.readAllBytes(file);
        } catch (OutOfMemoryError e) {
            throw new BadImage(file + ": is too large to read into memory here (" + e.getMessage() + "); replace or"
                    + " remove it, or give the JVM more memory (-Xmx)");
        } catch (AccessDeniedException e) {
            throw new BadImage(file + ": cannot be read (permission denied); make it readable to this user");
        } catch (NoSuchFileException e) {
            throw new BadImage(Files.isSymbolicLink(file) ? brokenLink(file) : file + ": does not exist");
        } catch (IOException e) {
            throw new BadImage(file + ": cannot be read: " + e.getMessage());
        }
        if (data.length == 0) {
            throw new BadImage(file + ": is empty (0 bytes); replace or remove it");
        }
        ImageReader reader = null;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            while (it.hasNext()) {
                ImageReader r = it.next();
                if (reader == null && FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
                    reader = r;
                } else {
                    r.dispose();
                }
            }
            if (reader == null) {
                throw new BadImage(file + ": is not a JPEG, PNG, BMP, GIF or TIFF image (it starts with " + head(data)
                        + "); replace or remove it");
            }
            List<String> warnings = new ArrayList<>();
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((src, w) -> warnings.add(w));
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new BadImage(file + ": has no pixels (" + w + "x" + h + "); replace or remove it");
            }
            ImageReadParam param = reader.getDefaultReadParam();
            double[] box = pp.sourceBox(w, h);
            int k = (int) Math.floor(Math.min(box[2], box[3]) / size / 2);
            if (k > 1) {
                param.setSourceSubsampling(k, k, 0, 0);
            }
            BufferedImage img = reader.read(0, param);
            if (!warnings.isEmpty()) {
                throw new BadImage(file + ": is truncated or corrupt (" + warnings.get(0) + "); replace or remove it");
            }
            int c = gray ? 1 : 3;
            byte[] px = pixels(img, gray);
            return Resampler.square(px, img.getWidth(), img.getHeight(), c, pp, size);
        } catch (BadImage e) {
            throw e;
        } catch (IIOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Unsupported Image Type")) {
                throw new BadImage(file + ": is a CMYK or YCCK JPEG, which the JDK cannot decode; convert it to RGB"
                        + " (for example: convert IN.jpg -colorspace sRGB OUT.jpg)");
            }
            throw new BadImage(file + ": cannot be decoded (" + causes(e) + "); replace or remove it");
        } catch (IOException | RuntimeException e) {
            throw new BadImage(file + ": cannot be decoded (" + causes(e) + "); replace or remove it");
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /**
     * Says that a symbolic link's target does not exist.
     *
     * @param link the link
     * @return the problem, naming the link, its target and the fix
     */
    static String brokenLink(Path link) {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            target = "?";
        }
        return link + ": is a symbolic link to " + target + ", which does not exist; fix or remove the link";
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 200; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    private static String head(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, data.length); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", data[i] & 0xFF));
        }
        return "bytes " + sb;
    }

    /** Reads pixels as RGB or luma bytes; gray images are read from their samples, not via sRGB. */
    private static byte[] pixels(BufferedImage img, boolean gray) {
        int w = img.getWidth();
        int h = img.getHeight();
        int c = gray ? 1 : 3;
        byte[] out = new byte[w * h * c];
        ColorModel cm = img.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            Raster r = img.getRaster();
            int bits = cm.getComponentSize(0);
            int max = (1 << bits) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? row[x] : (row[x] * 255 + max / 2) / max;
                    int o = (y * w + x) * c;
                    for (int k = 0; k < c; k++) {
                        out[o + k] = (byte) v;
                    }
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int rr = (p >> 16) & 0xFF;
                int gg = (p >> 8) & 0xFF;
                int bb = p & 0xFF;
                int o = (y * w + x) * c;
                if (gray) {
                    out[o] = (byte) ((rr * 19595 + gg * 38470 + bb * 7471 + 0x8000) >> 16);
                } else {
                    out[o] = (byte) rr;
                    out[o + 1] = (byte) gg;
                    out[o + 2] = (byte) bb;
                }
            }
        }
        return out;
    }
}
