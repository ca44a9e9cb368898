package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.nn.BlockAdapter;
import org.da3.workbench.nn.FrozenPathAdapter;
import ai.djl.ndarray.NDManager;
import org.da3.workbench.nn.Gaussian;
import org.da3.workbench.nn.LinearLayer;
import org.da3.workbench.nn.Ops;
import org.da3.workbench.nn.ParameterGradients;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.ResidualBlock;

/**
 * DA3, Dynamic Additive Attention Adaption (Yang, Rakin and Fan, CVPR Workshops 2022), as
 * formulated in docs/methods.md. On every residual block, with block input x:
 *
 * <pre>
 * s   = GAP(x)                                          channel statistics, C_in per sample
 * a_c = W2 relu(W1 s + b1) + b2                         channel attention (W2, b2 start at 0)
 * m   = Up(conv_k([mean_c(P_d x), max_c(P_d x)]) + b_s) spatial attention at 1/d resolution
 * a   = a_c + gamma * m                                 additive attention (gamma starts at 0)
 * z   = w_g . s + c_g;  G = 1[z > 0]                    per-sample hard gate (c_g starts open)
 * y   = relu(S(x) + G * F(x) + a)
 * loss += lambda * (mean(G) - rho)^2                    compute budget
 * </pre>
 *
 * The gate's straight-through gradient is {@code dL/dz = sigmoid'(z) * sum_c (sum_hw g_c) *
 * mean_hw F_c(x)}, with g = dL/dy_pre: it needs only the C per-sample means of F(x), never F(x)
 * itself. In autograd it is built with stopGradient as a term of value 0,
 * {@code (sigmoid(z) - sg(sigmoid(z))) * sg(GAP(F(x)))}, broadcast over the block's output.
 *
 * <p>Everything the adaptor computes comes from pooled inputs (s and P_d x), and it is added, not
 * multiplied, so its gradient needs no full-size activation. At inference a closed gate skips the
 * block's frozen main path for that sample.
 */
public final class Da3 implements Method {
    @Override
    public String name() {
        return "da3";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new Da3Patch(ctx);
    }

    /** DA3's options, read once. */
    record Options(boolean gates, boolean channel, boolean spatial, int reduction, int pool, int kernel,
            double lambda, double rho, double gateInit, boolean skip, boolean gateAllBlocks, double budgetWarmup,
            double gateLrScale, double gateTemperature, boolean budgetPerBlock, boolean rampRho) {
        static Options of(org.da3.workbench.spec.MethodSpec m) {
            String att = m.text("attention", "both");
            return new Options(m.flag("gates", true), att.equals("both") || att.equals("channel"),
                    att.equals("both") || att.equals("spatial"), (int) m.number("reduction", 16),
                    (int) m.number("pool", 4), (int) m.number("kernel", 3), m.number("lambda", 20.0),
                    m.number("rho", 0.7), m.number("gate_init", 1.5), m.flag("skip", true),
                    m.text("gate_blocks", "identity").equals("all"), m.number("budget_warmup", 0.5),
                    m.number("gate_lr_scale", 1.0), m.number("gate_temperature", 4.0),
                    m.text("budget", "global").equals("block"), m.text("budget_ramp", "lambda").equals("rho"));
        }

        /** Whether a block has a gate: gates on, and an identity shortcut unless gate_blocks is all. */
        boolean gated(ResidualBlock block) {
            return gates && (gateAllBlocks || block.downConv() == null);
        }
    }

    /**
     * Whether DA3 with these options gates a block (the analytic profiler's view of {@link
     * Module#gated}).
     *
     * @param method DA3's spec
     * @param block the block
     * @return whether the block has a gate
     */
    public static boolean gated(org.da3.workbench.spec.MethodSpec method, ResidualBlock block) {
        return Options.of(method).gated(block);
    }

    /** One block's adaptor: attention and gate. */
    public static final class Module implements FrozenPathAdapter {
        final ResidualBlock block;
        final Options opt;
        final int pool;
        final NDArray w1;
        final NDArray b1;
        final NDArray w2;
        final NDArray b2;
        final NDArray convS;
        final NDArray biasS;
        final NDArray gamma;
        final NDArray wg;
        final NDArray cg;
        private final Da3Patch owner;
        private final int index;
        /** Whether this block has a gate: gates on, and an identity shortcut unless gate_blocks is all. */
        final boolean gated;
        private NDArray lastS;
        private NDArray lastZ;

        Module(Da3Patch owner, int index, ResidualBlock block, Options opt, NDArray w1, NDArray b1, NDArray w2,
                NDArray b2, NDArray convS, NDArray biasS, NDArray gamma, NDArray wg, NDArray cg) {
            this.owner = owner;
            this.index = index;
            this.block = block;
            this.opt = opt;
            this.pool = Math.max(opt.pool(), block.stride());
            this.gated = opt.gated(block);
            this.w1 = w1;
            this.b1 = b1;
            this.w2 = w2;
            this.b2 = b2;
            this.convS = convS;
            this.biasS = biasS;
            this.gamma = gamma;
            this.wg = wg;
            this.cg = cg;
        }

        private NDArray s(NDArray x) {
            if (lastS == null) {
                lastS = Ops.gap(x);
            }
            return lastS;
        }

        /**
         * The gate pre-activation from pooled statistics: {@code z = w_g . s / sqrt(mean_c s^2 +
         * 0.01) + c_g}, so the gate sees the pattern of s rather than its scale.
         *
         * @param s GAP(x), (N, C_in)
         * @return z, (N, 1)
         */
        public NDArray gateLogit(NDArray s) {
            // s normalised by its own channel mean: the gate sees the pattern, not the scale
            // (a mean can be 0 for a sample whose pooled input is all zeros: keep the divisor away from 0)
            try (NDArray sq = s.square(); NDArray ms = sq.mean(new int[] {1}, true); NDArray eps = ms.add(1e-2f);
                    NDArray rms = eps.sqrt(); NDArray hat = s.div(rms)) {
                return LinearLayer.apply(hat, wg, cg);
            }
        }

        @Override
        public NDArray gate(NDArray x, boolean training) {
            if (!gated) {
                return null;
            }
            NDArray z = gateLogit(s(x));
            lastZ = z;
            NDArray g;
            try (NDArray zs = z.stopGradient(); NDArray open = zs.gt(0); NDArray f = open.toType(DataType.FLOAT32, false)) {
                g = f.reshape(f.getShape().get(0));
            }
            owner.recordGates(index, g.toFloatArray());
            return g;
        }

        @Override
        public boolean skipClosed() {
            return owner.skipping();
        }

        /**
         * The spatial attention's input maps from the pooled block input: the mean and the max
         * over channels, (N, 2, h, w). The max is taken at the arg-max channel (a gather), so its
         * gradient goes to exactly that channel, as the frozen path's backward assumes.
         *
         * @param pooled P_d x, (N, C_in, h, w)
         * @param argmax the arg-max channel per pixel, (N, 1, h, w) int64
         * @return the maps
         */
        public static NDArray maps(NDArray pooled, NDArray argmax) {
            try (NDArray mean = pooled.mean(new int[] {1}, true); NDArray max = pooled.gather(argmax, 1)) {
                return NDArrays.concat(new NDList(mean, max), 1);
            }
        }

        /**
         * The arg-max channel per pixel.
         *
         * @param pooled P_d x
         * @return (N, 1, h, w) int64, without gradient
         */
        public static NDArray argmax(NDArray pooled) {
            try (NDArray sg = pooled.stopGradient(); NDArray a = sg.argMax(1)) {
                Shape s = a.getShape();
                return a.reshape(s.get(0), 1, s.get(1), s.get(2));
            }
        }

        /**
         * The additive attention from the pooled inputs.
         *
         * @param s GAP(x), (N, C_in)
         * @param maps the spatial maps from {@link #maps}, or null when spatial attention is off
         * @param outH the block's output height
         * @param outW the block's output width
         * @return a, broadcastable to (N, C_out, outH, outW), or null when attention is off
         */
        public NDArray attention(NDArray s, NDArray maps, long outH, long outW) {
            NDArray a = null;
            if (opt.channel()) {
                try (NDArray c = channelAttention(s)) {
                    Shape cs = c.getShape();
                    a = c.reshape(cs.get(0), cs.get(1), 1, 1);
                }
            }
            if (opt.spatial() && maps != null) {
                NDArray m = spatialAttention(maps, outH, outW);
                if (a == null) {
                    a = m;
                } else {
                    NDArray sum = a.add(m);
                    a.close();
                    m.close();
                    a = sum;
                }
            }
            return a;
        }

        /**
         * The channel attention {@code W2 relu(W1 s + b1) + b2}.
         *
         * @param s GAP(x), (N, C_in)
         * @return (N, C_out)
         */
        NDArray channelAttention(NDArray s) {
            try (NDArray h = LinearLayer.apply(s, w1, b1); NDArray r = Activation.relu(h)) {
                return LinearLayer.apply(r, w2, b2);
            }
        }

        /**
         * The spatial attention {@code gamma * Up(conv_k(maps) + b_s)}.
         *
         * @param maps the maps from {@link #maps}, (N, 2, h, w)
         * @param outH the block's output height
         * @param outW the block's output width
         * @return (N, 1, outH, outW)
         */
        NDArray spatialAttention(NDArray maps, long outH, long outW) {
            try (NDArray coarse = spatialCoarse(maps)) {
                return upsampleTo(coarse, outH, outW);
            }
        }

        /** Upsamples a coarse map by ceil(outH / h) and crops it to outH x outW. */
        private static NDArray upsampleTo(NDArray coarse, long outH, long outW) {
            long h = coarse.getShape().get(2);
            int factor = (int) Math.max(1, (outH + h - 1) / h);
            return Ops.upsample(coarse, factor, outH, outW);
        }

        /** The spatial attention before upsampling, {@code gamma * (conv_k(maps) + b_s)}, (N, 1, h, w). */
        private NDArray spatialCoarse(NDArray maps) {
            try (NDArray biased = spatialPreGamma(maps)) {
                return biased.mul(gamma);
            }
        }

        /** {@code conv_k(maps) + b_s}, (N, 1, h, w). */
        private NDArray spatialPreGamma(NDArray maps) {
            try (NDArray conv = Ops.conv2d(maps, convS, 1, opt.kernel() / 2, 1)) {
                return conv.add(biasS);
            }
        }

        /**
         * Adds the coarse spatial attention into a block's output in place: without an upsampled
         * copy when the output's sides are the same whole multiple of it, else through an
         * upsampled and cropped one.
         */
        private void addSpatialAttention(NDArray term, NDArray coarse) {
            long outH = term.getShape().get(2);
            long outW = term.getShape().get(3);
            long h = coarse.getShape().get(2);
            long w = coarse.getShape().get(3);
            if (outH % h == 0 && outW % w == 0 && outH / h == outW / w) {
                Ops.addUpsampled(term, coarse);
                return;
            }
            try (NDArray up = upsampleTo(coarse, outH, outW)) {
                term.addi(up);
            }
        }

        /**
         * sigmoid(z / tau), whose gradient the gates' straight-through estimator uses.
         *
         * @param z the logit
         * @param tau the temperature
         * @return the sigmoid
         */
        static NDArray steSigmoid(NDArray z, double tau) {
            if (tau == 1.0) {
                return z.getNDArrayInternal().sigmoid();
            }
            try (NDArray scaled = Ops.divide(z, (float) tau)) {
                return scaled.getNDArrayInternal().sigmoid();
            }
        }

        /**
         * The main path applied to the pooled input: F evaluated on an image that is constant
         * over space with value s, which is each conv's tap-summed weight times the vector, the
         * frozen BNs as per-channel affine maps and the ReLUs between them; exact for mean_hw F(x)
         * when F is linear. The gate's straight-through gradient uses it in place of the spatial
         * means of F(x), so a closed gate never needs F(x), in training as at inference. No
         * gradient.
         *
         * @param s GAP(x), (N, C_in)
         * @return (N, C_out)
         */
        public NDArray pooledMain(NDArray s) {
            if (pooledK == null) {
                cachePooledMain();
            }
            NDArray h = s.stopGradient();
            for (int i = 0; i < pooledK.length; i++) {
                NDArray next;
                try (NDArray lin = h.matMul(pooledK[i])) {
                    if (pooledScale[i] != null) {
                        lin.muli(pooledScale[i]);
                    }
                    NDArray affine = lin.add(pooledShift[i]);
                    if (i < pooledK.length - 1) {
                        next = Activation.relu(affine);
                        affine.close();
                    } else {
                        next = affine;
                    }
                }
                if (h != s) {
                    h.close();
                }
                h = next;
            }
            return h;
        }

        /**
         * What a closed gate puts in place of the frozen main path: F(s), the main path applied
         * to the pooled input, broadcast over space; zero where the gate is open. A closed block
         * then computes {@code S(x) + F(s) + a}: its channel-level response at the cost of two
         * matrix-vector products, not nothing. It stands in for F's value only: no gradient flows
         * back through it (through two tap-summed weight matrices per block it would explode).
         *
         * @param fs F(s) from {@link #pooledMain(NDArray)}, (N, C_out), without gradient
         * @param gate hard gates (N)
         * @return (N, C_out, 1, 1)
         */
        NDArray replacement(NDArray fs, NDArray gate) {
            try (NDArray g2 = gate.stopGradient(); NDArray g = g2.reshape(gate.getShape().get(0), 1);
                    NDArray closed = g.neg().addi(1f); NDArray r = fs.mul(closed)) {
                Shape rs = r.getShape();
                return r.reshape(rs.get(0), rs.get(1), 1, 1);
            }
        }

        private NDArray[] pooledK;
        private NDArray[] pooledScale;
        private NDArray[] pooledShift;

        /**
         * The frozen constants of {@link #pooledMain}, made once per patch: each conv's weight
         * summed over its taps and transposed (C_in x C_out), and its BN's scale and shift. A kxk
         * conv's summed weight is a copy (1/k^2 of the weight), with the scale folded into it; a
         * 1x1 conv's is a transposed view of the weight itself, scaled after the product, so
         * bottleneck networks keep no second copy of their 1x1 weights (ResNet-50's would be 33 MB).
         */
        private void cachePooledMain() {
            List<org.da3.workbench.nn.ConvLayer> convs = block.convs();
            List<org.da3.workbench.nn.BatchNormLayer> bns = block.bns();
            int n = convs.size();
            pooledK = new NDArray[n];
            pooledScale = new NDArray[n];
            pooledShift = new NDArray[n];
            for (int i = 0; i < n; i++) {
                NDArray w = owner.convWeight(convs.get(i));
                Shape ws = w.getShape();
                org.da3.workbench.nn.BnParams p = owner.bn(bns.get(i));
                try (NDArray var = p.runningVar().add(org.da3.workbench.nn.BnParams.EPS); NDArray sd = var.sqrt();
                        NDArray scale = p.gamma().div(sd); NDArray ms = p.runningMean().mul(scale)) {
                    if (ws.get(2) == 1 && ws.get(3) == 1) {
                        try (NDArray w2 = w.reshape(ws.get(0), ws.get(1))) {
                            pooledK[i] = w2.transpose();
                        }
                        pooledScale[i] = scale.duplicate();
                        pooledScale[i].attach(owner.manager);
                    } else {
                        try (NDArray k2 = w.sum(new int[] {2, 3}); NDArray kT = k2.transpose()) {
                            pooledK[i] = kT.mul(scale);
                        }
                    }
                    pooledShift[i] = p.beta().sub(ms);
                }
                pooledK[i].attach(owner.manager);
                pooledShift[i].attach(owner.manager);
            }
        }

        /**
         * The per-sample, per-channel statistic the gate's straight-through gradient uses in place
         * of {@code F(x) - F(s)}, what opening the gate adds: for a sample whose gate is open, the
         * spatial means of F(x), which training computes anyway, minus F(s); for a closed one 0,
         * since its F(x) is never computed (the budget alone reopens it). No gradient.
         *
         * @param fs F(s) from {@link #pooledMain(NDArray)}, (N, C_out), without gradient
         * @param main F(x) with zero rows for closed samples, (N, C_out, H', W')
         * @param gate hard gates (N)
         * @return (N, C_out)
         */
        NDArray gateStatistic(NDArray fs, NDArray main, NDArray gate) {
            try (NDArray means = Ops.gap(main); NDArray meansSg = means.stopGradient();
                    NDArray g2 = gate.stopGradient(); NDArray g = g2.reshape(gate.getShape().get(0), 1);
                    NDArray diff = meansSg.sub(fs)) {
                return diff.mul(g);
            }
        }

        /**
         * The gate's straight-through term: value 0, gradient to z of {@code sigmoid'(z) * <g,
         * statistic>} (see {@link #gateStatistic}).
         *
         * @param z the gate logit (N, 1)
         * @param mainMean F(s) from {@link #pooledMain}, without gradient, (N, C_out)
         * @return (N, C_out, 1, 1)
         */
        public static NDArray gateSurrogate(NDArray z, NDArray mainMean) {
            return gateSurrogate(z, mainMean, 1.0);
        }

        /**
         * The gate's straight-through term with a temperature: the gradient is {@code
         * sigmoid'(z / tau) / tau}, which stays usable for |z| up to a few tau.
         *
         * @param z the gate logit (N, 1)
         * @param mainMean the statistic (N, C_out), without gradient
         * @param tau the temperature
         * @return (N, C_out, 1, 1)
         */
        public static NDArray gateSurrogate(NDArray z, NDArray mainMean, double tau) {
            try (NDArray sig = steSigmoid(z, tau); NDArray sg = sig.stopGradient();
                    NDArray delta = sig.sub(sg); NDArray prod = mainMean.mul(delta)) {
                Shape s = prod.getShape();
                return prod.reshape(s.get(0), s.get(1), 1, 1);
            }
        }

        @Override
        public NDArray combine(NDArray x, NDArray main, NDArray gate, boolean training) {
            NDArray s = s(x);
            NDArray term;
            if (gate != null) {
                try (NDArray fs = pooledMain(s)) {
                    try (NDArray g4 = gate.reshape(gate.getShape().get(0), 1, 1, 1); NDArray gated = main.mul(g4);
                            NDArray rep = replacement(fs, gate)) {
                        term = gated.add(rep);
                    }
                    if (training) {
                        try (NDArray mm = gateStatistic(fs, main, gate);
                                NDArray sur = gateSurrogate(lastZ, mm, opt.gateTemperature())) {
                            NDArray t2 = term.add(sur);
                            term.close();
                            term = t2;
                        }
                        owner.recordSte(index, gate, lastZ);
                    }
                }
            } else {
                term = main;
            }
            NDArray maps = null;
            if (opt.spatial()) {
                try (NDArray pooled = Ops.avgPool(x, pool); NDArray idx = argmax(pooled)) {
                    maps = maps(pooled, idx);
                }
            }
            NDArray a = attention(s, maps, main.getShape().get(2), main.getShape().get(3));
            if (maps != null) {
                maps.close();
            }
            if (a != null) {
                NDArray t3 = term.add(a);
                if (term != main) {
                    term.close();
                }
                a.close();
                term = t3;
            }
            lastS.close();
            lastS = null;
            if (lastZ != null) {
                lastZ.close();
                lastZ = null;
            }
            return term;
        }

        /** What the frozen path keeps of one block for one micro-batch: all pooled or per-sample. */
        record Saved(NDArray s, NDArray gate, NDArray mainMean, NDArray maps, NDArray argmax, NDArray spatialPre,
                Shape inShape, long outH, long outW) {}

        @Override
        public boolean perSample() {
            return true;
        }

        private NDArray savedS;
        private NDArray savedGate;
        private NDArray savedPooled;

        /**
         * Reads the block input once for both pooled statistics: P_d x for the spatial attention
         * and, when every pooling window is whole, s = GAP(x) as the mean of P_d x.
         */
        private void poolInput(NDArray x) {
            Shape in = x.getShape();
            if (opt.spatial() && pool > 1 && in.get(2) % pool == 0 && in.get(3) % pool == 0) {
                savedPooled = Ops.avgPool(x, pool);
                savedS = Ops.gap(savedPooled);
            } else {
                savedS = Ops.gap(x);
            }
        }

        @Override
        public NDArray trainingGate(NDArray x, NDManager keep) {
            poolInput(x);
            savedS.attach(keep);
            savedGate = null;
            if (!gated) {
                return null;
            }
            try (NDArray z = gateLogit(savedS); NDArray open = z.gt(0); NDArray f = open.toType(DataType.FLOAT32, false)) {
                savedGate = f.reshape(f.getShape().get(0));
            }
            savedGate.attach(keep);
            return savedGate;
        }

        @Override
        public Forward forwardSaving(NDArray x, NDArray main, NDManager keep) {
            if (savedS == null) {
                poolInput(x);
            }
            NDArray s = savedS;
            s.attach(keep);
            long outH = main.getShape().get(2);
            long outW = main.getShape().get(3);
            NDArray gate = null;
            NDArray mainMean = null;
            float[] g = null;
            // the frozen path runs the main path on the open rows only: main's closed rows are 0, so
            // G * F(x) is main itself, and the term is built on it in place (two passes over the
            // block's output: the (N, C, 1, 1) part, then the spatial map)
            NDArray perChannel = null;
            if (gated) {
                gate = savedGate;
                if (gate == null) {
                    try (NDArray z = gateLogit(s); NDArray open = z.gt(0); NDArray f = open.toType(DataType.FLOAT32, false)) {
                        gate = f.reshape(f.getShape().get(0));
                    }
                    gate.attach(keep);
                }
                g = gate.toFloatArray();
                owner.recordGates(index, g);
                // F(s) once, for the statistic and for the closed rows' replacement
                try (NDArray fs = pooledMain(s)) {
                    mainMean = gateStatistic(fs, main, gate);
                    perChannel = replacement(fs, gate);
                }
                mainMean.attach(keep);
            }
            if (opt.channel()) {
                try (NDArray c = channelAttention(s)) {
                    Shape cs = c.getShape();
                    NDArray c4 = c.reshape(cs.get(0), cs.get(1), 1, 1);
                    if (perChannel == null) {
                        perChannel = c4;
                    } else {
                        perChannel.addi(c4);
                        c4.close();
                    }
                }
            }
            NDArray term = main;
            if (perChannel != null) {
                term.addi(perChannel);
                perChannel.close();
            }
            NDArray maps = null;
            NDArray idx = null;
            NDArray spatialPre = null;
            if (opt.spatial()) {
                try (NDArray pooled = savedPooled != null ? savedPooled : Ops.avgPool(x, pool)) {
                    idx = argmax(pooled);
                    maps = maps(pooled, idx);
                }
                savedPooled = null;
                idx.attach(keep);
                maps.attach(keep);
                // conv_k(maps) + b_s is kept (one small map) for gamma's gradient
                spatialPre = spatialPreGamma(maps);
                spatialPre.attach(keep);
                try (NDArray coarse = spatialPre.mul(gamma)) {
                    addSpatialAttention(term, coarse);
                }
            }
            savedS = null;
            savedGate = null;
            return new Forward(term, new Saved(s, gate, mainMean, maps, idx, spatialPre, x.getShape(), outH, outW), g);
        }

        /**
         * The adaptor's backward, by hand. Its output is a per-channel part (N, C, 1, 1) and a
         * spatial map (N, 1, H', W'), so it sees the upstream gradient only through two
         * reductions: over space (gHw) and over the channels and each upsampling window (gC,
         * at the coarse resolution). Everything after them works on pooled tensors, a few dozen
         * small operations with no autograd graph; FrozenPathTest checks the result against
         * autograd through the whole network. The gate's part is that of the straight-through
         * surrogate and the budget term together: {@code dL/dz = sigmoid'(z/tau)/tau * (<F(s)
         * statistic, gHw> + kappa)} (see docs/methods.md).
         */
        @Override
        public Backward backward(Object state, NDArray gPre, float budgetCoefficient, boolean needInputGradient,
                ParameterGradients grads) {
            Saved sv = (Saved) state;
            NDArray s = sv.s();
            NDArray ds = null;
            try (NDArray gHw = gPre.sum(new int[] {2, 3})) {
                if (opt.channel()) {
                    ds = channelBackward(s, gHw, grads, needInputGradient);
                }
                if (gated) {
                    NDArray dsGate = gateBackward(s, sv.mainMean(), gHw, budgetCoefficient, grads, needInputGradient);
                    if (ds == null) {
                        ds = dsGate;
                    } else if (dsGate != null) {
                        ds.addi(dsGate);
                        dsGate.close();
                    }
                }
            }
            NDArray dMaps = null;
            if (sv.maps() != null) {
                dMaps = spatialBackward(sv, gPre, grads, needInputGradient);
            }
            Shape in = sv.inShape();
            NDArray dx = null;
            if (needInputGradient) {
                NDArray dsFull = null;
                if (ds != null) {
                    // GAP's backward: ds / (H W) over every position (returned coarse; the frozen
                    // path spreads it over the input as it adds it)
                    try (NDArray ds4 = ds.reshape(in.get(0), in.get(1), 1, 1)) {
                        dsFull = Ops.divide(ds4, (float) (in.get(2) * in.get(3)));
                    }
                }
                if (dMaps != null) {
                    try (NDArray dP = pooledGradient(dMaps, sv.argmax(), in.get(1))) {
                        // whole windows: avg pool's backward spreads dP / pool^2 over each
                        dx = in.get(2) % pool == 0 && in.get(3) % pool == 0 ? Ops.divide(dP, (float) (pool * pool))
                                : Ops.avgPoolBackward(dP, in, pool);
                    }
                    if (dsFull != null) {
                        dx.addi(dsFull);
                        dsFull.close();
                    }
                } else {
                    dx = dsFull;
                }
            }
            Ops.closeExcept(null, ds, dMaps);
            // the frozen path back-propagates through the main path on the open rows only, where
            // G = 1: the main path's gradient is gPre there
            return new Backward(dx, gPre);
        }

        /**
         * The channel attention's backward, {@code c = W2 relu(W1 s + b1) + b2} with dL/dc = gHw.
         *
         * @return dL/ds (N, C_in), or null when not needed
         */
        private NDArray channelBackward(NDArray s, NDArray gHw, ParameterGradients grads, boolean needInput) {
            try (NDArray h = LinearLayer.apply(s, w1, b1); NDArray r = Activation.relu(h);
                    NDArray gT = gHw.transpose()) {
                grads.add(w2, gT.matMul(r));
                grads.add(b2, gHw.sum(new int[] {0}));
                try (NDArray dr = gHw.matMul(w2); NDArray pos = h.gt(0); NDArray dh = dr.mul(pos);
                        NDArray dhT = dh.transpose()) {
                    grads.add(w1, dhT.matMul(s));
                    grads.add(b1, dh.sum(new int[] {0}));
                    return needInput ? dh.matMul(w1) : null;
                }
            }
        }

        /**
         * The gate's backward: z = w_g . s_hat + c_g with s_hat = s / r, r = sqrt(mean_c s^2 +
         * 0.01); dL/dz from the straight-through surrogate and the budget.
         *
         * @return dL/ds (N, C_in), or null when not needed
         */
        private NDArray gateBackward(NDArray s, NDArray stat, NDArray gHw, float kappa, ParameterGradients grads,
                boolean needInput) {
            float tau = (float) opt.gateTemperature();
            long c = s.getShape().get(1);
            try (NDArray sq = s.square(); NDArray ms = sq.mean(new int[] {1}, true); NDArray r2 = ms.add(1e-2f);
                    NDArray r = r2.sqrt(); NDArray hat = s.div(r); NDArray z = LinearLayer.apply(hat, wg, cg);
                    NDArray sig = steSigmoid(z, tau); NDArray oneMinus = sig.neg(); NDArray dz = sig.mul(oneMinus.addi(1f));
                    NDArray inner = stat.mul(gHw); NDArray dot = inner.sum(new int[] {1}, true)) {
                // dL/dz = sigmoid(z/tau) (1 - sigmoid(z/tau)) / tau * (<stat, gHw> + kappa)
                dot.addi(kappa);
                dz.muli(dot);
                if (tau != 1f) {
                    dz.divi(tau);
                }
                try (NDArray dzT = dz.transpose()) {
                    grads.add(wg, dzT.matMul(hat));
                }
                grads.add(cg, dz.sum(new int[] {0}));
                if (!needInput) {
                    return null;
                }
                // through s_hat = s / r: ds = dhat / r - s <dhat, s> / (C r^3)
                try (NDArray dHat = dz.matMul(wg); NDArray ds = dHat.div(r); NDArray ps = dHat.mul(s);
                        NDArray proj = ps.sum(new int[] {1}, true); NDArray r3 = r2.mul(r); NDArray k = proj.div(r3);
                        NDArray corr = s.mul(k)) {
                    corr.divi((float) c);
                    return ds.sub(corr);
                }
            }
        }

        /**
         * The spatial attention's backward, {@code m = gamma * Up(conv_k(maps) + b_s)}: the
         * upstream gradient summed over the channels and each upsampling window, then the small
         * convolution's weight and input gradients (each one convolution).
         *
         * @return dL/dmaps (N, 2, h, w), or null when not needed
         */
        private NDArray spatialBackward(Saved sv, NDArray gPre, ParameterGradients grads, boolean needInput) {
            NDArray pre = sv.spatialPre();
            Shape ps = pre.getShape();
            int k = opt.kernel();
            try (NDArray gC = Ops.windowSum(gPre, ps.get(2), ps.get(3)); NDArray gg = gC.mul(pre);
                    NDArray dGamma = gg.sum(); NDArray d = gC.mul(gamma); NDArray dBias = d.sum()) {
                grads.add(gamma, dGamma.reshape(gamma.getShape()));
                grads.add(biasS, dBias.reshape(biasS.getShape()));
                // dW[0, c, i, j] = sum_n,y,x d[n, 0, y, x] maps_pad[n, c, y + i, x + j]: a convolution
                // of the maps, batch and channels swapped, with d as its kernel
                try (NDArray mT = sv.maps().transpose(1, 0, 2, 3); NDArray dT = d.transpose(1, 0, 2, 3);
                        NDArray dw = Ops.conv2d(mT, dT, 1, k / 2, 1); NDArray dwT = dw.transpose(1, 0, 2, 3)) {
                    grads.add(convS, dwT.duplicate());
                }
                return needInput ? Ops.convInputGradient(d, convS, 1, k / 2, ps.get(2), ps.get(3)) : null;
            }
        }

        /**
         * The gradient for the pooled input P_d x from the gradient of its two maps: the channel
         * mean spreads evenly over the channels, the max goes to the arg-max channel.
         */
        private static NDArray pooledGradient(NDArray dMaps, NDArray argmax, long channels) {
            Shape ms = dMaps.getShape();
            Shape full = new Shape(ms.get(0), channels, ms.get(2), ms.get(3));
            try (NDArray dMean = dMaps.get(":, 0:1"); NDArray dMax = dMaps.get(":, 1:2");
                    NDArray meanPart = Ops.divide(dMean, (float) channels); NDArray atMax = dMax.add(meanPart);
                    NDArray spread = meanPart.broadcast(full)) {
                // every channel gets the mean's share; the arg-max channel also the max's
                return spread.scatter(argmax, atMax, 1);
            }
        }

        /** @return the block */
        public ResidualBlock block() {
            return block;
        }

        /** @return the effective pooling factor of the spatial attention */
        public int pool() {
            return pool;
        }

        /**
         * Multiply-accumulates of the adaptor per image (attention and gate), small next to a
         * block.
         *
         * @param inSide the block input side
         * @return MACs
         */
        long macs(int inSide) {
            long m = 0;
            int in = block.inChannels();
            int out = block.outChannels();
            if (gated) {
                m += in;
            }
            if (opt.channel()) {
                m += (long) in * w1.getShape().get(0) + w1.getShape().get(0) * (long) out;
            }
            if (opt.spatial()) {
                long side = (inSide + pool - 1) / pool;
                m += side * side * 2L * opt.kernel() * opt.kernel();
            }
            return m;
        }
    }

    /** The adaptors of one domain. */
    public static final class Da3Patch extends Patch {
        private final Options opt;
        private final Map<ResidualBlock, Module> modules = new LinkedHashMap<>();
        private final List<Module> ordered = new ArrayList<>();
        private final double[] openSum;
        private final long[] openCount;
        private final NDArray[] steGates;

        Da3Patch(PatchContext ctx) {
            super(ctx);
            opt = Options.of(ctx.method());
            SplittableRandom rnd = new SplittableRandom(ctx.seed() ^ 0xDA3L);
            int i = 0;
            for (ResidualBlock b : ctx.backbone().blocks()) {
                int in = b.inChannels();
                int out = b.outChannels();
                int hid = Math.max(4, in / opt.reduction());
                String p = "da3." + b.path();
                // every initial value is drawn whatever the options, so that an ablation starts the
                // parts it keeps where DA3 starts them; the parts it turns off are neither trained
                // nor saved nor counted
                boolean ch = opt.channel();
                NDArray w1 = keep(ch, p + ".channel.fc1.weight", uniform(new Shape(hid, in), in, rnd));
                NDArray b1 = keep(ch, p + ".channel.fc1.bias", manager.zeros(new Shape(hid)));
                NDArray w2 = keep(ch, p + ".channel.fc2.weight", manager.zeros(new Shape(out, hid)));
                NDArray b2 = keep(ch, p + ".channel.fc2.bias", manager.zeros(new Shape(out)));
                int k = opt.kernel();
                boolean sp = opt.spatial();
                NDArray cs = keep(sp, p + ".spatial.conv.weight", uniform(new Shape(1, 2, k, k), 2 * k * k, rnd));
                NDArray bs = keep(sp, p + ".spatial.conv.bias", manager.zeros(new Shape(1)));
                NDArray gamma = keep(sp, p + ".spatial.gamma", manager.zeros(new Shape(1)));
                // a gate only where the options gate the block (with gate_blocks: identity, not on
                // the blocks that downsample); none at all with gates off
                boolean gt = opt.gated(b);
                NDArray wg = keep(gt, p + ".gate.weight", normal(new Shape(1, in), 0.25 / Math.sqrt(in), rnd));
                NDArray cg = keep(gt, p + ".gate.bias", manager.full(new Shape(1), (float) opt.gateInit()));
                Module m = new Module(this, i++, b, opt, w1, b1, w2, b2, cs, bs, gamma, wg, cg);
                modules.put(b, m);
                ordered.add(m);
            }
            openSum = new double[ordered.size()];
            openCount = new long[ordered.size()];
            steGates = new NDArray[ordered.size()];
        }

        /** Registers a trainable array the options use; closes one they turn off (null then). */
        private NDArray keep(boolean used, String name, NDArray array) {
            if (used) {
                return trainable(name, array);
            }
            array.close();
            return null;
        }

        private NDArray normal(Shape shape, double std, SplittableRandom rnd) {
            float[] w = new float[(int) shape.size()];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) (Gaussian.next(rnd) * std);
            }
            return manager.create(w, shape);
        }

        private NDArray uniform(Shape shape, int fanIn, SplittableRandom rnd) {
            float[] w = new float[(int) shape.size()];
            double bound = 1.0 / Math.sqrt(fanIn);
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            return manager.create(w, shape);
        }

        /** @return the options */
        Options options() {
            return opt;
        }

        /** @return the modules in network order */
        public List<Module> modules() {
            return ordered;
        }

        @Override
        public BlockAdapter block(ResidualBlock block) {
            return modules.get(block);
        }

        @Override
        public double[] budget() {
            if (!anyGated()) {
                return null;
            }
            double ramp = opt.budgetWarmup() <= 0 ? 1 : Math.min(1, progress / opt.budgetWarmup());
            if (opt.rampRho()) {
                // the target open ratio falls from 1 to rho, so gates close gradually
                return new double[] {opt.lambda(), 1 - (1 - opt.rho()) * ramp};
            }
            return new double[] {opt.lambda() * ramp, opt.rho()};
        }

        private double progress = 1;

        @Override
        public double learningRateScale(String name) {
            if (name.endsWith(".gate.weight") || name.endsWith(".gate.bias")) {
                return gatesHeld ? 0 : opt.gateLrScale();
            }
            return 1;
        }

        /** Whether {@link #calibrateGates} holds the gates where it set them. */
        private boolean gatesHeld;

        /**
         * Where training of the domain stands, for the budget's warm-up: the budget's weight ramps
         * from 0 to lambda over the first {@code budget_warmup} of the steps, so the attention
         * adapts before gates close.
         *
         * @param fraction steps done / steps, in [0, 1]
         */
        @Override
        public void onTrainingProgress(double fraction) {
            progress = fraction;
        }

        /** @return whether any block has a gate */
        boolean anyGated() {
            for (Module m : ordered) {
                if (m.gated) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean budgetPerBlock() {
            return opt.budgetPerBlock();
        }

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

        void recordGates(int block, float[] g) {
            if (calibrating) {
                return;
            }
            for (float v : g) {
                openSum[block] += v;
            }
            openCount[block] += g.length;
        }

        void recordSte(int block, NDArray hardGate, NDArray z) {
            try (NDArray sig = Module.steSigmoid(z, opt.gateTemperature()); NDArray sg = sig.stopGradient();
                    NDArray delta = sig.sub(sg); NDArray flat = delta.reshape(delta.getShape().get(0))) {
                if (steGates[block] != null) {
                    steGates[block].close();
                }
                steGates[block] = hardGate.add(flat);
            }
        }

        /**
         * The compute budget. Per block ({@code budget: block}), each gated block's open ratio is
         * pulled to rho on its own, {@code lambda * sum_b (mean_n G_bn - rho)^2}, so gates must
         * choose which samples skip a block; globally ({@code budget: global}), the open ratio over
         * all gated blocks and samples is, {@code lambda * (mean_bn G_bn - rho)^2}, so the gates
         * may also choose which blocks to skip.
         */
        @Override
        protected NDArray extraLoss() {
            List<NDArray> means = new ArrayList<>();
            for (int i = 0; i < steGates.length; i++) {
                if (steGates[i] != null) {
                    means.add(steGates[i].mean());
                    steGates[i].close();
                    steGates[i] = null;
                }
            }
            if (means.isEmpty()) {
                return null;
            }
            // the same weight and target as the frozen path uses, warm-up included
            double[] b = budget();
            float lambda = (float) b[0];
            float rho = (float) b[1];
            NDArray loss = null;
            if (opt.budgetPerBlock()) {
                for (NDArray mean : means) {
                    try (NDArray dev = mean.sub(rho); NDArray sq = dev.square()) {
                        // (duplicate() would copy the value and cut the graph)
                        NDArray next = loss == null ? sq.add(0f) : loss.add(sq);
                        if (loss != null) {
                            loss.close();
                        }
                        loss = next;
                    }
                }
            } else {
                // every gated block sees the same samples, so the mean of the means is the mean
                try (NDArray stacked = NDArrays.stack(new NDList(means)); NDArray all = stacked.mean();
                        NDArray dev = all.sub(rho)) {
                    loss = dev.square();
                }
            }
            means.forEach(NDArray::close);
            try (NDArray l = loss) {
                return Ops.scale(l, lambda);
            }
        }

        /**
         * Shifts each gated block's gate bias so that {@code openRatio} of the batch's samples
         * pass its gate, block by block in network order (a block's input depends on the gates
         * before it): the bias moves by the logit quantile that splits the batch at the ratio. The
         * gates are then held there: their learning rate becomes 0 (their gradients are still
         * computed), so a benchmark measures the state it asked for. Called again, it re-sets them
         * on the new batch (the attention keeps training and moves the later blocks' logits). The
         * calibration's forward is not counted in the open-ratio statistics.
         */
        @Override
        public boolean calibrateGates(NDArray x, double openRatio) {
            if (!anyGated()) {
                return false;
            }
            if (!(openRatio >= 0 && openRatio <= 1)) {
                throw new IllegalArgumentException("gate open ratio must be in [0, 1], got " + openRatio);
            }
            ResNet net = backbone();
            // the calibration's own forward is not part of the statistics the trainer reports
            calibrating = true;
            try {
                calibrate(net, x, openRatio);
            } finally {
                calibrating = false;
            }
            gatesHeld = true;
            return true;
        }

        private boolean calibrating;

        private void calibrate(ResNet net, NDArray x, double openRatio) {
            NDArray h = net.stem(x, this, false);
            for (Module m : ordered) {
                if (m.gated) {
                    float[] z;
                    try (NDArray s = Ops.gap(h); NDArray zz = m.gateLogit(s)) {
                        z = zz.toFloatArray();
                    }
                    java.util.Arrays.sort(z);
                    int closed = (int) Math.round((1 - openRatio) * z.length);
                    double t;
                    if (closed == 0) {
                        t = z[0] - 1;
                    } else if (closed == z.length) {
                        t = z[z.length - 1] + 1;
                    } else {
                        t = (z[closed - 1] + (double) z[closed]) / 2;
                    }
                    m.cg.subi((float) t);
                }
                NDArray y = m.block().forward(h, this, false);
                h.close();
                h = y;
            }
            h.close();
        }

        @Override
        public void resetStatistics() {
            java.util.Arrays.fill(openSum, 0);
            java.util.Arrays.fill(openCount, 0);
        }

        /** @return the open ratio per block since the last reset (1 when gates are off) */
        public List<Double> openPerBlock() {
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < openSum.length; i++) {
                out.add(openCount[i] == 0 ? 1.0 : openSum[i] / openCount[i]);
            }
            return out;
        }

        @Override
        public Map<String, Object> statistics() {
            if (!anyGated() || java.util.Arrays.stream(openCount).sum() == 0) {
                return Map.of();
            }
            List<Double> per = openPerBlock();
            double sum = 0;
            int gated = 0;
            for (int i = 0; i < ordered.size(); i++) {
                if (ordered.get(i).gated) {
                    sum += per.get(i);
                    gated++;
                }
            }
            // the open ratio over the gated blocks (blocks without a gate always run)
            double mean = sum / gated;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gate_open_ratio", mean);
            m.put("gate_open_per_block", per);
            return m;
        }

        /**
         * Multiply-accumulates per image with the measured open ratios: the stem, every shortcut,
         * each block's main path weighted by its open ratio, and the adaptors.
         *
         * @param imageSize the input side
         * @param openPerBlock open ratio per block (all 1 for the full network)
         * @return MACs per image
         */
        public long macsPerImage(int imageSize, List<Double> openPerBlock) {
            ResNet net = backbone();
            double total = net.conv1().macs(imageSize);
            int side = net.stemOutSide(imageSize);
            for (int i = 0; i < ordered.size(); i++) {
                Module m = ordered.get(i);
                ResidualBlock b = m.block();
                total += b.shortcutMacs(side) + openPerBlock.get(i) * b.mainMacs(side) + m.macs(side);
                side = b.outSide(side);
            }
            return Math.round(total);
        }

        @Override
        public long macsPerImage(int imageSize) {
            return macsPerImage(imageSize, openPerBlock());
        }

        @Override
        public boolean canSkip() {
            return anyGated() && opt.skip();
        }

        @Override
        public void setSkipping(boolean skip) {
            skipping = skip;
        }

        private boolean skipping = true;

        /** @return whether closed gates skip the main path at inference */
        boolean skipping() {
            return skipping && opt.skip();
        }
    }
}
