package org.da3.workbench.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.ConvLayer;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.ResidualBlock;
import org.da3.workbench.spec.MethodSpec;

/**
 * The analytic training-memory model: for a backbone, method, batch and image size, what training
 * keeps per layer and at its peak: by TinyTL's rules of what a layer keeps, as libtorch applies
 * them through DJL (docs/memory.md), and as the workbench's frozen path executes. Builds the network's structure without allocating
 * any tensor (no engine needed).
 *
 * <p>Autograd (fine-tune, bn+last, the adapters, Piggyback, and any method with {@code engine:
 * autograd}):
 *
 * <ul>
 *   <li>a conv keeps its input if its weight trains or a gradient flows through it (libtorch keeps
 *       a frozen conv's input whenever its input requires a gradient); Piggyback's conv also keeps
 *       its computed weight;
 *   <li>a BN keeps its input under the same rule (libtorch saves it whether or not gamma trains);
 *   <li>a ReLU keeps its output (the next conv's input: counted once); a max pool keeps its int64
 *       indices; additions, pooling and gathers keep shapes only;
 *   <li>the gradient flows from the first trainable parameter on, so a method that trains only
 *       late layers keeps nothing before them.
 * </ul>
 *
 * <p>Its peak is the end of the forward (everything kept, and the last block's outputs), the
 * backward of a layer with a large weight (what the layers up to it keep, the gradients around it,
 * and the copies of its weight), or, for a step that keeps little (the linear probe with {@code
 * engine: autograd}), the largest layer's transients on top of what the layers before it keep.
 *
 * <p>Frozen path (DA3, lite residual, linear probe): the batch keeps bit-packed ReLU masks (one bit
 * per element; a DA3 block's inner masks only for samples whose gate is open) and each adapter's
 * pooled inputs; the transient workspace is that of one micro-batch.
 * Its peak is the largest of the moments of the forward, each with what the step has kept so far,
 * and of the backward, with everything kept.
 *
 * <p>Workspace, in both: the largest live set of transient tensors while a layer runs, counting the
 * layer's output, the tensors our code still holds, on the autograd path the input-sized copy a
 * CPU convolution makes when oneDNN reorders its input (measured: one input size per conv), and
 * the copies of each conv's weight that libtorch and oneDNN make while it runs (one or two
 * forward; up to four in a backward that trains it). The frozen path's convolutions take
 * channels-last arrays, which oneDNN reads without that copy.
 */
public final class Profiler {
    private Profiler() {}

    /** What a method trains and how it runs, as far as memory is concerned. */
    private record Traits(boolean convTrain, boolean maskedConv, boolean bnTrain, boolean liteBetas,
            boolean series, boolean parallel, boolean lite, boolean da3, boolean frozenPath) {}

    private static Traits traits(MethodSpec ms) {
        String n = ms.name();
        boolean frozen = (n.equals("da3") || n.equals("lite-residual") || n.equals("linear"))
                && !ms.text("engine", "frozen-path").equals("autograd");
        switch (n) {
            case "finetune": return new Traits(true, false, true, false, false, false, false, false, false);
            case "linear": return new Traits(false, false, false, false, false, false, false, false, frozen);
            case "bn+last": return new Traits(false, false, true, false, false, false, false, false, false);
            case "series-adapter": return new Traits(false, false, true, false, true, false, false, false, false);
            case "parallel-adapter": return new Traits(false, false, true, false, false, true, false, false, false);
            case "piggyback": return new Traits(false, true, false, false, false, false, false, false, false);
            case "lite-residual": return new Traits(false, false, false, true, false, false, true, false, frozen);
            case "da3": return new Traits(false, false, false, false, false, false, false, true, frozen);
            default: throw new IllegalArgumentException("no memory model for method '" + n + "'");
        }
    }

    /**
     * Profiles a method.
     *
     * @param arch resnet26, resnet18 or resnet50
     * @param width the backbone width
     * @param ms the method and its options
     * @param classes the head's outputs
     * @param batch images per step
     * @param imageSize the input side
     * @param optimizer sgd or adam (the method's own option wins)
     * @param momentum SGD momentum (0: no buffer)
     * @param openRatio DA3's gate open ratio to assume (1 at the start of training)
     * @return the profile
     */
    public static MemoryProfile profile(String arch, int width, MethodSpec ms, int classes, int batch, int imageSize,
            String optimizer, double momentum, double openRatio) {
        ResNet net = ResNet.create(arch, width);
        Traits t = traits(ms);
        boolean gates = t.da3() && ms.flag("gates", true);
        double open = gates ? Math.max(0, Math.min(1, openRatio)) : 1.0;
        int micro = t.frozenPath() ? (int) ms.number("micro_batch", t.lite() ? 0 : 8) : 0;
        if (t.lite()) {
            micro = 0; // its BatchNorms need the whole batch
        }
        int chunk = micro <= 0 ? batch : Math.min(micro, batch);
        // the frozen path's micro-batch per block, and what the larger groups hold at the block
        // boundaries where it grows (FrozenPath's plan)
        int[] perBlock = org.da3.workbench.train.FrozenPath.microBatches(net, imageSize, micro <= 0 ? 0 : chunk,
                t.frozenPath() && ms.flag("grow_micro_batch", true), batch,
                org.da3.workbench.train.FrozenPath.Band.of(ms));
        if (t.frozenPath() && perBlock.length > 0) {
            chunk = perBlock[0]; // as fitted to the band
        }
        double[] heldBytes = heldAtBoundaries(net, imageSize, perBlock);
        Model model = new Model(net, ms, t, classes, open, batch, perBlock);
        model.walk(imageSize);
        String opt = ms.text("optimizer", optimizer);
        long perParam = opt.equals("adam") ? 8 : (momentum > 0 ? 4 : 0);
        long trainable = model.trainable;
        List<MemoryProfile.Layer> rows = new ArrayList<>();
        long kept = 0;
        // autograd's running peak: what the layers before have kept, and the layer's own transients;
        // in the backward, what the layers up to it keep (later layers' saved tensors are freed by then)
        long layerPeak = 0;
        double[] keptPerImageByBlock = new double[perBlock.length];
        double keptFixed = 0;
        double featuresPerImage = 0;
        for (Model.Row r : model.rows) {
            long keptBytes = Math.round(r.keptPerImage * 4 * batch + r.keptFixed * 4);
            long peakBytes = Math.round(4 * r.peak);
            if (t.frozenPath() && r.block >= -1) {
                int b = Math.max(0, r.block);
                peakBytes += Math.round(heldBytes[b]);
                if (perBlock[b] != chunk) {
                    r.note = (r.note.isEmpty() ? "" : r.note + "; ") + "micro-batch " + perBlock[b];
                }
            }
            if (!t.frozenPath()) {
                layerPeak = Math.max(layerPeak, kept + peakBytes);
                if (r.backwardPeak > 0) {
                    long bwd = Math.round(4 * r.backwardPeak);
                    layerPeak = Math.max(layerPeak, kept + keptBytes + bwd);
                    peakBytes = Math.max(peakBytes, bwd);
                }
            }
            kept += keptBytes;
            if (r.block >= 0) {
                keptPerImageByBlock[r.block] += 4 * r.keptPerImage;
            } else if (r.block == -2) {
                featuresPerImage += 4 * r.keptPerImage;
            }
            keptFixed += 4 * r.keptFixed;
            rows.add(new MemoryProfile.Layer(r.name, r.kind, r.shape, r.params, r.trainable, keptBytes, peakBytes,
                    r.note));
        }
        long peak;
        if (t.frozenPath()) {
            // forward: what the micro-batches before have kept, and the block's live set; backward:
            // everything kept (each group's arrays go when its backward is done), and the block's
            double[] keptAt = keptInForward(perBlock, batch, keptPerImageByBlock, keptFixed, featuresPerImage);
            double p = Math.max(kept + 4 * model.headPeak, keptAt[0] + 4 * model.stemLive + heldBytes[0]);
            for (int b = 0; b < perBlock.length; b++) {
                p = Math.max(p, keptAt[1 + b] + 4 * model.forwardLive[b] + heldBytes[b]);
                p = Math.max(p, kept + 4 * model.backwardLive[b] + heldBytes[b]);
            }
            peak = Math.round(p);
        } else {
            // autograd peaks at the end of the forward, when everything kept is still held (on top of
            // it, the last block's output and two tensors the size of it, and the logits), or in the
            // backward of a large layer, or, for a step that keeps little (the linear probe with
            // engine: autograd), in an early, large layer of the forward
            peak = Math.max(kept + 4L * batch * (3 * model.lastBlockOut + 2L * classes), layerPeak);
        }
        // the workspace is what the peak holds beyond what the step keeps in all (at a forward peak
        // of the frozen path, before the later micro-batches have kept theirs, it can be less than
        // that moment's transients)
        long workspace = Math.max(0, peak - kept);
        return new MemoryProfile(ms.displayLabel(), ms.name(), t.frozenPath() ? "frozen-path" : "autograd", arch, width,
                batch, imageSize, t.frozenPath() ? chunk : batch, open, 4 * model.weights, 4 * (trainable + model.buffers),
                trainable, 4 * trainable, perParam * trainable, kept, workspace, rows);
    }

    /**
     * What the frozen path has kept when the stem and each block last start in its forward: the
     * step's constants (DA3's F(s) weights, made once per patch), then, in FrozenPath's order (each
     * group runs its children, then its blocks on their rows), each block's masks and saved inputs
     * for the rows it has run, and the pooled features of each top group done. Kept memory only
     * grows in the forward, so a block's largest moment is its last run.
     *
     * @return bytes: index 0 the stem, 1 + b block b
     */
    static double[] keptInForward(int[] perBlock, int batch, double[] perImage, double fixed, double featuresPerImage) {
        int[] from = org.da3.workbench.train.FrozenPath.levelStarts(perBlock);
        double[] at = new double[perBlock.length + 1];
        double[] kept = {fixed};
        if (from.length == 0) {
            at[0] = fixed;
            return at;
        }
        int top = from.length - 1;
        int mTop = perBlock[from[top]];
        for (int s = 0; s < batch; s += mTop) {
            int rows = Math.min(mTop, batch - s);
            forwardGroup(top, rows, from, perBlock, perImage, kept, at);
            kept[0] += rows * featuresPerImage;
        }
        return at;
    }

    private static void forwardGroup(int level, int rows, int[] from, int[] perBlock, double[] perImage,
            double[] kept, double[] at) {
        if (level == 0) {
            at[0] = kept[0];
        } else {
            int m = perBlock[from[level - 1]];
            for (int s = 0; s < rows; s += m) {
                forwardGroup(level - 1, Math.min(m, rows - s), from, perBlock, perImage, kept, at);
            }
        }
        int to = level + 1 < from.length ? from[level + 1] : perBlock.length;
        for (int b = from[level]; b < to; b++) {
            // the block's own masks and saved inputs are made while it runs: counted at its moment
            kept[0] += rows * perImage[b];
            at[1 + b] = kept[0];
        }
    }

    /**
     * What the frozen path holds at each block besides its own transients, where later blocks run
     * larger micro-batches: a group of the larger size keeps its earlier children's outputs while
     * the last child runs (and, backward, the later children's gradients while the first runs).
     *
     * @return bytes per block
     */
    private static double[] heldAtBoundaries(ResNet net, int imageSize, int[] perBlock) {
        List<ResidualBlock> blocks = net.blocks();
        long[] out = new long[blocks.size()];
        int side = net.stemOutSide(imageSize);
        for (int bi = 0; bi < blocks.size(); bi++) {
            side = blocks.get(bi).outSide(side);
            out[bi] = (long) blocks.get(bi).outChannels() * side * side;
        }
        double[] held = new double[blocks.size()];
        for (int j = 1; j < blocks.size(); j++) {
            if (perBlock[j] != perBlock[j - 1]) {
                double bytes = 4.0 * (perBlock[j] - perBlock[j - 1]) * out[j - 1];
                for (int bi = 0; bi < j; bi++) {
                    held[bi] += bytes;
                }
            }
        }
        return held;
    }

    /**
     * The layer walk: kept floats per image, and transient peaks in floats for the images a layer
     * runs at (the batch; on the frozen path, its block's micro-batch).
     */
    private static final class Model {
        final ResNet net;
        final MethodSpec ms;
        final Traits t;
        final int classes;
        final double open;
        final int batch;
        final int[] perBlock;
        final List<Row> rows = new ArrayList<>();
        long weights;
        long trainable;
        long buffers;
        long lastBlockOut;
        int currentBlock = -1;
        /** Frozen path: the stem's largest live set, in floats. */
        double stemLive;
        /** The head's live set (the whole batch), in floats. */
        double headPeak;
        /** Frozen path, per block: the largest live set of its forward and of its backward, in floats. */
        final double[] forwardLive;
        final double[] backwardLive;

        /** One row under construction: kept floats per image, transient floats for the row's images. */
        static final class Row {
            String name;
            String kind;
            String shape;
            long params;
            long trainable;
            double keptPerImage;
            /** Kept floats that do not scale with the batch (Piggyback's masked weights). */
            double keptFixed;
            /** The peak of transient floats while the layer runs forward, for its images. */
            double peak;
            /** Autograd: the transient floats of the layer's backward (0: none runs). */
            double backwardPeak;
            String note = "";
            /** The block the row belongs to: -1 the stem, -2 the head (whole batch). */
            int block = -1;
        }

        Model(ResNet net, MethodSpec ms, Traits t, int classes, double open, int batch, int[] perBlock) {
            this.net = net;
            this.ms = ms;
            this.t = t;
            this.classes = classes;
            this.open = open;
            this.batch = batch;
            this.perBlock = perBlock;
            this.forwardLive = new double[perBlock.length];
            this.backwardLive = new double[perBlock.length];
        }

        /** @return the images a layer of the current block (or the stem) runs at */
        private double images() {
            if (!t.frozenPath() || currentBlock == -2 || perBlock.length == 0) {
                return batch;
            }
            return perBlock[Math.max(0, currentBlock)];
        }

        private Row row(String name, String kind, long c, long h, long w) {
            Row r = new Row();
            r.name = name;
            r.kind = kind;
            r.shape = c + "x" + h + "x" + w;
            r.block = currentBlock;
            rows.add(r);
            return r;
        }

        private static long convParams(ConvLayer c) {
            return (long) c.outChannels() * (c.inChannels() / c.groups()) * c.kernel() * c.kernel();
        }

        void walk(int size) {
            boolean flow = false;
            // stem
            ConvLayer c1 = net.conv1();
            long s1 = c1.outSide(size);
            long image = 3L * size * size;
            long stemOut = (long) c1.outChannels() * s1 * s1;
            Row r = row(c1.path(), "conv", c1.outChannels(), s1, s1);
            r.params = convParams(c1);
            weights += r.params;
            if (t.convTrain() || t.maskedConv()) {
                r.trainable = r.params;
                trainable += r.params;
                if (t.maskedConv()) {
                    r.keptFixed += r.params;
                }
                if (!t.frozenPath()) {
                    r.keptPerImage += image;
                    r.note = "keeps the images (its weight trains)";
                    if (t.maskedConv()) {
                        r.note += " and its masked weight";
                    }
                }
                flow = true;
            }
            // conv: input reorder + output, and oneDNN's copies of the weight; then BN, ReLU as
            // separate live points
            double n = images();
            r.peak = n * (image * 2 + stemOut) + forwardWeightCopies(c1, size) * r.params;
            if (!t.frozenPath() && (t.convTrain() || t.maskedConv())) {
                r.backwardPeak = n * stemOut + autogradBackwardWeightCopies(c1, size, true) * r.params;
            }
            if (!t.frozenPath() && (t.series() || t.parallel()) && c1.kernel() == 3) {
                Row sr = row("adapter." + c1.path(), "adapter", c1.outChannels(), s1, s1);
                long p = t.series() ? (long) c1.outChannels() * c1.outChannels() + 2L * c1.outChannels()
                        : (long) c1.outChannels() * c1.inChannels();
                sr.params = p;
                sr.trainable = p;
                trainable += p;
                if (t.series()) {
                    buffers += 2L * c1.outChannels();
                    sr.keptPerImage = 2 * stemOut;
                    sr.note = "keeps the conv output and its BN output";
                } else {
                    sr.keptPerImage = image;
                    sr.note = "a 1x1 conv beside; keeps the images";
                }
                flow = true;
            }
            flow = bnRow(net.bn1(), stemOut, s1, flow, false);
            // beside the BN: the images' channels-last copy, and on the frozen path the micro-batch's
            // own copy of the images it was made from
            rows.get(rows.size() - 1).peak += n * (t.frozenPath() ? 2 * image : image);
            Row relu = row("relu", "relu", c1.outChannels(), s1, s1);
            relu.peak = n * 2 * stemOut;
            if (flow && !t.frozenPath()) {
                relu.keptPerImage = stemOut;
                relu.note = "keeps its output (the next layer's input)";
            }
            long side = s1;
            long x = stemOut;
            if (net.hasMaxPool()) {
                long ps = net.stemOutSide(size);
                long pooled = (long) c1.outChannels() * ps * ps;
                Row mp = row("maxpool", "pool", c1.outChannels(), ps, ps);
                mp.peak = n * (stemOut + pooled);
                if (flow && !t.frozenPath()) {
                    mp.keptPerImage = pooled + 2 * pooled; // output kept by the next layer, int64 indices
                    mp.note = "keeps its output and int64 indices";
                }
                side = ps;
                x = pooled;
            }
            for (Row sr : rows) {
                stemLive = Math.max(stemLive, sr.peak);
            }
            boolean first = true;
            for (ResidualBlock b : net.blocks()) {
                currentBlock++;
                flow = block(b, side, x, flow, !first);
                first = false;
                side = b.outSide((int) side);
                x = (long) b.outChannels() * side * side;
                lastBlockOut = x;
            }
            int d = net.featureDim();
            currentBlock = -2;
            Row head = row("fc", "head", classes, 1, 1);
            head.params = (long) d * classes + classes;
            head.trainable = head.params;
            trainable += head.params;
            head.keptPerImage = d;
            head.note = "keeps the pooled features";
            head.peak = (double) batch * (d + classes);
            headPeak = head.peak;
        }

        /** A BN row: params, trainable affine, kept input, stats buffers. Returns the new flow. */
        private boolean bnRow(BatchNormLayer bn, long size, long side, boolean flow, boolean stemOrBlock) {
            Row r = row(bn.path(), "bn", bn.channels(), side, side);
            int ch = bn.channels();
            r.params = 2L * ch;
            weights += 4L * ch;
            boolean affine = t.bnTrain() || t.convTrain();
            boolean betaOnly = t.liteBetas() && bn != net.bn1();
            if (affine) {
                r.trainable = 2L * ch;
                trainable += 2L * ch;
                buffers += 2L * ch;
            } else if (betaOnly) {
                r.trainable = ch;
                trainable += ch;
            }
            if (!t.frozenPath() && (affine || betaOnly || flow)) {
                r.keptPerImage = size;
                r.note = affine || betaOnly ? "keeps its input (its parameters train)"
                        : "keeps its input (a gradient flows through it)";
            }
            r.peak = images() * 2 * size;
            return flow || affine || betaOnly;
        }

        private boolean block(ResidualBlock b, long inSide, long x, boolean flowIn, boolean needInput) {
            List<ConvLayer> convs = b.convs();
            List<BatchNormLayer> bns = b.bns();
            int cin = b.inChannels();
            int cout = b.outChannels();
            long outSide = b.outSide((int) inSide);
            long y = (long) cout * outSide * outSide;
            boolean frozen = t.frozenPath();
            boolean backward = t.da3() || t.lite() || t.liteBetas();
            boolean gated = t.da3() && org.da3.workbench.method.Da3.gated(ms, b);
            // only gated blocks skip rows; the others run every sample
            double rho = gated ? open : 1.0;

            // --- the adapter's own parameters and what it keeps
            Row ad = null;
            if (t.da3() || t.lite()) {
                ad = row(b.path() + (t.da3() ? ".da3" : ".lite"), "adapter", cout, outSide, outSide);
            }
            double adapterKeep = 0;
            if (t.da3()) {
                int r = (int) ms.number("reduction", 16);
                int k = (int) ms.number("kernel", 3);
                int hid = Math.max(4, cin / r);
                String att = ms.text("attention", "both");
                // what the patch trains: an ablation's parts that are turned off are not there
                boolean channelOn = att.equals("both") || att.equals("channel");
                boolean spatialOn = att.equals("both") || att.equals("spatial");
                long p = (channelOn ? (long) hid * cin + hid + (long) cout * hid + cout : 0)
                        + (spatialOn ? 2L * k * k + 1 + 1 : 0) + (gated ? cin + 1 : 0);
                ad.params = p;
                ad.trainable = p;
                trainable += p;
                int pool = Math.max((int) ms.number("pool", 4), b.stride());
                long ps = (inSide + pool - 1) / pool;
                boolean spatial = !ms.text("attention", "both").equals("channel") && !ms.text("attention", "both").equals("none");
                boolean gates = ms.flag("gates", true);
                if (gated) {
                    // F(s)'s constants, made once: each kxk conv's tap-summed weight (1x1 convs use
                    // their weight as it is), and every conv's BN scale and shift
                    for (ConvLayer c : convs) {
                        ad.keptFixed += (c.kernel() > 1 ? (long) c.inChannels() * c.outChannels() : 0) + 2L * c.outChannels();
                    }
                }
                if (frozen) {
                    adapterKeep = cin + (gates ? 1 + cout : 0) + (spatial ? 2 * ps * ps + 2 * ps * ps : 0);
                    ad.note = "keeps s (C_in), the gate and F(s) (C_out), and 2 maps + int64 arg-max at 1/" + pool
                            + (gated ? "; F(s)'s tap-summed weights" : "");
                } else {
                    adapterKeep = cin + hid + (spatial ? 2 * ps * ps + 2 * ps * ps + outSide * outSide : 0);
                    ad.note = "keeps s, the hidden units, the maps and the upsampled spatial map";
                }
            } else if (t.lite()) {
                int gw = Math.min((int) ms.number("group_width", 8), cin);
                int groups = cin % gw == 0 ? cin / gw : 1;
                int pool = Math.max((int) ms.number("pool", 2), b.stride());
                long ps = (inSide + pool - 1) / pool;
                long p = (long) cin * (cin / groups) * 25 + 2L * cin + (long) cout * cin + 2L * cout;
                ad.params = p;
                ad.trainable = p;
                trainable += p;
                buffers += 2L * cin + 2L * cout;
                long pooledIn = cin * ps * ps;
                if (frozen) {
                    adapterKeep = pooledIn;
                    ad.note = "keeps its pooled input";
                } else {
                    adapterKeep = 3 * pooledIn + cout * ps * ps;
                    ad.note = "keeps its pooled input and its own conv/BN/ReLU activations";
                }
            }
            if (ad != null) {
                ad.keptPerImage = adapterKeep;
            }
            // With an adapter in every block, the gradient flows from this block's output on.
            boolean flowOut = flowIn || t.da3() || t.lite();

            // --- the main path, conv by conv (the frozen path runs it on the open rows only)
            boolean flow = flowIn;
            long in = x;
            long side = inSide;
            double n = images();
            double fwdPeak = 0;
            List<long[]> sizes = new ArrayList<>();
            for (int i = 0; i < convs.size(); i++) {
                ConvLayer c = convs.get(i);
                long cs = c.outSide((int) side);
                long m = (long) c.outChannels() * cs * cs;
                Row cr = row(c.path(), "conv", c.outChannels(), cs, cs);
                cr.params = convParams(c);
                sizes.add(new long[] {in, m, c.kernel(), c.stride(), cr.params});
                // oneDNN's copies of the weight while the conv runs
                double wf = forwardWeightCopies(c, side) * cr.params;
                weights += cr.params;
                if (t.convTrain() || t.maskedConv()) {
                    cr.trainable = cr.params;
                    trainable += cr.params;
                }
                if (!frozen) {
                    boolean keeps = t.convTrain() || t.maskedConv() || flow || (t.parallel() && c.kernel() == 3);
                    // the block input is kept by the previous ReLU when a gradient flows into it
                    if (keeps && !(i == 0 && flowIn)) {
                        cr.keptPerImage += i == 0 ? in : 0; // later inputs are ReLU outputs, kept there
                        cr.note = "keeps its input";
                    } else if (keeps) {
                        cr.note = "uses the kept block input";
                    }
                    if (t.maskedConv()) {
                        cr.keptFixed += cr.params; // the masked weight W * 1[m > threshold]
                        cr.note += "; keeps its masked weight";
                    }
                }
                // conv output plus the oneDNN reorder of its input; the frozen path hands oneDNN
                // channels-last arrays, which it reads as they are. On the autograd path the block
                // input (past the first conv) and the shortcut's output, made first, are held too
                cr.peak = wf + n * (frozen ? rho * (in + m)
                        : in + m + in + (i > 0 ? x : 0) + (b.downConv() != null ? y : 0));
                boolean trains = t.convTrain() || t.maskedConv();
                if (!frozen && (flow || trains)) {
                    // its backward: the block output's gradient (held for the shortcut), the
                    // gradients of its output and input, and oneDNN's copies of the weight
                    cr.backwardPeak = n * (y + m + (flow ? in : 0))
                            + autogradBackwardWeightCopies(c, side, trains) * cr.params;
                }
                flow = flow || t.convTrain() || t.maskedConv() || (t.parallel() && c.kernel() == 3);
                if (!frozen && t.series() && c.kernel() == 3) {
                    Row sr = row("adapter." + c.path(), "adapter", c.outChannels(), cs, cs);
                    long p = (long) c.outChannels() * c.outChannels() + 2L * c.outChannels();
                    sr.params = p;
                    sr.trainable = p;
                    trainable += p;
                    buffers += 2L * c.outChannels();
                    sr.keptPerImage = 2 * m; // its BN's input (the conv output) and its 1x1 conv's input
                    sr.note = "keeps the conv output and its BN output";
                    sr.peak = n * 3 * m;
                    sr.backwardPeak = n * 3 * m + autogradBackwardWeightCopies(1, cs, true) * p;
                    flow = true;
                }
                if (!frozen && t.parallel() && c.kernel() == 3) {
                    Row pr = row("adapter." + c.path(), "adapter", c.outChannels(), cs, cs);
                    long p = (long) c.outChannels() * c.inChannels();
                    pr.params = p;
                    pr.trainable = p;
                    trainable += p;
                    pr.note = "a 1x1 conv beside; shares the conv's kept input";
                    pr.peak = n * (2 * m + in);
                    pr.backwardPeak = n * (y + m + in) + autogradBackwardWeightCopies(1, side, true) * p;
                }
                flow = bnRow(bns.get(i), m, cs, flow, true);
                if (!frozen) {
                    // the block input, the conv's input and the shortcut's output are still held
                    rows.get(rows.size() - 1).peak += n * ((i > 0 ? in : 0) + x + (b.downConv() != null ? y : 0));
                }
                if (i < convs.size() - 1) {
                    Row rr = row(b.path() + ".relu" + (i + 1), "relu", c.outChannels(), cs, cs);
                    if (frozen && backward) {
                        rr.keptPerImage = rho * m / 32.0; // one bit per element, open rows only
                        rr.note = "keeps its mask as bits";
                    } else if (!frozen && flow) {
                        rr.keptPerImage = m;
                        rr.note = "keeps its output (the next conv's input)";
                    }
                    rr.peak = n * (frozen ? rho : 1) * (in + 2 * m);
                }
                // forward live points: the block input, the previous ReLU output and the conv
                // output (with the weight's copies), then the BN output
                double prev = i == 0 ? 0 : in;
                fwdPeak = Math.max(fwdPeak, n * (x + rho * (prev + m)) + wf);
                fwdPeak = Math.max(fwdPeak, n * (x + rho * (prev + 2 * m)));
                in = m;
                side = cs;
            }
            // --- the shortcut
            if (b.downConv() != null) {
                ConvLayer dc = b.downConv();
                Row dr = row(dc.path(), "conv", dc.outChannels(), outSide, outSide);
                dr.params = convParams(dc);
                weights += dr.params;
                if (t.convTrain() || t.maskedConv()) {
                    dr.trainable = dr.params;
                    trainable += dr.params;
                }
                if (!frozen && (t.convTrain() || t.maskedConv() || flowIn)) {
                    dr.keptPerImage += flowIn ? 0 : x;
                    dr.note = "uses the kept block input";
                }
                if (t.maskedConv()) {
                    dr.keptFixed += dr.params;
                }
                double wf = forwardWeightCopies(dc, inSide) * dr.params;
                dr.peak = wf + n * (frozen ? x + y : 2 * x + y);
                boolean trains = t.convTrain() || t.maskedConv();
                if (!frozen && (flowIn || trains)) {
                    dr.backwardPeak = n * (y + y + (flowIn ? x : 0))
                            + autogradBackwardWeightCopies(dc, inSide, trains) * dr.params;
                }
                boolean flowS = flowIn || t.convTrain() || t.maskedConv();
                bnRow(b.downBn(), y, outSide, flowS, true);
                fwdPeak = Math.max(fwdPeak, n * (x + y * rho + y) + wf);
                fwdPeak = Math.max(fwdPeak, n * (x + y * rho + 2 * y));
            }
            // --- the sum and the output ReLU
            Row out = row(b.path() + ".relu", "relu", cout, outSide, outSide);
            if (frozen && backward) {
                out.keptPerImage = y / 32.0;
                out.note = "keeps its mask as bits";
            } else if (!frozen && flowOut) {
                out.keptPerImage = y;
                out.note = "keeps its output (the next block's input)";
            }
            // the frozen path builds the gate's replacement, the attention and the shortcut's sum in
            // the main path's output, in place: the block input, that sum (with the shortcut's
            // output until it is added) and the output ReLU's
            fwdPeak = Math.max(fwdPeak, n * (x + 2 * y));
            if (frozen && t.lite()) {
                // lite residual's term is an array of its own: the block input, the main path's
                // output, the shortcut's (a downsampling one's is its own), the module's output
                // and their sum
                fwdPeak = Math.max(fwdPeak, n * (x + (b.downConv() != null ? 4 : 3) * y));
            }
            if (frozen) {
                double bwdPeak = backward ? backwardPeak(b, inSide, sizes, x, y, rho, needInput, n) : 0;
                out.peak = Math.max(fwdPeak, bwdPeak);
                forwardLive[currentBlock] = fwdPeak;
                backwardLive[currentBlock] = bwdPeak;
            } else {
                out.peak = n * 2 * y;
            }
            return flowOut;
        }

        /**
         * How many copies of a conv's weight oneDNN (libtorch 2.7.1's CPU convolution) holds while
         * the conv runs forward: its blocked layout, and, for a kxk weight over a channels-last
         * input, the channels-last copy libtorch makes first. A map of 1 x 1 reads as NCHW (its
         * strides are ambiguous; libtorch falls back to NCHW), and a 1x1 weight is channels-last as
         * it is. Measured: a 512 x 512 x 3 x 3 weight (9.4 MB) costs 18.8 MB over a 2 x 2 map, 9.4
         * MB over a 1 x 1 one, the peak of ResNet-18's step at 32 px.
         */
        static double forwardWeightCopies(ConvLayer c, long inSide) {
            return c.kernel() > 1 && inSide > 1 ? 2 : 1;
        }

        /**
         * The copies of a conv's weight its autograd backward holds: the channels-last copy (as
         * forward), the blocked weight of the input gradient, and, when the weight trains, the new
         * gradient in oneDNN's layout, dense, and (channels-last) converted, before it is added to the
         * parameter's gradient (which is counted with the gradients). Measured with libtorch 2.7.1: 2,
         * 1 and 1 copies for a frozen 3x3 conv over a larger map, a 1 x 1 map, and a 1x1 conv; 4, 2
         * and 3 when the weight trains.
         */
        static double autogradBackwardWeightCopies(ConvLayer c, long inSide, boolean trains) {
            return autogradBackwardWeightCopies(c.kernel(), inSide, trains);
        }

        static double autogradBackwardWeightCopies(int kernel, long inSide, boolean trains) {
            boolean channelsLast = inSide > 1;
            return (channelsLast && kernel > 1 ? 1 : 0) + (trains ? (channelsLast ? 3 : 2) : 1);
        }

        /**
         * The copies of a frozen conv's weight while the frozen path computes its input gradient
         * ({@code Ops.convInputGradient}) as one convolution: it gets a transposed view of the
         * weight, which libtorch copies before oneDNN reorders it (2); where the gradient is larger
         * than the weight (early stages), the flipped and BN-scaled weight is a copy of its own
         * first (3). (A 3x3 stride-2 conv's phases are counted where they run.)
         *
         * @param late whether the gradient is smaller than the weight
         */
        static double frozenBackwardWeightCopies(boolean late) {
            return late ? 2 : 3;
        }

        /**
         * The frozen path's backward live set through one block (per image): the upstream
         * gradient, its masked copy, the adapter's input gradient (with the pooling gradient's
         * spread), the gated copy, and each conv's input gradient beside the scaled gradient (or,
         * for a 3x3 stride-2 conv, its four phase outputs, the padded gradients and the
         * interleaving); channels-last arrays go to oneDNN without a reorder copy, but the weight
         * it is handed is copied ({@link #frozenBackwardWeightCopies}). In floats, for n images.
         */
        private double backwardPeak(ResidualBlock b, long inSide, List<long[]> sizes, long x, long y, double rho,
                boolean needInput, double n) {
            // unmasking: the int64 word per packed byte and the gathered words: y / 4 floats each
            double base = y + y + 0.5 * y;
            boolean adapterDx = needInput && (t.da3() || t.lite());
            double adapter;
            double live;
            if (t.da3()) {
                // DA3's input gradient stays at its pooling's resolution until the frozen path
                // spreads it as it adds it (the pooled gradient and its scaled copy while it is
                // made); the main path's gradient is gPre itself, gathered to the open rows when
                // gates close some
                int pool = Math.max((int) ms.number("pool", 4), b.stride());
                double coarse = adapterDx ? (double) x / ((long) pool * pool) : 0;
                adapter = 2 * coarse;
                live = y + coarse + (rho < 1 ? rho * y : 0);
            } else {
                adapter = adapterDx ? 2 * x : 0;
                live = y + (adapterDx ? x : 0) + y; // gPre, dx through the adapter, gMain
            }
            double peak = n * Math.max(base, y + adapter + y);
            if (t.lite()) {
                // lite residual's local graph (LiteResidual.Module#backward), recomputed from the
                // pooled input P: what autograd saves (the grouped conv's output and the ReLU's, the
                // 1x1 conv's output), the module's output upsampled to the block's (y) and its product
                // with the upstream gradient; then the first gradients: of the output (y) and of the
                // last BN's (C_out at the pooled resolution)
                int pool = Math.max((int) ms.number("pool", 2), b.stride());
                long ps = (inSide + pool - 1) / pool;
                double pooled = (double) b.inChannels() * ps * ps;
                double module = (double) b.outChannels() * ps * ps;
                peak = Math.max(peak, n * (y + pooled + 2 * pooled + 2 * module + 3 * y));
            }
            for (int i = sizes.size() - 1; i >= (needInput ? 0 : 1); i--) {
                long in = sizes.get(i)[0];
                long m = sizes.get(i)[1];
                long k = sizes.get(i)[2];
                long stride = sizes.get(i)[3];
                long w = sizes.get(i)[4];
                double rows = n * rho;
                // Ops.convInputGradient scales a copy of the gradient where it is smaller than the
                // weight (late stages), else a copy of the weight
                boolean late = rows * m < w;
                if (k == 3 && stride == 2) {
                    // by phases: the gradient (late, with its scaled copy; early, the scaled weight
                    // beside), the three padded gradients and the four phase outputs while the last
                    // phase's sub-kernel (4/9 of the weight) is cut out and copied twice; then the
                    // phases, the two row pairs, their interleaving and its copy: 4 input sizes
                    double g = late ? 2 * m : m;
                    double scaledWeight = late ? 0 : w;
                    peak = Math.max(peak, n * live + rows * (g + 3 * m + in) + scaledWeight + 4.0 / 3 * w);
                    peak = Math.max(peak, n * live + rows * (g + 4 * in) + scaledWeight);
                } else {
                    // the gradient, its scaled copy, the conv's output (a strided 1x1 conv's at
                    // the low resolution and spread), and the weight's copies
                    double conv = stride == 2 ? m + in / 4.0 + in : m + in;
                    peak = Math.max(peak, n * (live + rho * (m + conv)) + frozenBackwardWeightCopies(late) * w);
                }
                // then the masked copy
                peak = Math.max(peak, n * (live + rho * (in + in + 0.5 * in)));
            }
            if (b.downConv() != null && needInput) {
                ConvLayer dc = b.downConv();
                long w = convParams(dc);
                double wb = frozenBackwardWeightCopies(n * y < w) * w;
                peak = Math.max(peak, n * (live + y + y + x / 4.0 + x) + wb);
            }
            return peak;
        }
    }

    /**
     * Renders profiles as a text table, one row per method.
     *
     * @param profiles the profiles
     * @return the table
     */
    public static String table(List<MemoryProfile> profiles) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %-11s %12s %10s %10s %10s %10s %10s %12s%n", "method", "engine",
                "trainable", "grads MB", "optim MB", "kept MB", "work MB", "step MB", "patch MB"));
        for (MemoryProfile p : profiles) {
            sb.append(String.format(Locale.ROOT, "%-28s %-11s %12d %10.1f %10.1f %10.1f %10.1f %10.1f %12.2f%n",
                    p.label(), p.engine(), p.trainableParams(), mb(p.gradientBytes()), mb(p.optimizerBytes()),
                    mb(p.keptBytes()), mb(p.workspaceBytes()), mb(p.stepBytes()), mb(p.patchBytes())));
        }
        return sb.toString();
    }

    /**
     * Renders one profile's layers.
     *
     * @param p the profile
     * @return the table
     */
    public static String layers(MemoryProfile p) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s on %s-%d, batch %d, %d px (%s%s)%n", p.label(), p.arch(), p.width(),
                p.batch(), p.imageSize(), p.engine(), p.engine().equals("frozen-path") ? ", micro-batch " + p.microBatch() : ""));
        sb.append(String.format(Locale.ROOT, "%-26s %-8s %-12s %10s %10s %10s %10s  %s%n", "layer", "kind", "output",
                "params", "trainable", "kept MB", "peak MB", "note"));
        for (MemoryProfile.Layer l : p.layers()) {
            sb.append(String.format(Locale.ROOT, "%-26s %-8s %-12s %10d %10d %10.2f %10.2f  %s%n", l.name(), l.kind(),
                    l.shape(), l.params(), l.trainable(), mb(l.keptBytes()), mb(l.peakBytes()), l.note()));
        }
        return sb.toString();
    }

    static double mb(long bytes) {
        return bytes / 1e6;
    }
}
