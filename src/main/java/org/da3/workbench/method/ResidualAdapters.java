package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import org.da3.workbench.nn.BnParams;
import org.da3.workbench.nn.ConvLayer;
import org.da3.workbench.nn.Ops;

/**
 * Rebuffi et al.'s residual adapters on every 3x3 conv of the backbone, with per-domain BN.
 *
 * <ul>
 *   <li>series (2017): after the frozen conv output z, {@code z + W1x1 * BN_a(z)};
 *   <li>parallel (2018): beside the frozen conv, {@code W3x3 * x + W1x1 * x} with the same stride.
 * </ul>
 *
 * <p>The 1x1 weights start at zero, so before training the adapted network computes exactly what
 * the backbone computes (with its BN in inference mode).
 */
public final class ResidualAdapters implements Method {
    private final boolean series;

    /**
     * Creates the method.
     *
     * @param series true for series adapters, false for parallel ones
     */
    public ResidualAdapters(boolean series) {
        this.series = series;
    }

    @Override
    public String name() {
        return series ? "series-adapter" : "parallel-adapter";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new AdapterPatch(ctx, series);
    }

    /** The adapters of one domain. */
    static final class AdapterPatch extends PerDomainBnPatch {
        private final boolean series;
        private final Map<String, NDArray> weights = new HashMap<>();
        private final Map<String, BnParams> adapterBns = new HashMap<>();

        AdapterPatch(PatchContext ctx, boolean series) {
            super(ctx);
            this.series = series;
            for (ConvLayer c : ctx.backbone().convs()) {
                if (c.kernel() != 3) {
                    continue;
                }
                String p = "adapter." + c.path();
                int in = series ? c.outChannels() : c.inChannels();
                weights.put(c.path(), trainable(p + ".weight",
                        manager.zeros(new Shape(c.outChannels(), in, 1, 1))));
                if (series) {
                    int ch = c.outChannels();
                    NDArray gamma = trainable(p + ".bn.weight", manager.ones(new Shape(ch)));
                    NDArray beta = trainable(p + ".bn.bias", manager.zeros(new Shape(ch)));
                    NDArray mean = buffer(p + ".bn.running_mean", manager.zeros(new Shape(ch)));
                    NDArray var = buffer(p + ".bn.running_var", manager.ones(new Shape(ch)));
                    adapterBns.put(c.path(), new BnParams(gamma, beta, mean, var, true));
                }
            }
        }

        @Override
        public NDArray afterConv(ConvLayer conv, NDArray in, NDArray out, boolean training) {
            NDArray w = weights.get(conv.path());
            if (w == null) {
                return out;
            }
            NDArray delta;
            if (series) {
                NDArray h = Ops.batchNorm(out, adapterBns.get(conv.path()), training);
                delta = Ops.conv2d(h, w, 1, 0, 1);
                h.close();
            } else {
                delta = Ops.conv2d(in, w, conv.stride(), 0, 1);
            }
            NDArray sum = out.add(delta);
            delta.close();
            out.close();
            return sum;
        }
    }
}
