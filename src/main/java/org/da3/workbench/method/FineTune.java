package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.BlockAdapter;
import org.da3.workbench.nn.BnParams;
import org.da3.workbench.nn.ConvLayer;
import org.da3.workbench.nn.Ops;
import org.da3.workbench.nn.ResidualBlock;

/**
 * Fine-tuning: every weight of a per-domain copy of the backbone trains, BN in training mode
 * (batch statistics, running statistics updated in the copy). The shared backbone is untouched;
 * the patch is a whole model, which is the cost fine-tuning pays per domain.
 */
public final class FineTune implements Method {
    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new FineTunePatch(ctx);
    }

    /** A full trainable copy of the backbone plus a head. */
    static final class FineTunePatch extends Patch {
        private final Map<String, NDArray> copies = new HashMap<>();
        private final double dropPath;
        private final SplittableRandom drops;
        private long drawn;

        FineTunePatch(PatchContext ctx) {
            super(ctx);
            dropPath = ctx.method().number("drop_path", 0);
            drops = new SplittableRandom(ctx.seed() ^ 0xD209L);
            for (Map.Entry<String, Parameter> e : ctx.backbone().stateDict().entrySet()) {
                NDArray copy = e.getValue().getArray().duplicate();
                copy.attach(manager);
                String name = e.getKey();
                if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                    buffer(name, copy);
                } else {
                    trainable(name, copy);
                }
                copies.put(name, copy);
            }
        }

        /**
         * Stochastic depth (drop-path): while training, each residual block's main path is dropped
         * for a sample with probability p and scaled by 1 / (1 - p) otherwise, so the network at
         * test time is the plain one. A backbone pretrained so tolerates blocks being skipped, as
         * DA3's gates do.
         */
        @Override
        public BlockAdapter block(ResidualBlock block) {
            if (dropPath <= 0) {
                return null;
            }
            return new BlockAdapter() {
                @Override
                public NDArray gate(NDArray x, boolean training) {
                    return null;
                }

                @Override
                public NDArray combine(NDArray x, NDArray main, NDArray gate, boolean training) {
                    if (!training) {
                        return main;
                    }
                    int n = (int) main.getShape().get(0);
                    float[] keep = new float[n];
                    for (int i = 0; i < n; i++) {
                        keep[i] = drops.nextDouble() < dropPath ? 0f : (float) (1 / (1 - dropPath));
                    }
                    drawn += n;
                    try (NDArray k = Ops.owned(main.getManager(), keep, new Shape(n, 1, 1, 1))) {
                        return main.mul(k);
                    }
                }
            };
        }

        @Override
        public long randomDraws() {
            return drawn;
        }

        @Override
        public void skipRandomDraws(long draws) {
            for (long i = 0; i < draws; i++) {
                drops.nextDouble();
            }
            drawn += draws;
        }

        @Override
        public NDArray convWeight(ConvLayer conv) {
            return copies.get(conv.path() + ".weight");
        }

        @Override
        public BnParams bn(BatchNormLayer bn) {
            String p = bn.path();
            return new BnParams(copies.get(p + ".weight"), copies.get(p + ".bias"),
                    copies.get(p + ".running_mean"), copies.get(p + ".running_var"), true);
        }
    }
}
