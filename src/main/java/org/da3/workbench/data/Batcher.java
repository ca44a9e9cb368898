package org.da3.workbench.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.da3.workbench.spec.AugmentationSpec;

/**
 * Turns uint8 images into normalised float batches (N, 3, H, W), one batch at a time: grayscale
 * widened to 3 channels, optional random crop (with black padding) and horizontal flip driven by a
 * seeded stream, so augmentation is deterministic under the run's seed.
 */
public final class Batcher {
    private final float[][] lut;
    private final AugmentationSpec augmentation;

    /**
     * Creates a batcher for a domain.
     *
     * @param domain the domain (its normalisation statistics)
     * @param augmentation training augmentation (used when a stream is given)
     */
    public Batcher(Domain domain, AugmentationSpec augmentation) {
        this.augmentation = augmentation;
        lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (v / 255f - domain.mean()[c]) / domain.std()[c];
            }
        }
    }

    /**
     * Builds an image batch.
     *
     * @param m the batch's manager
     * @param s the split
     * @param idx the image indices
     * @param rnd the augmentation stream, or null for none (evaluation)
     * @return (N, 3, H, W) float32
     */
    public NDArray images(NDManager m, Split s, int[] idx, SplittableRandom rnd) {
        int h = s.height();
        int w = s.width();
        int ch = s.channels();
        float[] out = new float[idx.length * 3 * h * w];
        byte[] px = s.pixels();
        int plane = h * w;
        boolean aug = rnd != null;
        int[] draw = new int[3];
        for (int n = 0; n < idx.length; n++) {
            int base = idx[n] * s.imageBytes();
            if (aug) {
                draw(rnd, draw);
            }
            int dy = draw[0];
            int dx = draw[1];
            boolean flip = draw[2] != 0;
            int o = n * 3 * plane;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx0 = flip ? w - 1 - x : x;
                    int sx = sx0 + dx;
                    int p = y * w + x;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                        out[o + p] = lut[0][0];
                        out[o + plane + p] = lut[1][0];
                        out[o + 2 * plane + p] = lut[2][0];
                        continue;
                    }
                    int src = base + (sy * w + sx) * ch;
                    if (ch == 1) {
                        int v = px[src] & 0xFF;
                        out[o + p] = lut[0][v];
                        out[o + plane + p] = lut[1][v];
                        out[o + 2 * plane + p] = lut[2][v];
                    } else {
                        out[o + p] = lut[0][px[src] & 0xFF];
                        out[o + plane + p] = lut[1][px[src + 1] & 0xFF];
                        out[o + 2 * plane + p] = lut[2][px[src + 2] & 0xFF];
                    }
                }
            }
        }
        return fromReusedBuffer(m, out, new Shape(idx.length, 3, h, w));
    }

    /**
     * One image's augmentation: the crop's offsets and whether it is mirrored, drawn from the
     * stream in a fixed order (the only place that draws them, so {@link #skip} makes the same calls).
     *
     * @param rnd the stream
     * @param out {dy, dx, flip (0 or 1)}
     */
    private void draw(SplittableRandom rnd, int[] out) {
        int pad = augmentation.randomCrop() ? augmentation.padding() : 0;
        out[0] = pad > 0 ? rnd.nextInt(2 * pad + 1) - pad : 0;
        out[1] = pad > 0 ? rnd.nextInt(2 * pad + 1) - pad : 0;
        out[2] = augmentation.flip() && rnd.nextBoolean() ? 1 : 0;
    }

    /**
     * Advances an augmentation stream past the draws of {@code images} training images, as if
     * {@link #images} had built them: a domain continued from an epoch checkpoint then crops and
     * flips its next images as an uninterrupted run does.
     *
     * @param rnd the augmentation stream
     * @param images the images augmented before
     */
    public void skip(SplittableRandom rnd, long images) {
        int[] draw = new int[3];
        for (long i = 0; i < images; i++) {
            draw(rnd, draw);
        }
    }

    private static final ThreadLocal<ByteBuffer> BUFFER = new ThreadLocal<>();

    /**
     * Makes a tensor of floats through one direct buffer reused for every batch of this thread.
     * DJL backs a tensor made from Java data with a direct buffer that is freed only when the
     * garbage collector runs, so a fresh one per batch would pile up native memory between
     * collections; this one is allocated once, with the largest batch. The tensor shares the
     * buffer: it must be closed before the next batch is made (the trainer and the evaluator close
     * each batch's manager at the end of the step).
     *
     * @param m the batch's manager
     * @param data the values
     * @param shape the shape
     * @return the tensor
     */
    public static NDArray fromReusedBuffer(NDManager m, float[] data, Shape shape) {
        int bytes = data.length * Float.BYTES;
        ByteBuffer b = BUFFER.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            BUFFER.set(b);
        }
        b.clear();
        b.asFloatBuffer().put(data);
        b.limit(bytes);
        return m.create(b, shape, DataType.FLOAT32);
    }

    /**
     * Builds a label batch.
     *
     * @param m the batch's manager
     * @param s the split
     * @param idx the image indices
     * @return (N) int32 labels
     */
    public static NDArray labels(NDManager m, Split s, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = s.labels()[idx[i]];
        }
        return m.create(l);
    }

    /**
     * The indices of an epoch in shuffled order.
     *
     * @param n the split size
     * @param rnd the order stream
     * @return a permutation of 0..n-1
     */
    public static int[] shuffled(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
