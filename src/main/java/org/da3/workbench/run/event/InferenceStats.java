package org.da3.workbench.run.event;

/**
 * Inference cost of a domain's patch, measured on its test split after training (with the patch
 * reloaded from disk): multiply-accumulates per image and latency, with and without skipping the
 * frozen main path of closed gates (DA3). Methods without gates report the same numbers twice.
 *
 * @param domain the domain
 * @param macsPerImage MACs per image as run (closed gates skipped), averaged over the test split
 * @param macsFull MACs per image of the full network (every gate open)
 * @param openRatio mean gate open ratio over blocks and images, NaN without gates
 * @param msPerImageSkip measured milliseconds per image with skipping
 * @param msPerImageFull measured milliseconds per image computing every main path
 * @param images test images timed
 * @param batchSize the evaluation batch size
 */
public record InferenceStats(String domain, long macsPerImage, long macsFull, double openRatio,
        double msPerImageSkip, double msPerImageFull, long images, int batchSize) implements Event {}
