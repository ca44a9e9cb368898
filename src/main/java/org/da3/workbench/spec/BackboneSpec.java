package org.da3.workbench.spec;

import java.util.List;
import java.util.Objects;

/**
 * The shared, pretrained backbone.
 *
 * @param name the architecture: {@code resnet26} (Visual Decathlon style, 64 px), {@code resnet18}
 *     or {@code resnet50} (torchvision layout, 224 px)
 * @param width the width of the first stage (64 for the standard networks; smaller for quick
 *     experiments, for example 16)
 * @param weights the weights file (safetensors or npz with torchvision parameter names), relative
 *     to the workspace; null for a randomly initialised backbone. If the file is missing and a
 *     recipe with the same base name and {@code .yaml} extension sits beside it, the workbench
 *     pretrains the backbone from that recipe on first use and caches the result there.
 */
public record BackboneSpec(String name, int width, String weights) {

    /** The architectures the workbench builds. */
    public static final List<String> NAMES = List.of("resnet26", "resnet18", "resnet50");

    /** Checks the fields. */
    public BackboneSpec {
        Objects.requireNonNull(name, "name");
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown backbone " + name);
        }
        if (width < 4 || width > 512) {
            throw new IllegalArgumentException("width " + width + " out of range 4..512");
        }
    }

    /**
     * The side of the last stage's feature maps, the network's smallest, for an image side. Every
     * stride-2 layer rounds up: ResNet-26 halves the side three times (its stages), ResNet-18 and
     * ResNet-50 five times (stem, max pool and three stages).
     *
     * @param imageSize the input side
     * @return the last stage's side
     */
    public int lastStageSide(int imageSize) {
        int side = imageSize;
        for (int i = "resnet26".equals(name) ? 3 : 5; i > 0; i--) {
            side = (side + 1) / 2;
        }
        return side;
    }

    /** @return the image size the architecture was designed for */
    public int nativeImageSize() {
        return nativeImageSize(name);
    }

    /**
     * @param name an architecture name
     * @return the image size it was designed for: 64 for ResNet-26 (the Decathlon's), 224 otherwise
     */
    public static int nativeImageSize(String name) {
        return "resnet26".equals(name) ? 64 : 224;
    }
}
