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
     * Runs a probe.
     *
     * @param r the request
     * @return the measurements
     */
    public static ProbeResult run(ProbeRequest r) {
        EngineSupport.start(r.threads());
        if (!ProcMemory.available()) {
            throw new IllegalStateException("memory probes need Linux /proc/self/status (VmRSS, VmHWM)");
        }
        MethodSpec ms = new MethodSpec(r.method(), r.options(), r.label());
        try (NDManager base = NDManager.newBaseManager()) {
            ResNet net = ResNet.create(r.arch(), r.width());
            net.allocate(base, r.seed());
            SplittableRandom rnd = new SplittableRandom(r.seed());
            int n = r.batch() * 3 * r.imageSize() * r.imageSize();
            float[] images = new float[n];
            for (int i = 0; i < n; i++) {
                images[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            int[] labels = new int[r.batch()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % r.classes();
            }
            String opt = ms.text("optimizer", r.optimizer());
            double lr = ms.number("learning_rate", r.learningRate());
            // Warm the engine with one step of this method on a scratch patch that is closed
            // afterwards: kernels, primitive caches and JIT code for every shape the step uses are
            // then part of the idle baseline, and the measured peaks are the training memory proper
            // (gradients, optimizer state, kept activations, workspace).
            try (Patch scratch = MethodRegistry.get(r.method()).create(new PatchContext(net, r.classes(), ms,
                    base.newSubManager(), r.seed() + 2, r.imageSize()));
                    Optimizer o = new Optimizer(opt, scratch.trainable(), r.momentum(), 0)) {
                TrainStepper st = new TrainStepper(scratch);
                try (NDManager bm = base.newSubManager()) {
                    NDArray x = org.da3.workbench.data.Batcher.fromReusedBuffer(bm, images,
                            new Shape(r.batch(), 3, r.imageSize(), r.imageSize()));
                    NDArray y = bm.create(labels);
                    scratch.logits(x, false).close();
                    StepResult res = st.step(x, y);
                    o.step(res.grads(), lr);
                    scratch.releaseGradients(res);
                }
            }
            try (Patch patch = MethodRegistry.get(r.method()).create(new PatchContext(net, r.classes(), ms,
                    base.newSubManager(), r.seed() + 1, r.imageSize()))) {
                TrainStepper stepper = new TrainStepper(patch);
                if (r.gateOpen() != null) {
                    try (NDManager bm = base.newSubManager()) {
                        NDArray x = org.da3.workbench.data.Batcher.fromReusedBuffer(bm, images,
                                new Shape(r.batch(), 3, r.imageSize(), r.imageSize()));
                        if (!patch.calibrateGates(x, r.gateOpen())) {
                            throw new IllegalArgumentException("gate_open: method '" + r.label() + "' has no gates");
                        }
                    }
                }
                try (Optimizer optimizer = new Optimizer(opt, patch.trainable(), r.momentum(), 0)
                        .withLearningRateScales(patch::learningRateScale)) {
                    System.gc();
                    long baseline = ProcMemory.rss();
                    List<Long> peaks = new ArrayList<>();
                    List<Double> seconds = new ArrayList<>();
                    for (int s = 0; s < r.warmup() + r.steps(); s++) {
                        if (s == r.warmup()) {
                            // the open ratio reported is that of the measured steps
                            patch.resetStatistics();
                        }
                        if (r.gateOpen() != null && s > 0) {
                            // the attention keeps training and moves the later blocks' gate logits:
                            // re-set the gates on this step's batch, outside the timed step
                            try (NDManager bm = base.newSubManager()) {
                                patch.calibrateGates(org.da3.workbench.data.Batcher.fromReusedBuffer(bm, images,
                                        new Shape(r.batch(), 3, r.imageSize(), r.imageSize())), r.gateOpen());
                            }
                        }
                        ProcMemory.resetPeak();
                        long t0 = System.nanoTime();
                        try (NDManager bm = base.newSubManager()) {
                            NDArray x = org.da3.workbench.data.Batcher.fromReusedBuffer(bm, images,
                                    new Shape(r.batch(), 3, r.imageSize(), r.imageSize()));
                            NDArray y = bm.create(labels);
                            StepResult res = stepper.step(x, y);
                            optimizer.step(res.grads(), lr);
                            patch.releaseGradients(res);
                        }
                        seconds.add((System.nanoTime() - t0) / 1e9);
                        peaks.add(ProcMemory.peak() - baseline);
                        if (System.getenv("DA3_PROBE_DEBUG") != null) {
                            System.err.println("step " + s + " rss after " + (ProcMemory.rss() - baseline) / 1e6 + " MB");
                        }
                    }
                    Object open = patch.statistics().get("gate_open_ratio");
                    return new ProbeResult(r.label(), baseline, peaks, seconds, patch.trainableCount(),
                            stepper.frozenPath(), patch.usesFrozenPath() ? patch.microBatch() : 0,
                            System.getenv("MALLOC_MMAP_THRESHOLD_"), open instanceof Double d ? d : null);
                }
            }
        }
    }
}
