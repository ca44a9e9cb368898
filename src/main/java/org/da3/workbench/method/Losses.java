package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;

/** Losses shared by the methods. */
public final class Losses {
    private Losses() {}

    /**
     * Mean softmax cross-entropy.
     *
     * @param logits (N, K)
     * @param labels (N) int
     * @return the scalar loss
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        int k = (int) logits.getShape().get(1);
        try (NDArray lsm = logits.logSoftmax(1); NDArray oh = labels.oneHot(k);
                NDArray picked = lsm.mul(oh); NDArray s = picked.sum(new int[] {1})) {
            return s.mean().neg();
        }
    }

    /**
     * The number of rows whose arg-max equals the label.
     *
     * @param logits (N, K)
     * @param labels (N) int
     * @return the count
     */
    public static int correct(NDArray logits, NDArray labels) {
        try (NDArray pred = logits.argMax(1);
                NDArray asLong = pred.toType(ai.djl.ndarray.types.DataType.INT64, false)) {
            long[] p = asLong.toLongArray();
            int[] l = labels.toIntArray();
            int c = 0;
            for (int i = 0; i < l.length; i++) {
                if (p[i] == l[i]) {
                    c++;
                }
            }
            return c;
        }
    }
}
