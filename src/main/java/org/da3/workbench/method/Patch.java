package org.da3.workbench.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.nn.Adaptation;
import org.da3.workbench.nn.LinearLayer;
import org.da3.workbench.nn.ResNet;

/**
 * What a method learns for one domain, applied to the shared backbone through the {@link
 * Adaptation} hooks: its own classifier head plus whatever the method adds (adapters, masks,
 * attention, a whole copy of the backbone for fine-tune).
 *
 * <p>A patch owns its arrays through its own manager and is saved on its own: {@link #state()} is
 * exactly what goes into the domain's patch file; loading that state into a fresh patch on the same
 * backbone reproduces the domain's predictions bit for bit.
 */
public abstract class Patch implements Adaptation, AutoCloseable {
    /** Name prefix of the head's arrays in {@link #state()}. */
    public static final String HEAD = "fc";

    /** The context it was made in. */
    protected final PatchContext ctx;
    /** The patch's own manager. */
    protected final NDManager manager;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final NDArray headWeight;
    private final NDArray headBias;

    /**
     * Creates the patch and its head (PyTorch's default initialisation, from the context's seed).
     *
     * @param ctx the context
     */
    protected Patch(PatchContext ctx) {
        this.ctx = ctx;
        this.manager = ctx.manager();
        int in = ctx.backbone().featureDim();
        int out = ctx.numClasses();
        SplittableRandom r = new SplittableRandom(ctx.seed());
        double bound = 1.0 / Math.sqrt(in);
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[out];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        headWeight = trainable(HEAD + ".weight", manager.create(w, new Shape(out, in)));
        headBias = trainable(HEAD + ".bias", manager.create(b, new Shape(out)));
    }

    /** @return the backbone */
    public ResNet backbone() {
        return ctx.backbone();
    }

    /**
     * Registers a trainable array (it will require gradients, be updated and be saved).
     *
     * @param name the name in the patch file
     * @param array the array, owned by this patch's manager
     * @return the array
     */
    protected final NDArray trainable(String name, NDArray array) {
        array.setRequiresGradient(true);
        trainable.put(name, array);
        return array;
    }

    /**
     * Registers a saved array that is not trained by gradient (BN running statistics, masks).
     *
     * @param name the name in the patch file
     * @param array the array
     * @return the array
     */
    protected final NDArray buffer(String name, NDArray array) {
        buffers.put(name, array);
        return array;
    }

    /** @return the trainable arrays by name */
    public Map<String, NDArray> trainable() {
        return Collections.unmodifiableMap(trainable);
    }

    /** @return the non-trainable saved arrays by name */
    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /**
     * The arrays saved in the domain's patch file: trainable and buffers, as stored. Subclasses
     * that store something more compact than their working arrays (bit-packed masks) override it.
     *
     * @return the arrays by name
     */
    public Map<String, NDArray> state() {
        Map<String, NDArray> m = new LinkedHashMap<>(trainable);
        m.putAll(buffers);
        return m;
    }

    /**
     * Restores a saved state into this patch (same method, options and backbone).
     *
     * @param saved the arrays from the patch file
     * @param file the file name for messages
     */
    public void load(Map<String, NDArray> saved, String file) {
        Map<String, NDArray> mine = state();
        for (Map.Entry<String, NDArray> e : mine.entrySet()) {
            NDArray src = saved.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException(file + ": the patch has no tensor '" + e.getKey()
                        + "'; it was not saved by this method with these options");
            }
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has shape "
                        + src.getShape() + ", expected " + e.getValue().getShape());
            }
            e.getValue().set(src.toByteBuffer());
        }
    }

    /** @return the number of scalars trained for this domain */
    public long trainableCount() {
        long n = 0;
        for (NDArray a : trainable.values()) {
            n += a.size();
        }
        return n;
    }

    /**
     * Class scores of a batch.
     *
     * @param x images (N, 3, H, W)
     * @param training whether the step trains
     * @return logits (N, classes)
     */
    public NDArray logits(NDArray x, boolean training) {
        NDArray f = features(x, training);
        NDArray out = LinearLayer.apply(f, headWeight, headBias);
        f.close();
        return out;
    }

    /**
     * Pooled features of the (patched) backbone.
     *
     * @param x images
     * @param training whether the step trains
     * @return features (N, D)
     */
    protected NDArray features(NDArray x, boolean training) {
        return backbone().features(x, this, training);
    }

    /** @return the head's weight (classes, D) */
    public NDArray headWeight() {
        return headWeight;
    }

    /** @return the head's bias (classes) */
    public NDArray headBias() {
        return headBias;
    }

    /**
     * An extra loss term of the last forward pass (DA3's compute budget), or null.
     *
     * @return the term, or null
     */
    protected NDArray extraLoss() {
        return null;
    }

    /**
     * The compute-budget term of gated methods, {@code lambda * (mean(G) - rho)^2}.
     *
     * @return {lambda, rho}, or null when the method has no budget
     */
    public double[] budget() {
        return null;
    }

    /**
     * Whether the budget applies to each gated block's open ratio separately (the mean over blocks
     * of the squared deviations) rather than to the open ratio over all blocks.
     *
     * @return true for a per-block budget
     */
    public boolean budgetPerBlock() {
        return false;
    }

    /**
     * Whether this patch trains on the frozen path (train.FrozenPath) rather than with autograd:
     * true for the methods whose trainable parameters do not sit on full-resolution activations,
     * unless their {@code engine} option says {@code autograd}.
     *
     * @return true to use the frozen path
     */
    public boolean usesFrozenPath() {
        return false;
    }

    /**
     * The frozen path's micro-batch size for this patch (0: the whole batch).
     *
     * @return images per micro-batch
     */
    public int microBatch() {
        return 0;
    }

    /**
     * Whether the frozen path's later, smaller blocks run larger micro-batches (see {@link
     * org.da3.workbench.train.FrozenPath#microBatches}).
     *
     * @return true to grow the micro-batch where the activations shrink
     */
    public boolean growMicroBatch() {
        return false;
    }

    /**
     * With {@link #growMicroBatch}, the activation sizes the largest blocks' micro-batch is fitted
     * to (see {@link org.da3.workbench.train.FrozenPath#microBatches}).
     *
     * @return the band ({@link org.da3.workbench.train.FrozenPath.Band#NONE}: the micro-batch as given)
     */
    public org.da3.workbench.train.FrozenPath.Band microBatchBand() {
        return org.da3.workbench.train.FrozenPath.Band.NONE;
    }

    /**
     * One training step: forward, loss, gradients. The default runs plain autograd; methods with
     * a frozen-path backward override it.
     *
     * @param x images (N, 3, H, W)
     * @param labels (N) int
     * @return the loss, the correct count and the gradients
     */
    public StepResult trainStep(NDArray x, NDArray labels) {
        return trainStepAutograd(x, labels);
    }

    /**
     * One training step with plain autograd over the whole patched network (every method's
     * reference implementation; the frozen path is tested against it).
     *
     * @param x images (N, 3, H, W)
     * @param labels (N) int
     * @return the loss, the correct count and the gradients
     */
    public final StepResult trainStepAutograd(NDArray x, NDArray labels) {
        double loss;
        int correct;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = logits(x, true);
            NDArray ce = Losses.crossEntropy(logits, labels);
            NDArray extra = extraLoss();
            NDArray total = extra == null ? ce : ce.add(extra);
            gc.backward(total);
            loss = total.getFloat();
            correct = Losses.correct(logits, labels);
            for (NDArray a : List.of(logits, ce, total)) {
                a.close();
            }
            if (extra != null) {
                extra.close();
            }
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            grads.put(e.getKey(), e.getValue().getGradient());
        }
        return new StepResult(loss, correct, grads);
    }

    /**
     * Disposes of a step's gradients after the optimizer used them: autograd's are zeroed in place
     * (PyTorch accumulates them) and their handles closed.
     *
     * @param result the step
     */
    public void releaseGradients(StepResult result) {
        for (NDArray g : result.grads().values()) {
            g.muli(0);
            g.close();
        }
    }

    /**
     * Statistics the trainer reports after each logging window (DA3's gate open ratios), as
     * plain numbers; the default has none.
     *
     * @return statistics by name, empty by default
     */
    public Map<String, Object> statistics() {
        return Map.of();
    }

    /**
     * Multiply-accumulates per image of the patched network as it ran since the last {@link
     * #resetStatistics()} (the backbone's convs; gated methods weigh each main path by its measured
     * open ratio).
     *
     * @param imageSize the input side
     * @return MACs per image
     */
    public long macsPerImage(int imageSize) {
        return backbone().macs(imageSize);
    }

    /** @return whether closed gates can skip computation at inference */
    public boolean canSkip() {
        return false;
    }

    /**
     * Turns skipping of closed gates at inference on or off (for gated methods).
     *
     * @param skip whether to skip
     */
    public void setSkipping(boolean skip) {}

    /**
     * A multiplier of the learning rate for one trainable array (Piggyback's head learns faster
     * than its masks; DA3's gates may learn at their own rate).
     *
     * @param name the trainable array's name
     * @return the multiplier, 1 by default
     */
    public double learningRateScale(String name) {
        return 1;
    }

    /**
     * Tells the patch how far training of its domain is (DA3 ramps its budget in).
     *
     * @param fraction steps done / steps, in [0, 1]
     */
    public void onTrainingProgress(double fraction) {}

    /**
     * How many random numbers the patch has drawn while training (fine-tune's drop-path), for an
     * epoch checkpoint; 0 for a patch that draws none.
     *
     * @return the draws since the patch was created
     */
    public long randomDraws() {
        return 0;
    }

    /**
     * Draws and discards random numbers, so that a patch just created to continue from an epoch
     * checkpoint draws next what the checkpointed patch would have.
     *
     * @param draws {@link #randomDraws()} of the checkpointed patch
     * @throws IllegalArgumentException when the patch draws none but {@code draws} is not 0
     */
    public void skipRandomDraws(long draws) {
        if (draws != 0) {
            throw new IllegalArgumentException("this patch draws no random numbers, but " + draws + " were drawn");
        }
    }

    /**
     * Sets the gates so that a given fraction of a batch's samples has each gate open, as after
     * training has brought the gates to the compute budget's target (for benchmarks of the
     * training step at a trained gate state), and holds them there (they no longer learn).
     * Methods without gates do nothing.
     *
     * @param x a batch of images
     * @param openRatio the fraction of samples whose gate is open, in [0, 1]
     * @return whether the method has gates
     */
    public boolean calibrateGates(NDArray x, double openRatio) {
        return false;
    }

    /** Called when a training or evaluation phase begins, to reset statistics. */
    public void resetStatistics() {}

    @Override
    public void close() {
        manager.close();
    }
}
