package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;

/**
 * Linear probe (feature extractor): only the head trains; the backbone runs frozen and in
 * inference mode. The features are computed before gradient recording starts, so the step keeps
 * no activation of the backbone at all.
 */
public final class LinearProbe implements Method {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new Patch(ctx) {
            @Override
            public boolean usesFrozenPath() {
                return !ctx.method().text("engine", "frozen-path").equals("autograd");
            }

            @Override
            public int microBatch() {
                return (int) ctx.method().number("micro_batch", 8);
            }

            @Override
            public boolean growMicroBatch() {
                return ctx.method().flag("grow_micro_batch", true);
            }

            @Override
            public org.da3.workbench.train.FrozenPath.Band microBatchBand() {
                return org.da3.workbench.train.FrozenPath.Band.of(ctx.method());
            }

            @Override
            protected NDArray features(NDArray x, boolean training) {
                // The frozen backbone never trains here: inference mode, no graph.
                return backbone().features(x, this, false);
            }
        };
    }
}
