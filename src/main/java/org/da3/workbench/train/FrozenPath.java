package org.da3.workbench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.method.Losses;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.BlockAdapter;
import org.da3.workbench.nn.BnParams;
import org.da3.workbench.nn.ConvLayer;
import org.da3.workbench.nn.FrozenPathAdapter;
import org.da3.workbench.nn.LinearLayer;
import org.da3.workbench.nn.Ops;
import org.da3.workbench.nn.ParameterGradients;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.ResidualBlock;

/**
 * The training step of methods whose trainable parameters do not sit on full-resolution
 * activations (DA3, lite residual, linear probe): the frozen layers keep no float activation.
 *
 * <ol>
 *   <li>Forward without a graph, micro-batch by micro-batch when every adapter is per-sample (the
 *       frozen BN makes samples independent, so this is exact). Each block keeps only its ReLU masks
 *       as packed bits and what its adapter saves (pooled inputs, gates).
 *   <li>The head and the loss in a small graph over the pooled features: the head's gradients and
 *       dL/dfeatures.
 *   <li>Backward block by block, last to first: through the output ReLU (mask), the adapter (from
 *       its saved inputs with the upstream gradient injected: DA3's by hand, adding its parameters'
 *       gradients to a {@link ParameterGradients} sink, lite residual's through a local graph),
 *       the gated main path (frozen BN = per-channel scale, ReLU = mask, conv = its input gradient
 *       computed as a convolution) and the shortcut.
 * </ol>
 *
 * Arrays are scoped per micro-batch and per block and closed when consumed. The gradients equal
 * plain autograd's (a test checks it), and DA3's budget term couples the micro-batches only through
 * one scalar, computed after the forward.
 */
public final class FrozenPath {

    private final Patch patch;
    private final int microBatch;
    private final boolean growMicroBatch;
    private final Band band;

    /** The default of the methods' {@code micro_batch_floor_kib}: 2 MiB, ResNet-26's first stage at 8 images. */
    public static final int DEFAULT_FLOOR_KIB = 2048;

    /**
     * The default of the methods' {@code micro_batch_ceiling_kib}: 16 MiB, ResNet-18's first stage at
     * 224 px and 8 images; ResNet-50's at 224 px runs 2.
     */
    public static final int DEFAULT_CEILING_KIB = 16384;

    /**
     * The activation size the largest blocks' micro-batch is fitted to, with {@code
     * grow_micro_batch}: it doubles while it stays within the floor, and halves while it exceeds
     * the ceiling (the size counted is twice the largest activation per image, times the images).
     *
     * @param floorBytes grow up to this (0: never grow)
     * @param ceilingBytes shrink down to this (0: never shrink)
     */
    public record Band(long floorBytes, long ceilingBytes) {
        /** No fitting: the micro-batch as given. */
        public static final Band NONE = new Band(0, 0);

        /**
         * The band a method's options set.
         *
         * @param method the method's spec
         * @return its {@code micro_batch_floor_kib} and {@code micro_batch_ceiling_kib}, in bytes
         */
        public static Band of(org.da3.workbench.spec.MethodSpec method) {
            return new Band(1024L * (long) method.number("micro_batch_floor_kib", DEFAULT_FLOOR_KIB),
                    1024L * (long) method.number("micro_batch_ceiling_kib", DEFAULT_CEILING_KIB));
        }
    }

    private final Map<NDArray, String> betaNames = new IdentityHashMap<>();
    private final PackedMask.Codec codec;

    /**
     * Creates the engine for a patch.
     *
     * @param patch the patch (its adapters must be {@link FrozenPathAdapter}s)
     * @param microBatch images per micro-batch of the largest blocks (0: the whole batch); ignored
     *     when an adapter is not per-sample
     * @param grow whether micro-batches grow where activations are small ({@link #microBatches})
     * @param band with {@code grow}, the activation size the largest blocks' micro-batch is fitted to
     */
    public FrozenPath(Patch patch, int microBatch, boolean grow, Band band) {
        this.patch = patch;
        int mb = microBatch;
        for (ResidualBlock b : patch.backbone().blocks()) {
            BlockAdapter a = patch.block(b);
            if (a != null && !(a instanceof FrozenPathAdapter)) {
                throw new IllegalArgumentException("block " + b.path() + " has an adapter without a frozen path");
            }
            if (a != null && !((FrozenPathAdapter) a).perSample()) {
                mb = 0;
            }
        }
        this.microBatch = mb;
        this.growMicroBatch = grow;
        this.band = band;
        this.codec = new PackedMask.Codec(patch.headWeight().getManager());
        Map<NDArray, String> trainable = new IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : patch.trainable().entrySet()) {
            trainable.put(e.getValue(), e.getKey());
        }
        for (BatchNormLayer bn : patch.backbone().bns()) {
            String name = trainable.get(patch.bn(bn).beta());
            if (name != null) {
                betaNames.put(patch.bn(bn).beta(), name);
            }
            if (trainable.containsKey(patch.bn(bn).gamma())) {
                throw new IllegalArgumentException("BN scale " + bn.path() + " trains: not a frozen-path method");
            }
        }
        for (ConvLayer c : patch.backbone().convs()) {
            if (trainable.containsKey(patch.convWeight(c))) {
                throw new IllegalArgumentException("conv " + c.path() + " trains: not a frozen-path method");
            }
        }
    }

    /** @return the micro-batch size in use (0: whole batch) */
    public int microBatch() {
        return microBatch;
    }

    /** What one block keeps for one micro-batch. */
    private static final class BlockState {
        final List<PackedMask> inner = new ArrayList<>();
        final List<Shape> convInputs = new ArrayList<>();
        PackedMask out;
        Object saved;
        float[] gates;
        Shape inShape;
        /** The rows whose main path ran (open gates), or null when every row's did. */
        int[] open;
        int rows;
    }

    /**
     * A group of rows at one level of the micro-batch tree: the blocks of its segment ran on
     * these rows together, after its children (the groups of the level below) had each run the
     * blocks before. Level 0 starts at the stem.
     */
    private static final class Group implements AutoCloseable {
        final int level;
        final int start;
        final int size;
        final NDManager keep;
        final BlockState[] blocks;
        final List<Group> children = new ArrayList<>();
        Shape outShape;

        Group(int level, int start, int size, int blocks, NDManager keep) {
            this.level = level;
            this.start = start;
            this.size = size;
            this.blocks = new BlockState[blocks];
            this.keep = keep;
        }

        @Override
        public void close() {
            for (Group c : children) {
                c.close();
            }
            children.clear();
            for (BlockState b : blocks) {
                if (b != null) {
                    b.inner.forEach(PackedMask::close);
                    if (b.out != null) {
                        b.out.close();
                    }
                }
            }
            java.util.Arrays.fill(blocks, null);
            keep.close();
        }
    }

    /** The micro-batch plan of one step: consecutive blocks that run at the same micro-batch. */
    private record Plan(int[] levelFrom, int[] levelSize) {
        int levels() {
            return levelSize.length;
        }

        int from(int level) {
            return levelFrom[level];
        }

        int to(int level, int blocks) {
            return level + 1 < levelFrom.length ? levelFrom[level + 1] : blocks;
        }
    }

    private Plan plan(int n, int imageSide) {
        int[] per = microBatches(patch.backbone(), imageSide, microBatch, growMicroBatch, n, band);
        int[] from = levelStarts(per);
        int[] size = new int[from.length];
        for (int l = 0; l < from.length; l++) {
            size[l] = per[from[l]];
        }
        return new Plan(from, size);
    }

    /**
     * The levels of the micro-batch tree: consecutive blocks that run at the same micro-batch.
     * Each group of a level runs its children (the groups of the level below, on its rows), then
     * the level's blocks.
     *
     * @param perBlock per block, its micro-batch ({@link #microBatches})
     * @return per level, its first block
     */
    public static int[] levelStarts(int[] perBlock) {
        List<Integer> from = new ArrayList<>();
        for (int bi = 0; bi < perBlock.length; bi++) {
            if (bi == 0 || perBlock[bi] != perBlock[bi - 1]) {
                from.add(bi);
            }
        }
        return from.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The micro-batch each block runs at. The first blocks run at {@code base}. With {@code grow},
     * a block whose largest activation per image (input or output) is 2^k times smaller than the
     * largest block's runs 2^k times as many images, so every block's transient activations are
     * about the size of the first blocks' (the later stages' convolutions then run on larger
     * batches, with fewer calls); never more than the batch, never fewer than the block before.
     *
     * @param net the backbone
     * @param imageSide the input side
     * @param base images per micro-batch of the largest blocks (0: the whole batch everywhere)
     * @param grow whether later, smaller blocks run larger micro-batches
     * @param batch the batch
     * @return per block, its micro-batch
     */
    public static int[] microBatches(ResNet net, int imageSide, int base, boolean grow, int batch) {
        return microBatches(net, imageSide, base, grow, batch, Band.NONE);
    }

    /**
     * {@link #microBatches(ResNet, int, int, boolean, int)} fitted to a band: with {@code grow}, the
     * largest blocks' micro-batch first doubles (up to the batch) while their largest activation
     * for it stays within the floor, then halves (down to one image) while it exceeds the ceiling.
     * Below the floor a call's fixed cost outweighs the memory it would save: ResNet-26 at width 16
     * and 32 px (the quickstart) keeps 16 KiB per image in its largest block and runs whole batches
     * of 64, where micro-batches of 8 made DA3's step 2.5-3x fine-tune's; ResNet-26 at width 64 and
     * 64 px keeps 256 KiB per image and stays at 8 under the default 2 MiB. Above the ceiling the
     * transient activations dominate the step's memory: ResNet-50 at 224 px keeps 3.2 MB per image
     * in its first stage and runs 2 images under the default 16 MiB, ResNet-18 at 224 px (0.8 MB)
     * stays at 8.
     *
     * @param net the backbone
     * @param imageSide the input side
     * @param base images per micro-batch of the largest blocks (0: the whole batch everywhere)
     * @param grow whether micro-batches are fitted to the band and grow where activations are small
     * @param batch the batch
     * @param band the activation sizes the largest blocks' micro-batch is fitted to
     * @return per block, its micro-batch
     */
    public static int[] microBatches(ResNet net, int imageSide, int base, boolean grow, int batch, Band band) {
        List<ResidualBlock> blocks = net.blocks();
        int[] out = new int[blocks.size()];
        if (base <= 0) {
            java.util.Arrays.fill(out, batch);
            return out;
        }
        long[] size = new long[blocks.size()];
        long largest = 0;
        int side = net.stemOutSide(imageSide);
        for (int bi = 0; bi < blocks.size(); bi++) {
            ResidualBlock b = blocks.get(bi);
            int outSide = b.outSide(side);
            size[bi] = Math.max((long) b.inChannels() * side * side, (long) b.outChannels() * outSide * outSide);
            if (bi > 0 || blocks.size() == 1) {
                largest = Math.max(largest, size[bi]);
            }
            side = outSide;
        }
        int first = Math.min(base, batch);
        if (grow && band.floorBytes() > 0) {
            while (first < batch && 4 * largest * 2L * first <= band.floorBytes()) {
                first = Math.min(2 * first, batch);
            }
        }
        if (grow && band.ceilingBytes() > 0) {
            while (first > 1 && 4 * largest * 2L * first > band.ceilingBytes()) {
                first = (first + 1) / 2;
            }
        }
        for (int bi = 0; bi < blocks.size(); bi++) {
            long m = first;
            if (grow) {
                while (m < batch && size[bi] * m * 2 <= largest * (long) first) {
                    m = Math.min(m * 2, batch);
                }
            }
            out[bi] = (int) Math.min(m, batch);
        }
        // never fewer than the block before: a later block's bound can only lower the earlier ones
        for (int bi = blocks.size() - 2; bi >= 0; bi--) {
            out[bi] = Math.min(out[bi], out[bi + 1]);
        }
        return out;
    }

    private Group group(Plan plan, int level, int start, int size, NDManager parent) {
        int blocks = plan.to(level, patch.backbone().blocks().size()) - plan.from(level);
        Group g = new Group(level, start, size, blocks, parent.newSubManager());
        if (level > 0) {
            int m = plan.levelSize()[level - 1];
            for (int s = start; s < start + size; s += m) {
                g.children.add(group(plan, level - 1, s, Math.min(m, start + size - s), parent));
            }
        }
        return g;
    }

    /**
     * One training step.
     *
     * @param x images (N, 3, H, W)
     * @param labels (N) int
     * @return the loss, the correct count and the gradients
     */
    public StepResult step(NDArray x, NDArray labels) {
        ResNet net = patch.backbone();
        boolean needBackward = !betaNames.isEmpty();
        for (ResidualBlock b : net.blocks()) {
            needBackward |= patch.block(b) != null;
        }
        int n = (int) x.getShape().get(0);
        Plan plan = plan(n, (int) x.getShape().get(2));
        int top = plan.levels() - 1;
        int mTop = plan.levelSize()[top];
        debug("start");
        NDManager stepManager = x.getManager().newSubManager();
        // gradients computed by hand (trainable BN biases, adapters' hand-written backward)
        ParameterGradients manual = new ParameterGradients(stepManager);
        List<Group> groups = new ArrayList<>();
        List<NDArray> feats = new ArrayList<>();
        int nb = net.blocks().size();
        double[] blockSum = new double[nb];
        long[] blockCount = new long[nb];
        try {
            for (int start = 0; start < n; start += mTop) {
                Group g = group(plan, top, start, Math.min(mTop, n - start), stepManager);
                groups.add(g);
                NDArray h = forward(plan, g, x, needBackward);
                g.outShape = h.getShape();
                NDArray f = Ops.gap(h);
                h.close();
                f.attach(stepManager);
                feats.add(f);
                gateCounts(plan, g, blockSum, blockCount);
            }
            debug("forward done");
            // head and loss: a small graph over the pooled features
            NDArray feat = feats.size() == 1 ? feats.get(0) : NDArrays.concat(new NDList(feats), 0);
            NDArray featLeaf = feat.duplicate();
            featLeaf.setRequiresGradient(true);
            double ce;
            int correct;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = LinearLayer.apply(featLeaf, patch.headWeight(), patch.headBias());
                NDArray loss = Losses.crossEntropy(logits, labels);
                gc.backward(loss);
                ce = loss.getFloat();
                correct = Losses.correct(logits, labels);
                logits.close();
                loss.close();
            }
            double loss = ce;
            // the budget couples the micro-batches only through dL/dG, one number per block
            float[] kappa = new float[nb];
            double[] budget = patch.budget();
            int gated = 0;
            double allSum = 0;
            long allCount = 0;
            for (int bi = 0; bi < nb; bi++) {
                if (blockCount[bi] > 0) {
                    gated++;
                    allSum += blockSum[bi];
                    allCount += blockCount[bi];
                }
            }
            if (budget != null && gated > 0) {
                double lambda = budget[0];
                double rho = budget[1];
                if (patch.budgetPerBlock()) {
                    for (int bi = 0; bi < nb; bi++) {
                        if (blockCount[bi] > 0) {
                            double open = blockSum[bi] / blockCount[bi];
                            loss += lambda * (open - rho) * (open - rho);
                            kappa[bi] = (float) (2 * lambda * (open - rho) / blockCount[bi]);
                        }
                    }
                } else {
                    double meanG = allSum / allCount;
                    loss += lambda * (meanG - rho) * (meanG - rho);
                    java.util.Arrays.fill(kappa, (float) (2 * lambda * (meanG - rho) / allCount));
                }
            }
            debug("head done");
            if (needBackward) {
                NDArray dFeat = featLeaf.getGradient();
                int offset = 0;
                for (Group g : groups) {
                    try (NDArray d = dFeat.get(offset + ":" + (offset + g.size))) {
                        Shape ls = g.outShape;
                        NDArray gOut;
                        try (NDArray d4 = d.reshape(ls.get(0), ls.get(1), 1, 1);
                                NDArray scaled = Ops.divide(d4, (float) (ls.get(2) * ls.get(3)))) {
                            gOut = scaled.broadcast(ls);
                        }
                        backward(plan, g, gOut, kappa, manual);
                    }
                    offset += g.size;
                    g.close();
                }
                dFeat.close();
            }
            debug("backward done");
            printTimers();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : patch.trainable().entrySet()) {
                NDArray byHand = manual.take(e.getValue());
                if (byHand != null) {
                    byHand.attach(e.getValue().getManager());
                    grads.put(e.getKey(), byHand);
                } else {
                    grads.put(e.getKey(), e.getValue().getGradient());
                }
            }
            featLeaf.close();
            return new StepResult(loss, correct, grads);
        } finally {
            for (Group g : groups) {
                g.close();
            }
            manual.close();
            stepManager.close();
        }
    }

    private static final boolean DEBUG = System.getenv("DA3_FROZEN_DEBUG") != null;

    private static final java.util.Map<String, long[]> TIMERS = new java.util.TreeMap<>();

    private static long tick() {
        return DEBUG ? System.nanoTime() : 0;
    }

    private static void tock(String what, long t0) {
        if (DEBUG) {
            long[] t = TIMERS.computeIfAbsent(what, k -> new long[2]);
            t[0] += System.nanoTime() - t0;
            t[1]++;
        }
    }

    /** Prints and clears the debug timers. */
    static void printTimers() {
        if (DEBUG) {
            TIMERS.forEach((k, v) -> System.err.printf("  %-16s %.3f s (%d calls)%n", k, v[0] / 1e9, v[1]));
            TIMERS.clear();
        }
    }

    private static void debug(String what) {
        if (DEBUG) {
            System.err.printf("%s at %.3f s: rss %.1f MB, peak %.1f MB%n", what, System.nanoTime() / 1e9,
                    org.da3.workbench.memory.ProcMemory.rss() / 1e6, org.da3.workbench.memory.ProcMemory.peak() / 1e6);
        }
    }

    /**
     * The graph-free forward of a group: its children's outputs (or the stem, at level 0), then
     * its segment's blocks; returns the segment's output.
     */
    private NDArray forward(Plan plan, Group g, NDArray x, boolean keepForBackward) {
        ResNet net = patch.backbone();
        NDArray h;
        if (g.level == 0) {
            // channels-last from the images on: every activation and gradient keeps that layout
            try (NDArray xc = g.size == x.getShape().get(0) ? x.duplicate() : x.get(g.start + ":" + (g.start + g.size));
                    NDArray cl = Ops.channelsLast(xc)) {
                h = net.stem(cl, patch, true);
            }
        } else {
            NDList parts = new NDList();
            for (Group c : g.children) {
                parts.add(forward(plan, c, x, keepForBackward));
            }
            h = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            if (parts.size() > 1) {
                parts.close();
            }
        }
        int from = plan.from(g.level);
        for (int i = 0; i < g.blocks.length; i++) {
            BlockState st = new BlockState();
            g.blocks[i] = st;
            h = forwardBlock(net.blocks().get(from + i), h, st, g.keep, keepForBackward);
        }
        return h;
    }

    /** Adds a group's gates, and its children's, to the per-block open counts. */
    private void gateCounts(Plan plan, Group g, double[] sum, long[] count) {
        for (Group c : g.children) {
            gateCounts(plan, c, sum, count);
        }
        int from = plan.from(g.level);
        for (int i = 0; i < g.blocks.length; i++) {
            float[] gates = g.blocks[i].gates;
            if (gates != null) {
                for (float v : gates) {
                    sum[from + i] += v;
                }
                count[from + i] += gates.length;
            }
        }
    }

    /** One block's graph-free forward; closes its input and returns its output. */
    private NDArray forwardBlock(ResidualBlock b, NDArray h, BlockState st, NDManager keep, boolean keepForBackward) {
        st.inShape = h.getShape();
        st.rows = (int) h.getShape().get(0);
        BlockAdapter adapter = patch.block(b);
        NDArray trainingGate = adapter == null ? null : ((FrozenPathAdapter) adapter).trainingGate(h, keep);
        NDArray mainIn = h;
        if (trainingGate != null) {
            int[] open = ResidualBlock.openRows(trainingGate.toFloatArray());
            if (open.length < st.rows) {
                // closed gates skip the frozen main path: forward here, backward later
                st.open = open;
                mainIn = open.length == 0 ? null : Ops.gatherRows(h, open);
            }
        }
        NDArray m = mainIn == null ? null : mainPathSaving(b, mainIn, st, keep, keepForBackward);
        if (mainIn != null && mainIn != h) {
            mainIn.close();
        }
        if (st.open != null) {
            long side = b.outSide((int) st.inShape.get(2));
            NDArray full;
            if (m == null) {
                full = Ops.zeros(h.getManager(), new Shape(st.rows, b.outChannels(), side, side), h.getDataType(), true);
            } else {
                full = Ops.placeRows(m, st.open, st.rows, true);
                m.close();
            }
            m = full;
        }
        NDArray main = m;
        long t2 = tick();
        NDArray s = b.shortcut(h, patch, true);
        tock("fwd shortcut", t2);
        t2 = tick();
        BlockAdapter a = adapter;
        NDArray term;
        if (a != null) {
            FrozenPathAdapter.Forward fw = ((FrozenPathAdapter) a).forwardSaving(h, main, keep);
            term = fw.term();
            st.saved = fw.saved();
            st.gates = fw.gates();
        } else {
            term = main;
        }
        tock("fwd adapter", t2);
        // the term is this step's own array (the main path's output or the adapter's): add the
        // shortcut into it rather than allocating the pre-activation
        NDArray pre;
        if (term != h && term != s) {
            term.addi(s);
            pre = term;
        } else {
            pre = s.add(term);
        }
        if (s != h) {
            s.close();
        }
        if (term != main && term != pre) {
            term.close();
        }
        if (main != pre) {
            main.close();
        }
        NDArray y = Activation.relu(pre);
        pre.close();
        if (keepForBackward) {
            long t3 = tick();
            st.out = PackedMask.ofRelu(codec, y, keep, true);
            tock("fwd pack", t3);
        }
        h.close();
        return y;
    }

    /** The main path of a block without a graph, keeping its inner ReLU masks. */
    private NDArray mainPathSaving(ResidualBlock b, NDArray in, BlockState st, NDManager keep, boolean keepForBackward) {
        List<ConvLayer> convs = b.convs();
        List<BatchNormLayer> bns = b.bns();
        NDArray m = in;
        for (int i = 0; i < convs.size(); i++) {
            st.convInputs.add(m.getShape());
            long t0 = tick();
            NDArray conv = convs.get(i).forward(m, patch, true);
            tock("fwd conv", t0);
            t0 = tick();
            NDArray bn = bns.get(i).forward(conv, patch, true);
            tock("fwd bn", t0);
            conv.close();
            if (m != in) {
                m.close();
            }
            if (i < convs.size() - 1) {
                m = Activation.relu(bn);
                bn.close();
                if (keepForBackward) {
                    long t1 = tick();
                    st.inner.add(PackedMask.ofRelu(codec, m, keep, true));
                    tock("fwd pack", t1);
                }
            } else {
                m = bn;
            }
        }
        return m;
    }

    /**
     * The backward of a group, from the gradient at its segment's output to its first block, then
     * its children's, each on its rows of the input gradient.
     */
    private void backward(Plan plan, Group grp, NDArray gOut, float[] kappa, ParameterGradients grads) {
        List<ResidualBlock> blocks = patch.backbone().blocks();
        int from = plan.from(grp.level);
        NDArray g = gOut;
        for (int i = grp.blocks.length - 1; i >= 0 && g != null; i--) {
            g = backwardBlock(blocks, from + i, grp.blocks[i], g, kappa, grads);
        }
        if (g == null) {
            return;
        }
        if (grp.children.size() == 1) {
            backward(plan, grp.children.get(0), g, kappa, grads);
            grp.children.get(0).close();
            return;
        }
        // each child's rows as an array of its own, so the whole gradient can go now
        List<NDArray> parts = new ArrayList<>();
        int offset = 0;
        for (Group c : grp.children) {
            try (NDArray view = g.get(offset + ":" + (offset + c.size))) {
                parts.add(view.duplicate());
            }
            offset += c.size;
        }
        g.close();
        for (int ci = 0; ci < grp.children.size(); ci++) {
            backward(plan, grp.children.get(ci), parts.get(ci), kappa, grads);
            grp.children.get(ci).close();
        }
    }

    /**
     * One block's backward: from the gradient at its output (consumed) to the gradient at its
     * input, or null for the first block, whose input gradient nothing needs.
     */
    private NDArray backwardBlock(List<ResidualBlock> blocks, int bi, BlockState st, NDArray g, float[] kappa,
            ParameterGradients grads) {
        ResidualBlock b = blocks.get(bi);
        boolean needInput = bi > 0;
        long t0 = tick();
        NDArray gPre;
        if (bi == blocks.size() - 1) {
            // the last block's gradient is a broadcast view of dL/dfeatures: masked into a copy
            gPre = st.out.apply(codec, g);
            g.close();
        } else {
            // every other block's is this step's own array: masked in place
            st.out.applyInPlace(codec, g);
            gPre = g;
        }
        tock("bwd unmask", t0);
        BlockAdapter a = patch.block(b);
        NDArray dxAdapter = null;
        NDArray gMain = gPre;
        if (a != null) {
            t0 = tick();
            FrozenPathAdapter.Backward bw = ((FrozenPathAdapter) a).backward(st.saved, gPre, kappa[bi], needInput,
                    grads);
            tock("bwd adapter", t0);
            dxAdapter = bw.dx();
            gMain = bw.gMain();
        }
        t0 = tick();
        NDArray dxMain;
        int[] dxRows = null;
        if (st.open == null) {
            dxMain = mainBackward(b, st, gMain, needInput, grads);
        } else if (st.open.length == 0 || !needInput) {
            dxMain = null;
        } else {
            // only the open rows went through the main path; closed rows get no gradient there
            try (NDArray gOpen = Ops.gatherRows(gMain, st.open)) {
                // the open rows' gradient only, added into their rows below
                dxMain = mainBackward(b, st, gOpen, true, grads);
                dxRows = st.open;
            }
        }
        tock("bwd main", t0);
        if (gMain != gPre) {
            gMain.close();
        }
        t0 = tick();
        NDArray dxShort = shortcutBackward(b, st, gPre, needInput, grads);
        tock("bwd shortcut", t0);
        if (!needInput) {
            for (NDArray t : new NDArray[] {dxMain, dxShort == gPre ? null : dxShort, dxAdapter}) {
                if (t != null) {
                    t.close();
                }
            }
            gPre.close();
            return null;
        }
        // dxShort is gPre itself for an identity shortcut (this step's own array, no longer
        // needed as such): the sum is built in it
        NDArray sum;
        if (dxMain != null && dxRows == null) {
            sum = dxMain;
            sum.addi(dxShort);
            if (dxShort != gPre) {
                dxShort.close();
            }
        } else {
            sum = dxShort;
            if (dxMain != null) {
                Ops.addRows(sum, dxMain, dxRows);
                dxMain.close();
            }
        }
        if (dxAdapter != null) {
            Ops.addUpsampled(sum, dxAdapter, true);
            dxAdapter.close();
        }
        if (sum != gPre) {
            gPre.close();
        }
        return sum;
    }

    /** A trainable BN bias's gradient: the upstream gradient summed over batch and space. */
    private void betaGradient(BatchNormLayer bn, NDArray g, ParameterGradients grads) {
        BnParams p = patch.bn(bn);
        if (betaNames.containsKey(p.beta())) {
            grads.add(p.beta(), g.sum(new int[] {0, 2, 3}));
        }
    }

    /**
     * The input gradient of a frozen conv followed by a frozen BN: the BN is a per-channel scale
     * gamma / sigma on the conv's output channels, applied to whichever copy the conv's input
     * gradient makes (see {@link Ops#convInputGradient(NDArray, NDArray, NDArray, int, int, long, long)}).
     */
    private NDArray convBnInputGradient(ConvLayer conv, BatchNormLayer bn, NDArray g, long inH, long inW) {
        BnParams p = patch.bn(bn);
        try (NDArray var = p.runningVar().add(BnParams.EPS); NDArray sd = var.sqrt(); NDArray scale = p.gamma().div(sd)) {
            return Ops.convInputGradient(g, patch.convWeight(conv), scale, conv.stride(), conv.padding(), inH, inW, true);
        }
    }

    private NDArray mainBackward(ResidualBlock b, BlockState st, NDArray gOut, boolean needInput,
            ParameterGradients grads) {
        List<ConvLayer> convs = b.convs();
        List<BatchNormLayer> bns = b.bns();
        boolean betasHere = false;
        for (BatchNormLayer bn : bns) {
            betasHere |= betaNames.containsKey(patch.bn(bn).beta());
        }
        if (!needInput && !betasHere) {
            return null;
        }
        NDArray g = gOut;
        for (int i = convs.size() - 1; i >= 0; i--) {
            betaGradient(bns.get(i), g, grads);
            if (i == 0 && !needInput) {
                if (g != gOut) {
                    g.close();
                }
                return null;
            }
            ConvLayer conv = convs.get(i);
            Shape in = st.convInputs.get(i);
            NDArray dIn = convBnInputGradient(conv, bns.get(i), g, in.get(2), in.get(3));
            if (g != gOut) {
                g.close();
            }
            if (i > 0) {
                st.inner.get(i - 1).applyInPlace(codec, dIn);
            }
            g = dIn;
        }
        return g;
    }

    private NDArray shortcutBackward(ResidualBlock b, BlockState st, NDArray gPre, boolean needInput,
            ParameterGradients grads) {
        if (b.downConv() == null) {
            return needInput ? gPre : null;
        }
        betaGradient(b.downBn(), gPre, grads);
        if (!needInput) {
            return null;
        }
        return convBnInputGradient(b.downConv(), b.downBn(), gPre, st.inShape.get(2), st.inShape.get(3));
    }
}
