package org.da3.workbench.data.files;

/**
 * How images of any size become squares of the run's image size.
 *
 * @param mode {@code crop}: scale the shorter side, then cut the centre square; {@code stretch}:
 *     scale the whole image to the square, ignoring its aspect ratio
 * @param cropFraction the share of the shorter side the centre square keeps before scaling (1.0:
 *     all of it; 0.875 is the ImageNet habit of resizing to 256 and cropping 224)
 */
public record Preprocess(String mode, double cropFraction) {

    /** The default: shorter side to the image size, centre square, nothing cut away. */
    public static final Preprocess DEFAULT = new Preprocess("crop", 1.0);

    /** Checks the values. */
    public Preprocess {
        if (!mode.equals("crop") && !mode.equals("stretch")) {
            throw new IllegalArgumentException("resize mode must be crop or stretch, not " + mode);
        }
        if (!(cropFraction > 0 && cropFraction <= 1)) {
            throw new IllegalArgumentException("crop fraction must be in (0, 1], not " + cropFraction);
        }
    }

    /**
     * The source rectangle an image of this size is sampled from.
     *
     * @param width the source width
     * @param height the source height
     * @return {x0, y0, w, h} in source pixels (fractional)
     */
    public double[] sourceBox(int width, int height) {
        if (mode.equals("stretch")) {
            double w = width * cropFraction;
            double h = height * cropFraction;
            return new double[] {(width - w) / 2, (height - h) / 2, w, h};
        }
        double side = Math.min(width, height) * cropFraction;
        return new double[] {(width - side) / 2, (height - side) / 2, side, side};
    }

    /** @return a short text for cache keys */
    String key() {
        return mode + ":" + cropFraction;
    }
}
