package org.da3.workbench.data;

/**
 * How a domain is loaded for a run.
 *
 * @param imageSize the side, in pixels, images are resized (and centre-cropped) to
 * @param trainLimit the most training images (0: all)
 * @param testLimit the most test images (0: all)
 * @param skipBadImages skip images that fail to decode (counted and reported) instead of failing
 */
public record LoadOptions(int imageSize, int trainLimit, int testLimit, boolean skipBadImages) {

    /** Checks the size. */
    public LoadOptions {
        if (imageSize < 4) {
            throw new IllegalArgumentException("image size " + imageSize + " is too small");
        }
    }
}
