package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.BlockAdapter;
import org.da3.workbench.nn.FrozenPathAdapter;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.da3.workbench.nn.BnParams;
import org.da3.workbench.nn.Gaussian;
import org.da3.workbench.nn.Ops;
import org.da3.workbench.nn.ParameterGradients;
import org.da3.workbench.nn.ResidualBlock;

/**
 * TinyTL's lite residual learning (Cai et al., 2020), on every residual block: the block input is
 * average-pooled by {@code pool}, passed through a grouped 5x5 conv, BN, ReLU, a 1x1 conv to the
 * block's output channels and a BN whose gamma starts at 0, then upsampled and added to the block's
 * output before its ReLU. The backbone's BN biases (beta) are trained per domain too; its weights,
 * BN scales and statistics stay frozen. The module works at reduced resolution, so what it keeps
 * for the backward pass is small.
 */
public final class LiteResidual implements Method {
    @Override
    public String name() {
        return "lite-residual";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new LitePatch(ctx);
    }

    /** One block's module. */
    static final class Module implements FrozenPathAdapter {
        final ResidualBlock block;
        final int pool;
        final int groups;
        final NDArray convG;
        final BnParams bn1;
        final NDArray conv1;
        final BnParams bn2;

        Module(ResidualBlock block, int pool, int groups, NDArray convG, BnParams bn1, NDArray conv1, BnParams bn2) {
            this.block = block;
            this.pool = pool;
            this.groups = groups;
            this.convG = convG;
            this.bn1 = bn1;
            this.conv1 = conv1;
            this.bn2 = bn2;
        }

        @Override
        public NDArray gate(NDArray x, boolean training) {
            return null;
        }

        /**
         * The module's output from its pooled input.
         *
         * @param pooled the pooled block input
         * @param outH the block's output height
         * @param outW the block's output width
         * @param training whether the step trains
         * @return the term added to the block's pre-activation
         */
        NDArray fromPooled(NDArray pooled, long outH, long outW, boolean training) {
            return fromPooled(pooled, outH, outW, training, bn1, bn2);
        }

        NDArray fromPooled(NDArray pooled, long outH, long outW, boolean training, BnParams bn1, BnParams bn2) {
            NDArray c = Ops.conv2d(pooled, convG, 1, 2, groups);
            NDArray b = Ops.batchNorm(c, bn1, training);
            c.close();
            NDArray r = Activation.relu(b);
            b.close();
            NDArray p = Ops.conv2d(r, conv1, 1, 0, 1);
            r.close();
            NDArray q = Ops.batchNorm(p, bn2, training);
            p.close();
            long h = q.getShape().get(2);
            int factor = (int) Math.max(1, (outH + h - 1) / h);
            NDArray up = Ops.upsample(q, factor, outH, outW);
            q.close();
            return up;
        }

        /** What the frozen path keeps: the pooled block input. */
        record Saved(NDArray pooled, Shape inShape, long outH, long outW) {}

        @Override
        public boolean perSample() {
            // the module's BatchNorms use batch statistics: the batch must stay whole
            return false;
        }

        @Override
        public Forward forwardSaving(NDArray x, NDArray main, NDManager keep) {
            NDArray pooled = Ops.avgPool(x, pool);
            pooled.attach(keep);
            long outH = main.getShape().get(2);
            long outW = main.getShape().get(3);
            NDArray lite = fromPooled(pooled, outH, outW, true);
            NDArray term = main.add(lite);
            lite.close();
            return new Forward(term, new Saved(pooled, x.getShape(), outH, outW), null);
        }

        @Override
        public Backward backward(Object state, NDArray gPre, float budgetCoefficient, boolean needInputGradient,
                ParameterGradients grads) {
            Saved sv = (Saved) state;
            NDArray leaf = sv.pooled().duplicate();
            leaf.setRequiresGradient(true);
            // recompute with throwaway statistics: the forward already updated the running ones
            BnParams t1 = new BnParams(bn1.gamma(), bn1.beta(), bn1.runningMean().duplicate(),
                    bn1.runningVar().duplicate(), true);
            BnParams t2 = new BnParams(bn2.gamma(), bn2.beta(), bn2.runningMean().duplicate(),
                    bn2.runningVar().duplicate(), true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                try (NDArray lite = fromPooled(leaf, sv.outH(), sv.outW(), true, t1, t2);
                        NDArray prod = lite.mul(gPre); NDArray obj = prod.sum()) {
                    gc.backward(obj);
                }
            }
            for (NDArray a : new NDArray[] {t1.runningMean(), t1.runningVar(), t2.runningMean(), t2.runningVar()}) {
                a.close();
            }
            NDArray dx = null;
            try (NDArray dp = leaf.getGradient()) {
                if (needInputGradient) {
                    dx = Ops.avgPoolBackward(dp, sv.inShape(), pool);
                }
            }
            leaf.close();
            return new Backward(dx, gPre);
        }

        @Override
        public NDArray combine(NDArray x, NDArray main, NDArray gate, boolean training) {
            NDArray pooled = Ops.avgPool(x, pool);
            NDArray lite = fromPooled(pooled, main.getShape().get(2), main.getShape().get(3), training);
            pooled.close();
            NDArray sum = main.add(lite);
            lite.close();
            return sum;
        }
    }

    /** The modules and BN biases of one domain. */
    static final class LitePatch extends Patch {
        private final Map<ResidualBlock, Module> modules = new HashMap<>();
        private final Map<String, BnParams> bns = new HashMap<>();

        LitePatch(PatchContext ctx) {
            super(ctx);
            int groupWidth = (int) ctx.method().number("group_width", 8);
            int poolOpt = (int) ctx.method().number("pool", 2);
            SplittableRandom rnd = new SplittableRandom(ctx.seed() ^ 0x11E);
            for (BatchNormLayer b : ctx.backbone().bns()) {
                BnParams f = b.frozen();
                if (b == ctx.backbone().bn1()) {
                    // the stem's BN stays frozen: training starts at the first block
                    bns.put(b.path(), f);
                    continue;
                }
                NDArray beta = f.beta().duplicate();
                beta.attach(manager);
                bns.put(b.path(), new BnParams(f.gamma(), trainable(b.path() + ".bias", beta), f.runningMean(),
                        f.runningVar(), false));
            }
            for (ResidualBlock blk : ctx.backbone().blocks()) {
                int in = blk.inChannels();
                int out = blk.outChannels();
                int gw = Math.min(groupWidth, in);
                int groups = in % gw == 0 ? in / gw : 1;
                String p = "lite." + blk.path();
                NDArray convG = trainable(p + ".conv_g.weight",
                        he(new Shape(in, in / groups, 5, 5), rnd, (in / groups) * 25));
                BnParams bn1 = bnParams(p + ".bn1", in, 1f);
                NDArray conv1 = trainable(p + ".conv1.weight", he(new Shape(out, in, 1, 1), rnd, in));
                BnParams bn2 = bnParams(p + ".bn2", out, 0f);
                modules.put(blk, new Module(blk, Math.max(poolOpt, blk.stride()), groups, convG, bn1, conv1, bn2));
            }
        }

        private NDArray he(Shape shape, SplittableRandom rnd, int fanIn) {
            float[] w = new float[(int) shape.size()];
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (Gaussian.next(rnd) * std);
            }
            return manager.create(w, shape);
        }

        private BnParams bnParams(String p, int ch, float gamma) {
            return new BnParams(trainable(p + ".weight", manager.full(new Shape(ch), gamma)),
                    trainable(p + ".bias", manager.zeros(new Shape(ch))),
                    buffer(p + ".running_mean", manager.zeros(new Shape(ch))),
                    buffer(p + ".running_var", manager.ones(new Shape(ch))), true);
        }

        /**
         * The module of a block.
         *
         * @param b the block
         * @return its module
         */
        Module module(ResidualBlock b) {
            return modules.get(b);
        }

        @Override
        public BnParams bn(BatchNormLayer bn) {
            return bns.get(bn.path());
        }

        @Override
        public boolean usesFrozenPath() {
            return !ctx.method().text("engine", "frozen-path").equals("autograd");
        }

        @Override
        public int microBatch() {
            return 0;
        }

        @Override
        public BlockAdapter block(ResidualBlock block) {
            return modules.get(block);
        }
    }
}
