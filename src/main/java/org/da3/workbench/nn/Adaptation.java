package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;

/**
 * How a method patches the frozen backbone for one domain. The backbone calls these hooks during
 * its forward pass; the defaults leave it unchanged (frozen weights, frozen BN, no block adapter).
 *
 * <ul>
 *   <li>{@link #convWeight}: the weight a conv uses (fine-tune's own copy, Piggyback's masked
 *       weight);
 *   <li>{@link #afterConv}: what is added after a conv (series and parallel residual adapters);
 *   <li>{@link #bn}: the BN arrays and mode (per-domain BN for bn+last and the adapters);
 *   <li>{@link #block}: a block-level adapter that gates the main path and adds a term (DA3, lite
 *       residual).
 * </ul>
 */
public interface Adaptation {

    /** The unpatched backbone. */
    Adaptation NONE = new Adaptation() {};

    /**
     * The weight a conv uses.
     *
     * @param conv the conv
     * @return the weight array (the backbone's own by default)
     */
    default NDArray convWeight(ConvLayer conv) {
        return conv.weight().getArray();
    }

    /**
     * Called after the conv has used a weight returned by {@link #convWeight} that is not the
     * backbone's own, so a computed weight (a masked copy) can be closed.
     *
     * @param conv the conv
     * @param weight the weight that was used
     */
    default void releaseConvWeight(ConvLayer conv, NDArray weight) {}

    /**
     * Post-processes a conv's output.
     *
     * @param conv the conv
     * @param in the conv's input
     * @param out the conv's output
     * @param training whether the step trains
     * @return the output to use ({@code out} by default)
     */
    default NDArray afterConv(ConvLayer conv, NDArray in, NDArray out, boolean training) {
        return out;
    }

    /**
     * The BN arrays and mode for a BN of the backbone.
     *
     * @param bn the layer
     * @return the parameters (the backbone's, frozen, by default)
     */
    default BnParams bn(BatchNormLayer bn) {
        return bn.frozen();
    }

    /**
     * The block-level adapter of a residual block.
     *
     * @param block the block
     * @return the adapter, or null for none
     */
    default BlockAdapter block(ResidualBlock block) {
        return null;
    }
}
