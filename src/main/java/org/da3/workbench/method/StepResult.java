package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * One training step's outcome: the loss and the correct count as Java numbers, and the gradients
 * for the optimizer (owned by the step; {@link Patch#releaseGradients} disposes of them).
 *
 * @param loss the loss value
 * @param correct training images classified right
 * @param grads gradients by trainable name
 */
public record StepResult(double loss, int correct, Map<String, NDArray> grads) {}
