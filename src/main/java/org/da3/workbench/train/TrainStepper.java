package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.StepResult;

/** Runs a patch's training steps on the frozen path when it asks for it, else with autograd. */
public final class TrainStepper {
    private final Patch patch;
    private final FrozenPath frozen;

    /**
     * Creates the stepper for a patch.
     *
     * @param patch the patch
     */
    public TrainStepper(Patch patch) {
        this.patch = patch;
        this.frozen = patch.usesFrozenPath() ? new FrozenPath(patch, patch.microBatch(), patch.growMicroBatch(),
                patch.microBatchBand()) : null;
    }

    /** @return whether steps run on the frozen path */
    public boolean frozenPath() {
        return frozen != null;
    }

    /**
     * One step.
     *
     * @param x images
     * @param labels labels
     * @return the step's loss, correct count and gradients
     */
    public StepResult step(NDArray x, NDArray labels) {
        return frozen != null ? frozen.step(x, labels) : patch.trainStep(x, labels);
    }
}
