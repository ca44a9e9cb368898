package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;

/**
 * A per-block adapter that sits beside a residual block's frozen main path F: it may gate F per
 * sample and add its own term, so the block computes {@code relu(S(x) + combine(x, F(x)))}.
 */
public interface BlockAdapter {

    /**
     * The per-sample gate, computed from the block input before the main path runs, so that
     * inference can skip F for closed samples.
     *
     * @param x the block input (N, C, H, W)
     * @param training whether the step trains
     * @return hard gates (N) in {0, 1}, or null when this adapter does not gate
     */
    NDArray gate(NDArray x, boolean training);

    /**
     * The block's residual-branch contribution.
     *
     * @param x the block input
     * @param main F(x), the frozen main path's output (zeros for samples whose gate is closed at
     *     inference)
     * @param gate the gate from {@link #gate} (null if none)
     * @param training whether the step trains
     * @return the term added to the shortcut before the final ReLU
     */
    NDArray combine(NDArray x, NDArray main, NDArray gate, boolean training);

    /**
     * Whether inference skips the main path for samples whose gate is closed (the FLOPs DA3
     * saves). Training always computes F for every sample.
     *
     * @return true to skip
     */
    default boolean skipClosed() {
        return false;
    }
}
