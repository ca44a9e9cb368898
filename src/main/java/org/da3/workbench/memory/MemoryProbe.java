package org.da3.workbench.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.train.EngineSupport;
import org.da3.workbench.train.Optimizer;
import org.da3.workbench.train.TrainStepper;

/**
 * Measures one method's training memory in this process: builds the backbone, the patch and a
 * synthetic batch (kept as Java floats, made into a tensor per step as the trainer does), reads the
 * idle baseline RSS, then runs the steps, resetting the peak (VmHWM) before each and reading it
 * after. Run it in a fresh JVM with a pre-touched fixed heap ({@code -Xms = -Xmx},
 * {@code -XX:+AlwaysPreTouch}) and {@code MALLOC_MMAP_THRESHOLD_=131072}, so the RSS tracks live
 * tensors and not the Java heap's growth or the allocator's retained pages.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    /**
     * A probe held open between steps: the engine, the backbone, the patch, the optimizer and the
     * batch are made (and the engine warmed) by the constructor, each {@link #step} runs one timed
     * training step ({@code bench probe} runs one per JVM). A benchmark can so interleave two
     * probes, each in its own JVM, step by step ({@code bench speed}'s paired design).
     */
    public static final class Session implements AutoCloseable {
        private final ProbeRequest r;
        private final NDManager base;
        private final float[] images;
        private final int[] labels;
        private final double lr;
        private final Patch patch;
        private final TrainStepper stepper;
        private final Optimizer optimizer;
        private final long baseline;
        private final List<Long> peaks = new ArrayList<>();
        private final List<Double> seconds = new ArrayList<>();

        /**
         * Builds everything a step needs and reads the idle baseline.
         *
         * @param r the request
         */
        public Session(ProbeRequest r) {
            this.r = r;
            EngineSupport.start(r.threads());
            if (!ProcMemory.available()) {
                throw new IllegalStateException("memory probes need Linux /proc/self/status (VmRSS, VmHWM)");
            }
            MethodSpec ms = new MethodSpec(r.method(), r.options(), r.label());
            base = NDManager.newBaseManager();
            Patch made = null;
            Optimizer opt = null;
            try {
                ResNet net = ResNet.create(r.arch(), r.width());
                net.allocate(base, r.seed());
                SplittableRandom rnd = new SplittableRandom(r.seed());
                int n = r.batch() * 3 * r.imageSize() * r.imageSize();
                images = new float[n];
                for (int i = 0; i < n; i++) {
                    images[i] = (float) (rnd.nextDouble() * 2 - 1);
                }
                labels = new int[r.batch()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = i % r.classes();
                }
                String optName = ms.text("optimizer", r.optimizer());
                lr = ms.number("learning_rate", r.learningRate());
                // Warm the engine with one step of this method on a scratch patch that is closed
                // afterwards: kernels, primitive caches and JIT code for every shape the step uses
                // are then part of the idle baseline, and the measured peaks are the training
                // memory proper (gradients, optimizer state, kept activations, workspace).
                try (Patch scratch = MethodRegistry.get(r.method()).create(new PatchContext(net, r.classes(), ms,
                        base.newSubManager(), r.seed() + 2, r.imageSize()));
                        Optimizer o = new Optimizer(optName, scratch.trainable(), r.momentum(), 0)) {
                    TrainStepper st = new TrainStepper(scratch);
                    try (NDManager bm = base.newSubManager()) {
                        NDArray x = batch(bm);
                        NDArray y = bm.create(labels);
                        scratch.logits(x, false).close();
                        StepResult res = st.step(x, y);
                        o.step(res.grads(), lr);
                        scratch.releaseGradients(res);
                    }
                }
                made = MethodRegistry.get(r.method()).create(new PatchContext(net, r.classes(), ms,
                        base.newSubManager(), r.seed() + 1, r.imageSize()));
                if (r.gateOpen() != null) {
                    try (NDManager bm = base.newSubManager()) {
                        if (!made.calibrateGates(batch(bm), r.gateOpen())) {
                            throw new IllegalArgumentException("gate_open: method '" + r.label() + "' has no gates");
                        }
                    }
                }
                opt = new Optimizer(optName, made.trainable(), r.momentum(), 0).withLearningRateScales(made::learningRateScale);
            } catch (RuntimeException e) {
                if (opt != null) {
                    opt.close();
                }
                if (made != null) {
                    made.close();
                }
                base.close();
                throw e;
            }
            patch = made;
            optimizer = opt;
            stepper = new TrainStepper(patch);
            System.gc();
            ProcMemory.settleForBaseline();
            baseline = ProcMemory.rss();
        }

        private NDArray batch(NDManager bm) {
            return org.da3.workbench.data.Batcher.fromReusedBuffer(bm, images,
                    new Shape(r.batch(), 3, r.imageSize(), r.imageSize()));
        }

        /**
         * Runs the next step (a warm-up step while fewer than the request's warm-up have run).
         *
         * @return the step's wall time in seconds
         */
        public double step() {
            int s = seconds.size();
            if (s == r.warmup()) {
                // the open ratio reported is that of the measured steps
                patch.resetStatistics();
            }
            if (r.gateOpen() != null && s > 0) {
                // the attention keeps training and moves the later blocks' gate logits: re-set
                // the gates on this step's batch, outside the timed step
                try (NDManager bm = base.newSubManager()) {
                    patch.calibrateGates(batch(bm), r.gateOpen());
                }
            }
            ProcMemory.resetPeak();
            long t0 = System.nanoTime();
            try (NDManager bm = base.newSubManager()) {
                NDArray x = batch(bm);
                NDArray y = bm.create(labels);
                StepResult res = stepper.step(x, y);
                optimizer.step(res.grads(), lr);
                EngineSupport.synchronize(patch.trainable().values());
                patch.releaseGradients(res);
            }
            double t = (System.nanoTime() - t0) / 1e9;
            seconds.add(t);
            peaks.add(ProcMemory.peak() - baseline);
            if (System.getenv("DA3_PROBE_DEBUG") != null) {
                System.err.println("step " + s + " rss after " + (ProcMemory.rss() - baseline) / 1e6 + " MB");
            }
            return t;
        }

        /** @return every step run so far (warm-up first) */
        public ProbeResult result() {
            Object open = patch.statistics().get("gate_open_ratio");
            return new ProbeResult(r.label(), baseline, List.copyOf(peaks), List.copyOf(seconds), patch.trainableCount(),
                    stepper.frozenPath(), patch.usesFrozenPath() ? patch.microBatch() : 0,
                    System.getenv("MALLOC_MMAP_THRESHOLD_"), open instanceof Double d ? d : null);
        }

        @Override
        public void close() {
            optimizer.close();
            patch.close();
            base.close();
        }
    }
}
