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
import org.da3.workbench.nn.Gaussian;
import org.da3.workbench.nn.LinearLayer;
import org.da3.workbench.nn.Ops;
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
            double lambda, double rho, double gateInit, boolean skip) {
        static Options of(org.da3.workbench.spec.MethodSpec m) {
            String att = m.text("attention", "both");
            return new Options(m.flag("gates", true), att.equals("both") || att.equals("channel"),
                    att.equals("both") || att.equals("spatial"), (int) m.number("reduction", 16),
                    (int) m.number("pool", 4), (int) m.number("kernel", 3), m.number("lambda", 2.0),
                    m.number("rho", 0.7), m.number("gate_init", 3.0), m.flag("skip", true));
        }
    }

    /** One block's adaptor: attention and gate. */
    public static final class Module implements BlockAdapter {
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
        private NDArray lastS;
        private NDArray lastZ;

        Module(Da3Patch owner, int index, ResidualBlock block, Options opt, NDArray w1, NDArray b1, NDArray w2,
                NDArray b2, NDArray convS, NDArray biasS, NDArray gamma, NDArray wg, NDArray cg) {
            this.owner = owner;
            this.index = index;
            this.block = block;
            this.opt = opt;
            this.pool = Math.max(opt.pool(), block.stride());
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
         * The gate pre-activation from pooled statistics.
         *
         * @param s GAP(x), (N, C_in)
         * @return z, (N, 1)
         */
        public NDArray gateLogit(NDArray s) {
            return LinearLayer.apply(s, wg, cg);
        }

        @Override
        public NDArray gate(NDArray x, boolean training) {
            if (!opt.gates()) {
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
         * The additive attention from the pooled inputs.
         *
         * @param s GAP(x), (N, C_in)
         * @param pooled P_d x, (N, C_in, h, w), or null when spatial attention is off
         * @param outH the block's output height
         * @param outW the block's output width
         * @return a, broadcastable to (N, C_out, outH, outW), or null when attention is off
         */
        public NDArray attention(NDArray s, NDArray pooled, long outH, long outW) {
            NDArray a = null;
            if (opt.channel()) {
                try (NDArray h = LinearLayer.apply(s, w1, b1); NDArray r = Activation.relu(h);
                        NDArray c = LinearLayer.apply(r, w2, b2)) {
                    Shape cs = c.getShape();
                    a = c.reshape(cs.get(0), cs.get(1), 1, 1);
                }
            }
            if (opt.spatial() && pooled != null) {
                NDArray m;
                try (NDArray mean = pooled.mean(new int[] {1}, true); NDArray max = pooled.max(new int[] {1}, true);
                        NDArray cat = NDArrays.concat(new NDList(mean, max), 1);
                        NDArray conv = Ops.conv2d(cat, convS, 1, opt.kernel() / 2, 1);
                        NDArray biased = conv.add(biasS)) {
                    long h = biased.getShape().get(2);
                    int factor = (int) Math.max(1, (outH + h - 1) / h);
                    try (NDArray up = Ops.upsample(biased, factor, outH, outW)) {
                        m = up.mul(gamma);
                    }
                }
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
         * The gate's straight-through term: value 0, gradient to z of {@code sigmoid'(z) * <g,
         * mean_hw F>}.
         *
         * @param z the gate logit (N, 1)
         * @param mainMean GAP(F(x)) without gradient, (N, C_out)
         * @return (N, C_out, 1, 1)
         */
        public static NDArray gateSurrogate(NDArray z, NDArray mainMean) {
            try (NDArray sig = z.getNDArrayInternal().sigmoid(); NDArray sg = sig.stopGradient();
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
                try (NDArray g4 = gate.reshape(gate.getShape().get(0), 1, 1, 1)) {
                    term = main.mul(g4);
                }
                if (training) {
                    try (NDArray mm = Ops.gap(main); NDArray mmSg = mm.stopGradient();
                            NDArray sur = gateSurrogate(lastZ, mmSg)) {
                        NDArray t2 = term.add(sur);
                        term.close();
                        term = t2;
                    }
                    owner.recordSte(gate, lastZ);
                }
            } else {
                term = main;
            }
            NDArray pooled = opt.spatial() ? Ops.avgPool(x, pool) : null;
            NDArray a = attention(s, pooled, main.getShape().get(2), main.getShape().get(3));
            if (pooled != null) {
                pooled.close();
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
            if (opt.gates()) {
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
        private final List<NDArray> steGates = new ArrayList<>();

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
                NDArray w1 = trainable(p + ".channel.fc1.weight", uniform(new Shape(hid, in), in, rnd));
                NDArray b1 = trainable(p + ".channel.fc1.bias", manager.zeros(new Shape(hid)));
                NDArray w2 = trainable(p + ".channel.fc2.weight", manager.zeros(new Shape(out, hid)));
                NDArray b2 = trainable(p + ".channel.fc2.bias", manager.zeros(new Shape(out)));
                int k = opt.kernel();
                NDArray cs = trainable(p + ".spatial.conv.weight", uniform(new Shape(1, 2, k, k), 2 * k * k, rnd));
                NDArray bs = trainable(p + ".spatial.conv.bias", manager.zeros(new Shape(1)));
                NDArray gamma = trainable(p + ".spatial.gamma", manager.zeros(new Shape(1)));
                NDArray wg = trainable(p + ".gate.weight", manager.zeros(new Shape(1, in)));
                NDArray cg = trainable(p + ".gate.bias", manager.full(new Shape(1), (float) opt.gateInit()));
                Module m = new Module(this, i++, b, opt, w1, b1, w2, b2, cs, bs, gamma, wg, cg);
                modules.put(b, m);
                ordered.add(m);
            }
            openSum = new double[ordered.size()];
            openCount = new long[ordered.size()];
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

        void recordGates(int block, float[] g) {
            for (float v : g) {
                openSum[block] += v;
            }
            openCount[block] += g.length;
        }

        void recordSte(NDArray hardGate, NDArray z) {
            try (NDArray sig = z.getNDArrayInternal().sigmoid(); NDArray sg = sig.stopGradient();
                    NDArray delta = sig.sub(sg); NDArray flat = delta.reshape(delta.getShape().get(0))) {
                steGates.add(hardGate.add(flat));
            }
        }

        @Override
        protected NDArray extraLoss() {
            if (steGates.isEmpty()) {
                return null;
            }
            NDArray loss;
            try (NDArray all = NDArrays.concat(new NDList(steGates)); NDArray mean = all.mean();
                    NDArray dev = mean.sub((float) opt.rho()); NDArray sq = dev.square()) {
                loss = sq.mul((float) opt.lambda());
            }
            steGates.forEach(NDArray::close);
            steGates.clear();
            return loss;
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
            if (!opt.gates() || java.util.Arrays.stream(openCount).sum() == 0) {
                return Map.of();
            }
            List<Double> per = openPerBlock();
            double mean = per.stream().mapToDouble(Double::doubleValue).average().orElse(1);
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
            return opt.gates() && opt.skip();
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
