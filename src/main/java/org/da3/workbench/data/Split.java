package org.da3.workbench.data;

import java.util.Objects;

/**
 * One split of a domain, held decoded as uint8 pixels: {@code count} images of {@code height x
 * width x channels} bytes each, row-major, channels last (HWC), and their labels.
 *
 * <p>Images stay bytes in memory and become floats one batch at a time, so a domain costs a
 * quarter of its float size.
 *
 * @param pixels the pixel bytes, {@code count * height * width * channels} of them
 * @param labels the class of each image, in {@code [0, classes)}
 * @param height the image height
 * @param width the image width
 * @param channels 1 (grayscale, widened to 3 per batch) or 3 (RGB)
 */
public record Split(byte[] pixels, int[] labels, int height, int width, int channels) {

    /** Checks that the arrays agree with the shape. */
    public Split {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        }
        long expected = (long) labels.length * height * width * channels;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected "
                    + expected + " for " + labels.length + " images of " + height + "x" + width + "x" + channels);
        }
    }

    /** @return the number of images */
    public int size() {
        return labels.length;
    }

    /** @return bytes per image */
    public int imageBytes() {
        return height * width * channels;
    }

    /**
     * Keeps at most the first {@code limit} images.
     *
     * @param limit the most images to keep (0: all)
     * @return this split or a shorter copy
     */
    public Split limit(int limit) {
        if (limit <= 0 || limit >= size()) {
            return this;
        }
        byte[] p = java.util.Arrays.copyOf(pixels, limit * imageBytes());
        int[] l = java.util.Arrays.copyOf(labels, limit);
        return new Split(p, l, height, width, channels);
    }
}
