package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.da3.workbench.nn.ConvLayer;

/**
 * Piggyback (Mallya et al., 2018): a real-valued mask m per backbone conv weight, initialised to
 * {@code mask_init} (1e-2); the conv uses {@code W * 1[m > threshold]} (threshold 5e-3). The
 * binarisation's gradient is passed straight through to m, built with stopGradient:
 * {@code b_ste = b + m - stopGradient(m)} has the value of b and the gradient of m, so
 * {@code dL/dm = dL/dW' * W}. BN stays frozen. The patch stores each mask as bits (1/32 of the
 * weights' size) and the head.
 */
public final class Piggyback implements Method {
    @Override
    public String name() {
        return "piggyback";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new PiggybackPatch(ctx);
    }

    /** The masks of one domain. */
    static final class PiggybackPatch extends Patch {
        private final Map<String, NDArray> masks = new LinkedHashMap<>();
        private final Map<String, ConvLayer> convs = new HashMap<>();
        private final float threshold;
        private final float init;
        private final double headLrScale;

        PiggybackPatch(PatchContext ctx) {
            super(ctx);
            threshold = (float) ctx.method().number("threshold", 5e-3);
            init = (float) ctx.method().number("mask_init", 1e-2);
            headLrScale = ctx.method().number("head_lr_scale", 10);
            for (ConvLayer c : ctx.backbone().convs()) {
                NDArray m = manager.full(c.weightShape(), init);
                masks.put(c.path(), trainable("mask." + c.path(), m));
                convs.put(c.path(), c);
            }
        }

        /**
         * The binarised mask of a conv, as floats (no gradient).
         *
         * @param path the conv's path
         * @return 1[m > threshold]
         */
        NDArray binary(String path) {
            NDArray m = masks.get(path);
            try (NDArray sg = m.stopGradient(); NDArray gt = sg.gt(threshold)) {
                return gt.toType(DataType.FLOAT32, false);
            }
        }

        @Override
        public NDArray convWeight(ConvLayer conv) {
            NDArray m = masks.get(conv.path());
            NDArray w = conv.weight().getArray();
            try (NDArray b = binary(conv.path()); NDArray sg = m.stopGradient(); NDArray diff = m.sub(sg);
                    NDArray ste = b.add(diff)) {
                return w.mul(ste);
            }
        }

        /** The head learns head_lr_scale times faster than the masks. */
        @Override
        public double learningRateScale(String name) {
            return name.startsWith(HEAD + ".") ? headLrScale : 1;
        }

        @Override
        public void releaseConvWeight(ConvLayer conv, NDArray weight) {
            weight.close();
        }

        /** @return the fraction of mask entries above the threshold (weights kept), over all convs */
        double keptFraction() {
            long kept = 0;
            long total = 0;
            for (String p : masks.keySet()) {
                try (NDArray b = binary(p); NDArray s = b.sum()) {
                    kept += (long) s.getFloat();
                    total += b.size();
                }
            }
            return total == 0 ? 1 : (double) kept / total;
        }

        @Override
        public Map<String, Object> statistics() {
            return Map.of("mask_kept_fraction", keptFraction());
        }

        @Override
        public Map<String, NDArray> state() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            out.put(HEAD + ".weight", headWeight());
            out.put(HEAD + ".bias", headBias());
            for (String p : masks.keySet()) {
                try (NDArray b = binary(p); NDArray u = b.toType(DataType.UINT8, false)) {
                    byte[] packed = Bits.pack(u.toByteArray());
                    out.put("mask." + p + ".bits", manager.create(packed, new Shape(packed.length)));
                }
            }
            return out;
        }

        @Override
        public void load(Map<String, NDArray> saved, String file) {
            for (String k : new String[] {HEAD + ".weight", HEAD + ".bias"}) {
                NDArray src = saved.get(k);
                NDArray dst = k.endsWith("weight") ? headWeight() : headBias();
                if (src == null || !src.getShape().equals(dst.getShape())) {
                    throw new IllegalArgumentException(file + ": tensor '" + k + "' is missing or has the wrong shape");
                }
                dst.set(src.toByteBuffer());
            }
            for (Map.Entry<String, NDArray> e : masks.entrySet()) {
                NDArray bits = saved.get("mask." + e.getKey() + ".bits");
                if (bits == null) {
                    throw new IllegalArgumentException(file + ": no mask bits for conv '" + e.getKey() + "'");
                }
                NDArray m = e.getValue();
                byte[] b = Bits.unpack(bits.toByteArray(), (int) m.size());
                float[] values = new float[b.length];
                float on = Math.max(init, threshold * 2 + 1e-3f);
                for (int i = 0; i < b.length; i++) {
                    values[i] = b[i] != 0 ? on : 0f;
                }
                m.set(values);
            }
        }
    }
}
