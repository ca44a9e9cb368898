package org.da3.workbench.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Parameter gradients computed by hand rather than by autograd (a frozen BN's trainable bias, an
 * adapter's hand-written backward), summed over the micro-batches of one step. Keyed by the
 * parameter array itself; owns the sums until they are taken.
 */
public final class ParameterGradients implements AutoCloseable {
    private final Map<NDArray, NDArray> sums = new IdentityHashMap<>();
    private final NDManager owner;

    /**
     * Creates an empty sink.
     *
     * @param owner the manager that holds the sums (contributions made in shorter-lived managers
     *     are moved to it)
     */
    public ParameterGradients(NDManager owner) {
        this.owner = owner;
    }

    /**
     * Adds a gradient contribution for a parameter, taking ownership of it.
     *
     * @param parameter the parameter
     * @param gradient its gradient, of the parameter's shape (closed here when it is added to an
     *     earlier one)
     */
    public void add(NDArray parameter, NDArray gradient) {
        if (!gradient.getShape().equals(parameter.getShape())) {
            Shape got = gradient.getShape();
            gradient.close();
            throw new IllegalArgumentException("gradient of shape " + got + " for a parameter of shape "
                    + parameter.getShape());
        }
        NDArray prev = sums.get(parameter);
        if (prev == null) {
            gradient.attach(owner);
            sums.put(parameter, gradient);
        } else {
            prev.addi(gradient);
            gradient.close();
        }
    }

    /**
     * Takes the summed gradient of a parameter out of the sink.
     *
     * @param parameter the parameter
     * @return its gradient (the caller owns it), or null when none was added
     */
    public NDArray take(NDArray parameter) {
        return sums.remove(parameter);
    }

    /** Closes the gradients nobody took. */
    @Override
    public void close() {
        sums.values().forEach(NDArray::close);
        sums.clear();
    }
}
