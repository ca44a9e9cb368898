package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A block adapter that can train on the frozen path: its forward runs without a graph and keeps
 * only small, pooled inputs; its backward works from them with the upstream gradient injected
 * (by hand or through a small local graph) and returns the gradient for the block input and for
 * the frozen main path.
 */
public interface FrozenPathAdapter extends BlockAdapter {

    /**
     * The result of a graph-free forward.
     *
     * @param term the block's residual-branch contribution (added to the shortcut)
     * @param saved what {@link #backward} needs (pooled inputs, gates), owned by the keep manager
     * @param gates the hard gates of this chunk (N), or null when the adapter does not gate
     */
    record Forward(NDArray term, Object saved, float[] gates) {}

    /**
     * The result of a backward.
     *
     * @param dx the gradient for the block input through the adapter (null when none), at the
     *     input's resolution or coarser: (N, C_in, H / kh, W / kw), each value standing for a
     *     kh x kw window (nearest-neighbour upsampling), which the frozen path adds in place
     *     without making the full-size array
     * @param gMain the gradient for the main path's output F(x) on the rows whose gate is open
     *     (the upstream gradient there; the frozen path reads no other row)
     */
    record Backward(NDArray dx, NDArray gMain) {}

    /**
     * The hard per-sample gates of a training forward, computed from the block input before the
     * main path runs, so the frozen path can skip the main path of closed samples (forward and
     * backward). The adapter keeps what it computed for {@link #forwardSaving}.
     *
     * @param x the block input
     * @param keep the manager that owns what is kept until the step's backward is over
     * @return gates (N) in {0, 1}, or null when the adapter does not gate
     */
    default NDArray trainingGate(NDArray x, NDManager keep) {
        return null;
    }

    /**
     * Runs the adapter without a graph, keeping what its backward needs.
     *
     * @param x the block input (N, C_in, H, W)
     * @param main F(x), the frozen main path's output (N, C_out, H', W'), with zero rows for the
     *     samples whose gate from {@link #trainingGate} is closed; this step's own array, which
     *     the adapter may change in place and return as its term
     * @param keep the manager that owns the saved arrays until the step's backward is over
     * @return the term and the saved state
     */
    Forward forwardSaving(NDArray x, NDArray main, NDManager keep);

    /**
     * Back-propagates through the adapter from its saved inputs with the upstream gradient
     * injected: by hand, adding its parameters' gradients to {@code grads}, or through a local
     * graph ({@code backward(sum(out * g))}), which accumulates them on the parameters.
     *
     * @param saved the state from {@link #forwardSaving}
     * @param gPre dL/d(pre-activation of the block output), (N, C_out, H', W')
     * @param budgetCoefficient dL/dG for every gate of the batch (the compute-budget term's
     *     derivative), 0 when there is none
     * @param needInputGradient false for the first block, whose input gradient nobody needs
     * @param grads where hand-computed parameter gradients go, summed over the step's micro-batches
     * @return the gradients for the block input (through the adapter; null when not needed) and
     *     for F(x)
     */
    Backward backward(Object saved, NDArray gPre, float budgetCoefficient, boolean needInputGradient,
            ParameterGradients grads);

    /**
     * Whether the adapter treats samples independently (no batch statistics), so that a step can
     * run in micro-batches with exactly the same result.
     *
     * @return true for per-sample adapters
     */
    boolean perSample();
}
