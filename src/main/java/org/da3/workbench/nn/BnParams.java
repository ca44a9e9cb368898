package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;

/**
 * The arrays one BatchNorm uses in a forward pass, and whether it normalises with batch
 * statistics (and updates its running statistics) while training.
 *
 * <p>A frozen BN ({@code batchStatistics == false}) always normalises with its running statistics
 * and never changes them, whatever the training flag: DJL's own BatchNorm updates statistics
 * whenever training is on, even with frozen parameters, which silently changes a "frozen" backbone.
 *
 * @param gamma the scale (C)
 * @param beta the shift (C)
 * @param runningMean the running mean (C)
 * @param runningVar the running variance (C)
 * @param batchStatistics true to use and update batch statistics in training
 */
public record BnParams(NDArray gamma, NDArray beta, NDArray runningMean, NDArray runningVar,
        boolean batchStatistics) {

    /** The epsilon every BN uses (PyTorch's default). */
    public static final float EPS = 1e-5f;
}
