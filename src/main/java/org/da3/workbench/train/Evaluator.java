package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.da3.workbench.data.Batcher;
import org.da3.workbench.data.Split;
import org.da3.workbench.method.Losses;
import org.da3.workbench.method.Patch;

/** Accuracy of a patched backbone on a split: inference mode, no graph, one manager per batch. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Counts correct predictions.
     *
     * @param patch the domain's patch
     * @param batcher the domain's batcher
     * @param split the split
     * @param batchSize images per batch
     * @param parent the manager batches are made under
     * @return images classified right
     */
    public static long correct(Patch patch, Batcher batcher, Split split, int batchSize, NDManager parent) {
        long correct = 0;
        int n = split.size();
        for (int start = 0; start < n; start += batchSize) {
            int len = Math.min(batchSize, n - start);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) {
                idx[i] = start + i;
            }
            try (NDManager bm = parent.newSubManager()) {
                NDArray x = batcher.images(bm, split, idx, null);
                NDArray y = Batcher.labels(bm, split, idx);
                NDArray logits = patch.logits(x, false);
                correct += Losses.correct(logits, y);
            }
        }
        return correct;
    }
}
