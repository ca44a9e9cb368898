package org.da3.workbench.memory;

import java.util.List;

/**
 * The analytic training memory of one method on one backbone, batch and image size: what training
 * keeps, layer by layer, and the totals. Plain values, no DJL, so the CLI and the GUI can show it.
 *
 * <p>The training-step memory above the idle baseline is {@code gradients + optimizer + kept +
 * workspace}: the backbone's weights, the patch's own arrays and the data belong to the baseline.
 *
 * @param label the method label
 * @param method the method name
 * @param engine "autograd" or "frozen-path"
 * @param arch the backbone
 * @param width its width
 * @param batch images per step
 * @param imageSize the input side
 * @param microBatch the frozen path's micro-batch (0: whole batch; autograd: the batch)
 * @param openRatio the DA3 gate open ratio assumed (1 when gates are open or absent)
 * @param weightBytes the backbone's weights and statistics (baseline)
 * @param patchBytes the patch's own arrays: trainable and buffers (baseline)
 * @param trainableParams scalars trained
 * @param gradientBytes gradients of the trainable parameters
 * @param optimizerBytes optimizer state (momentum, Adam moments)
 * @param keptBytes what the forward keeps for the backward (activations, masks, pooled inputs)
 * @param workspaceBytes what the step's peak holds on top of the gradients, the optimizer state and
 *     everything kept: the transient tensors of a moment when all of it is held (at a forward peak
 *     of the frozen path, where later micro-batches have kept nothing yet, less than that
 *     moment's transients)
 * @param layers the breakdown
 */
public record MemoryProfile(
        String label,
        String method,
        String engine,
        String arch,
        int width,
        int batch,
        int imageSize,
        int microBatch,
        double openRatio,
        long weightBytes,
        long patchBytes,
        long trainableParams,
        long gradientBytes,
        long optimizerBytes,
        long keptBytes,
        long workspaceBytes,
        List<Layer> layers) {

    /** Copies the list. */
    public MemoryProfile {
        layers = List.copyOf(layers);
    }

    /** @return the analytic training-step peak above the idle baseline */
    public long stepBytes() {
        return gradientBytes + optimizerBytes + keptBytes + workspaceBytes;
    }

    /**
     * One row of the breakdown.
     *
     * @param name the layer, torchvision-style ({@code layer1.0.conv1}) or a module
     * @param kind conv, bn, relu, pool, block, adapter, head, ...
     * @param shape the output shape per image, C x H x W
     * @param params scalars in the layer's weights
     * @param trainable scalars trained by the method
     * @param keptBytes what the layer keeps for the backward pass, for the whole batch
     * @param peakBytes the peak transient bytes while this layer runs (forward or backward)
     * @param note what is kept and why
     */
    public record Layer(String name, String kind, String shape, long params, long trainable, long keptBytes,
            long peakBytes, String note) {}
}
