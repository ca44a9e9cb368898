package org.da3.workbench.spec;

import java.util.List;
import java.util.Objects;

/**
 * How each domain is trained.
 *
 * @param epochs passes over each domain's training split
 * @param batchSize images per training step
 * @param optimizer {@code sgd} (with momentum) or {@code adam}
 * @param learningRate the base learning rate (a method may override it)
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay on trainable weights
 * @param schedule {@code constant}, {@code cosine} or {@code step} (x0.1 at 50% and 75%)
 * @param imageSize the side of the square network input, in pixels
 * @param seed the run's seed; every random stream (init, order, augmentation) is split from it
 * @param augmentation training-time augmentation
 * @param trainLimit the most training images used per domain (0: all), for quick experiments
 * @param testLimit the most test images evaluated per domain (0: all)
 * @param evalBatchSize images per evaluation batch
 * @param logEvery steps between progress, metric and gate events
 * @param threads intra-op threads for the engine (0: all cores)
 * @param allocator how the worker's native allocator treats freed tensors: {@code exact} (they go
 *     back to the OS at once, so measured memory is the live tensors', at the cost of speed) or
 *     {@code reuse} (glibc keeps them for reuse: faster, and measured memory is what the process
 *     holds, its reuse pool included)
 */
public record TrainingSpec(
        int epochs,
        int batchSize,
        String optimizer,
        double learningRate,
        double momentum,
        double weightDecay,
        String schedule,
        int imageSize,
        long seed,
        AugmentationSpec augmentation,
        int trainLimit,
        int testLimit,
        int evalBatchSize,
        int logEvery,
        int threads,
        String allocator) {

    /** The optimizers. */
    public static final List<String> OPTIMIZERS = List.of("sgd", "adam");

    /** The allocator settings: measured memory exact, or freed memory reused (faster). */
    public static final List<String> ALLOCATORS = List.of("exact", "reuse");

    /** The learning-rate schedules. */
    public static final List<String> SCHEDULES = List.of("constant", "cosine", "step");

    /** The smallest learning rate a spec accepts, in the training section and as a method option. */
    public static final double MIN_LEARNING_RATE = 1e-9;

    /** The defaults a spec starts from (the image size is the backbone's native one). */
    public static final TrainingSpec DEFAULTS =
            new TrainingSpec(
                    3, 32, "sgd", 0.01, 0.9, 5e-4, "cosine", 64, 42, AugmentationSpec.DEFAULTS, 0, 0,
                    128, 10, 0, "exact");

    /** Checks the fields; the loader has already produced friendlier messages. */
    public TrainingSpec {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(augmentation, "augmentation");
        if (!OPTIMIZERS.contains(optimizer) || !SCHEDULES.contains(schedule) || !ALLOCATORS.contains(allocator)) {
            throw new IllegalArgumentException("bad optimizer, schedule or allocator");
        }
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || imageSize < 8 || evalBatchSize < 1
                || logEvery < 1 || trainLimit < 0 || testLimit < 0 || threads < 0) {
            throw new IllegalArgumentException("training values out of range");
        }
    }

    /**
     * Copies with another seed.
     *
     * @param newSeed the seed
     * @return the copy
     */
    public TrainingSpec withSeed(long newSeed) {
        return new TrainingSpec(epochs, batchSize, optimizer, learningRate, momentum, weightDecay,
                schedule, imageSize, newSeed, augmentation, trainLimit, testLimit, evalBatchSize,
                logEvery, threads, allocator);
    }
}
