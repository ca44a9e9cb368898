package org.da3.workbench.spec;

/**
 * Training-time augmentation, deterministic under the run's seed.
 *
 * @param randomCrop pad by {@code padding} pixels and crop back to the image size at a random place
 * @param padding the padding for the random crop, in pixels
 * @param flip mirror horizontally with probability 0.5
 */
public record AugmentationSpec(boolean randomCrop, int padding, boolean flip) {

    /** No augmentation. */
    public static final AugmentationSpec NONE = new AugmentationSpec(false, 0, false);

    /** What a spec gets when it says nothing: no augmentation, and a crop padding of 4 ready for it. */
    public static final AugmentationSpec DEFAULTS = new AugmentationSpec(false, 4, false);

    /** Checks the fields. */
    public AugmentationSpec {
        if (padding < 0 || padding > 64) {
            throw new IllegalArgumentException("padding " + padding + " out of range 0..64");
        }
    }
}
