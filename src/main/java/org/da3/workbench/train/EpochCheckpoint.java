package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.da3.workbench.method.Patch;
import org.da3.workbench.nn.Weights;

/**
 * The training state of a domain at the end of one of its epochs, so that a stopped run can
 * continue the domain from the next epoch instead of from its start: one safetensors file,
 * {@code checkpoints/<domain>.safetensors} in the run's folder, written atomically and replaced
 * after each epoch but the last (the domain's patch is saved then, and the checkpoint removed).
 *
 * <p>Its tensors, by name:
 *
 * <ul>
 *   <li>{@code patch.NAME}: every trainable array and buffer of the patch as it trains (the working
 *       arrays: Piggyback's real-valued masks, not the packed bits of its patch file);
 *   <li>{@code optimizer.first.NAME}, {@code optimizer.second.NAME}: SGD's momentum buffers, or
 *       Adam's first and second moments ({@link Optimizer#state()});
 *   <li>{@code epoch}, {@code step}, {@code steps}, {@code optimizer_steps}, {@code random_draws}
 *       (int64, one element): the epochs done, the steps done in the domain, the steps the domain
 *       takes, the updates the optimizer applied, the random numbers the patch drew (fine-tune's
 *       drop-path, {@link Patch#randomDraws()});
 *   <li>{@code first_window_loss} (float64, one element): the first logged loss window of the
 *       domain, which the divergence warning compares later windows to (NaN when none).
 * </ul>
 *
 * <p>Nothing else of a domain's training carries over from one epoch to the next: the learning
 * rate and DA3's budget ramp follow from the step, the batch order is drawn from a seed of its
 * own per epoch, and the augmentation stream of the domain is advanced past the images of the
 * steps done ({@link org.da3.workbench.data.Batcher#skip}).
 */
public final class EpochCheckpoint {
    /** Name prefix of the patch's arrays. */
    public static final String PATCH = "patch.";
    /** Name prefix of the optimizer's state. */
    public static final String OPTIMIZER = "optimizer.";

    private EpochCheckpoint() {}

    /**
     * Where a domain stands in a checkpoint.
     *
     * @param epoch epochs done (training continues with the next)
     * @param step steps done in the domain
     * @param steps steps the domain takes in all
     * @param firstWindowLoss the domain's first logged loss window, NaN when none
     */
    public record Position(int epoch, long step, long steps, double firstWindowLoss) {}

    /**
     * Writes a checkpoint atomically (a temporary file, then a rename): a reader sees the previous
     * checkpoint or this one, never part of one.
     *
     * @param file the checkpoint file
     * @param patch the patch in training
     * @param optimizer its optimizer
     * @param at where the domain stands
     * @param manager an owner for the few scalar arrays written beside the state
     * @throws IOException on a write error
     */
    public static void save(Path file, Patch patch, Optimizer optimizer, Position at, NDManager manager)
            throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        patch.trainable().forEach((k, v) -> out.put(PATCH + k, v));
        patch.buffers().forEach((k, v) -> out.put(PATCH + k, v));
        optimizer.state().forEach((k, v) -> out.put(OPTIMIZER + k, v));
        try (NDManager scalars = manager.newSubManager()) {
            out.put("epoch", scalars.create(new long[] {at.epoch()}));
            out.put("step", scalars.create(new long[] {at.step()}));
            out.put("steps", scalars.create(new long[] {at.steps()}));
            out.put("optimizer_steps", scalars.create(new long[] {optimizer.steps()}));
            out.put("random_draws", scalars.create(new long[] {patch.randomDraws()}));
            out.put("first_window_loss", scalars.create(new double[] {at.firstWindowLoss()}));
            Weights.save(out, file);
        }
    }

    /**
     * Restores a checkpoint into a fresh patch and optimizer of the same method, options and
     * domain.
     *
     * @param file the checkpoint file
     * @param patch a patch just created for the domain
     * @param optimizer its optimizer, before any step
     * @param manager an owner for the arrays while they are read
     * @return where the domain stands
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the tensor when it is not a checkpoint of
     *     this method with these options
     */
    public static Position load(Path file, Patch patch, Optimizer optimizer, NDManager manager) throws IOException {
        try (NDManager tmp = manager.newSubManager()) {
            Map<String, NDArray> saved = Weights.load(file, tmp);
            Map<String, NDArray> mine = new LinkedHashMap<>(patch.trainable());
            mine.putAll(patch.buffers());
            for (Map.Entry<String, NDArray> e : mine.entrySet()) {
                NDArray src = saved.get(PATCH + e.getKey());
                NDArray dst = e.getValue();
                if (src == null) {
                    throw new IllegalArgumentException(file + ": the epoch checkpoint has no tensor '" + PATCH
                            + e.getKey() + "'; it was not saved by this method with these options");
                }
                if (!src.getShape().equals(dst.getShape()) || src.getDataType() != dst.getDataType()) {
                    throw new IllegalArgumentException(file + ": tensor '" + PATCH + e.getKey() + "' is "
                            + src.getDataType() + " " + src.getShape() + ", expected " + dst.getDataType() + " "
                            + dst.getShape());
                }
            }
            Map<String, NDArray> opt = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : saved.entrySet()) {
                String k = e.getKey();
                if (k.startsWith(PATCH) && !mine.containsKey(k.substring(PATCH.length()))) {
                    throw new IllegalArgumentException(file + ": the epoch checkpoint has tensor '" + k + "', which"
                            + " this method does not train with these options");
                }
                if (k.startsWith(OPTIMIZER)) {
                    opt.put(k.substring(OPTIMIZER.length()), e.getValue());
                }
            }
            Position at = new Position((int) scalar(saved, "epoch", file), scalar(saved, "step", file),
                    scalar(saved, "steps", file), real(saved, "first_window_loss", file));
            long optimizerSteps = scalar(saved, "optimizer_steps", file);
            long draws = scalar(saved, "random_draws", file);
            for (Map.Entry<String, NDArray> e : mine.entrySet()) {
                e.getValue().set(saved.get(PATCH + e.getKey()).toByteBuffer());
            }
            optimizer.restore(opt, optimizerSteps, file.toString());
            try {
                patch.skipRandomDraws(draws);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage() + "; it was not saved by this method"
                        + " with these options", e);
            }
            return at;
        }
    }

    private static long scalar(Map<String, NDArray> saved, String name, Path file) {
        NDArray a = saved.get(name);
        if (a == null || a.size() != 1 || a.getDataType() != ai.djl.ndarray.types.DataType.INT64) {
            throw new IllegalArgumentException(file + ": the epoch checkpoint has no int64 scalar '" + name + "'");
        }
        return a.toLongArray()[0];
    }

    private static double real(Map<String, NDArray> saved, String name, Path file) {
        NDArray a = saved.get(name);
        if (a == null || a.size() != 1 || a.getDataType() != ai.djl.ndarray.types.DataType.FLOAT64) {
            throw new IllegalArgumentException(file + ": the epoch checkpoint has no float64 scalar '" + name + "'");
        }
        return a.toDoubleArray()[0];
    }
}
