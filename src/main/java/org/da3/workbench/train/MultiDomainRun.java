package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.Versions;
import org.da3.workbench.data.Batcher;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.memory.CudaMemory;
import org.da3.workbench.memory.ProcMemory;
import org.da3.workbench.method.Method;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.Weights;
import org.da3.workbench.run.ResumeFrom;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.EpochCheckpointSaved;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.InferenceStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.run.event.Warning;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecWriter;
import org.da3.workbench.spec.TrainingSpec;

/**
 * One run: a method learns the spec's domains in order on one shared backbone. For each domain it
 * trains the method's per-domain patch, saves it, and then evaluates every domain seen so far by
 * loading each saved patch onto the backbone afresh. Everything it does is reported as events.
 */
public final class MultiDomainRun {

    private final ExperimentSpec spec;
    private final Map<String, DatasetDescriptor> datasets;
    private final Path weights;
    private final Path outputDir;
    private final RunContext run;
    private ResumeFrom resume;
    /** Domains of the resumed run whose data changed since their patch was trained. */
    private final java.util.Set<String> retrain = new java.util.HashSet<>();
    private volatile boolean cancelled;

    /**
     * Prepares a run.
     *
     * @param spec the run's spec (one method, one seed)
     * @param datasets the descriptors of its domains
     * @param weights the backbone weights file, or null for random initialisation
     * @param outputDir where patches are written (patches/ under it)
     * @param run the event context
     */
    public MultiDomainRun(ExperimentSpec spec, Map<String, DatasetDescriptor> datasets, Path weights,
            Path outputDir, RunContext run) {
        if (spec.methods().size() != 1) {
            throw new IllegalArgumentException("a run has exactly one method");
        }
        this.spec = spec;
        this.datasets = datasets;
        this.weights = weights;
        this.outputDir = outputDir;
        this.run = run;
    }

    /**
     * Picks up from a stopped run of the same spec: the domains it finished are not trained again;
     * their patches, already copied into this run's {@code patches/}, are checked here against their
     * SHA-256 and evaluated as if this run had trained them.
     *
     * @param from the stopped run and its finished domains' patches, or null to train every domain
     * @return this run
     * @throws IllegalArgumentException naming the domain or the file when a patch is not the run's
     *     own, is missing, or differs from the one the stopped run saved
     * @throws IOException if a patch cannot be read
     */
    public MultiDomainRun resuming(ResumeFrom from) throws IOException {
        if (from != null) {
            for (Map.Entry<String, String> e : from.patches().entrySet()) {
                String domain = e.getKey();
                if (!spec.domains().contains(domain)) {
                    throw new IllegalArgumentException("resume.patches names domain '" + domain + "', which is not"
                            + " one of the run's domains " + spec.domains());
                }
                Path file = patchFile(domain);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("the patch of domain " + domain + " to reuse from run "
                            + from.run() + " is not at " + file + "; run the experiment again without resuming");
                }
                String actual = sha256(file);
                if (!actual.equalsIgnoreCase(e.getValue())) {
                    throw new IllegalArgumentException("the patch " + file + " of domain " + domain + " has SHA-256 "
                            + actual + ", but run " + from.run() + " saved one with " + e.getValue()
                            + "; run the experiment again without resuming");
                }
            }
            ResumeFrom.Checkpoint c = from.checkpoint();
            if (c != null) {
                if (!spec.domains().contains(c.domain())) {
                    throw new IllegalArgumentException("resume.checkpoint names domain '" + c.domain() + "', which is"
                            + " not one of the run's domains " + spec.domains());
                }
                if (c.epochs() != spec.training().epochs()) {
                    throw new IllegalArgumentException("resume.checkpoint holds epoch " + c.epoch() + " of "
                            + c.epochs() + ", but this run trains " + spec.training().epochs() + " epochs");
                }
                Path file = checkpointFile(c.domain());
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("the epoch checkpoint of domain " + c.domain() + " to continue"
                            + " from run " + from.run() + " is not at " + file + "; run the experiment again without"
                            + " resuming");
                }
                String actual = sha256(file);
                if (!actual.equalsIgnoreCase(c.sha256())) {
                    throw new IllegalArgumentException("the epoch checkpoint " + file + " of domain " + c.domain()
                            + " has SHA-256 " + actual + ", but run " + from.run() + " saved one with " + c.sha256()
                            + "; run the experiment again without resuming");
                }
            }
        }
        this.resume = from;
        return this;
    }

    /** Where a domain's patch is written: patches/DOMAIN.safetensors under the output folder. */
    private Path patchFile(String domain) {
        return outputDir.resolve("patches").resolve(RunDirectory.safe(domain) + ".safetensors");
    }

    /**
     * Where a domain's epoch checkpoint is written: checkpoints/DOMAIN.safetensors under the output
     * folder (see {@link EpochCheckpoint}).
     */
    private Path checkpointFile(String domain) {
        return outputDir.resolve("checkpoints").resolve(RunDirectory.safe(domain) + ".safetensors");
    }

    /** Removes a domain's epoch checkpoint, and the checkpoints folder when that leaves it empty. */
    static void removeCheckpoint(Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.deleteIfExists(file.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // something else is in it: it stays
        }
    }

    /** Asks the run to stop after the current step. */
    public void cancel() {
        cancelled = true;
    }

    /** A domain kept for re-evaluation: its test split, batcher and patch file. */
    private record Seen(Domain domain, Batcher batcher, Path patch) {}

    /**
     * Builds the backbone: architecture from the spec, weights from the file (or a seeded random
     * initialisation).
     *
     * @param spec the spec
     * @param weights the weights file or null
     * @param manager the owner of the backbone's arrays
     * @return the backbone
     * @throws IOException if the weights cannot be read
     */
    public static ResNet loadBackbone(ExperimentSpec spec, Path weights, NDManager manager) throws IOException {
        ResNet net = ResNet.create(spec.backbone().name(), spec.backbone().width());
        net.allocate(manager, Seeds.derive(spec.training().seed(), "backbone-init"));
        if (weights != null) {
            try (NDManager tmp = manager.newSubManager()) {
                Map<String, NDArray> arrays = Weights.load(weights, tmp);
                Weights.importInto(net, arrays, weights.toString());
            }
        }
        return net;
    }

    /**
     * Runs to the end (or to cancellation). Events report everything; exceptions propagate to the
     * worker, which reports them as an error event.
     *
     * @param engineVersions versions from {@link EngineSupport#start}
     * @return the summary also sent in run_finished
     * @throws IOException if patches cannot be written or weights read
     */
    public Map<String, Object> execute(Map<String, Object> engineVersions) throws IOException {
        MethodSpec methodSpec = spec.methods().get(0);
        Method method = MethodRegistry.get(methodSpec.name());
        TrainingSpec t = spec.training();
        Map<String, Object> manifest = new LinkedHashMap<>(Versions.platform());
        manifest.putAll(engineVersions);
        manifest.put("malloc_mmap_threshold", System.getenv("MALLOC_MMAP_THRESHOLD_"));
        manifest.put("malloc_arena_max", System.getenv("MALLOC_ARENA_MAX"));
        manifest.put("host", Versions.host());
        manifest.put("pid", ProcessHandle.current().pid());
        manifest.put("weights", weights == null ? null : weights.toString());
        manifest.put("weights_sha256", weights == null ? null : sha256(weights));
        if (resume != null) {
            manifest.put("resumed_from", resume.run());
        }
        run.emit(new RunStarted(spec.name(), methodSpec.name(), methodSpec.displayLabel(), t.seed(),
                spec.domains(), SpecWriter.toMap(spec, true), manifest));

        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> finalAcc = new LinkedHashMap<>();
        Map<String, Object> patchBytes = new LinkedHashMap<>();
        Map<String, Object> trainable = new LinkedHashMap<>();
        Map<String, Object> fingerprints = new LinkedHashMap<>();
        double stepSecondsSum = 0;
        long stepsTimed = 0;
        long peakStep = -1;
        long baseline = -1;
        // on a GPU, device memory beside the process's RSS (which then holds little of the step)
        java.util.Optional<CudaMemory> cuda = CudaMemory.ofEngine();
        long cudaBaseline = -1;
        long cudaPeakStep = -1;
        long analyticMax = -1;

        try (NDManager base = NDManager.newBaseManager()) {
            ResNet backbone = loadBackbone(spec, weights, base);
            org.da3.workbench.spec.MethodInfo info = org.da3.workbench.spec.MethodCatalog.find(methodSpec.name());
            if (weights == null && info != null && info.sharesBackbone()) {
                // frozen random features (frozen BN with initial statistics, so activations grow
                // block by block) leave such a method near chance: say so before hours are spent
                run.emit(new Warning("backbone.weights is not set: the backbone is randomly initialised and stays"
                        + " frozen for " + methodSpec.name() + ", which then learns from random features (expect"
                        + " accuracy near chance); set backbone.weights to a pretrained file (docs/weights.md)"));
            }
            String checksum = Weights.checksum(backbone);
            summary.put("backbone_checksum_before", checksum);
            summary.put("backbone_params", backbone.parameterCount());
            summary.put("backbone_macs", backbone.macs(t.imageSize()));

            List<Domain> loaded = new ArrayList<>();
            long runSteps = 0;
            for (String name : spec.domains()) {
                Domain d = DomainSources.load(datasets.get(name),
                        new LoadOptions(t.imageSize(), t.trainLimit(), t.testLimit(), true));
                loaded.add(d);
                String was = resume == null ? null : resume.fingerprints().get(name);
                if (reusedSha(name) != null && was != null && !was.equals(d.fingerprint())) {
                    // the patch was trained on other data: this run trains the domain itself
                    run.emit(new Warning(name + ": its data changed since run " + resume.run() + " trained its patch"
                            + " (fingerprint " + was + ", now " + d.fingerprint() + "); training it again"));
                    retrain.add(name);
                }
                ResumeFrom.Checkpoint c = resume == null ? null : resume.checkpoint();
                if (c != null && c.domain().equals(name) && was != null && !was.equals(d.fingerprint())) {
                    run.emit(new Warning(name + ": its data changed since run " + resume.run() + " saved its epoch "
                            + c.epoch() + " checkpoint (fingerprint " + was + ", now " + d.fingerprint() + ");"
                            + " training it from its first epoch"));
                    retrain.add(name);
                }
                if (reusedSha(name) == null) {
                    // a domain continued from a checkpoint takes only the epochs after it
                    int from = continued(name) == null ? 0 : continued(name).epoch();
                    runSteps += (long) (t.epochs() - from) * stepsPerEpoch(d.train().size(), t.batchSize());
                }
                if (d.skipped() > 0) {
                    run.emit(new Warning(name + ": skipped " + d.skipped() + " images that could not be decoded;"
                            + " 'da3 datasets check " + name + "' names them"));
                }
            }
            List<Seen> seen = new ArrayList<>();
            long runStep = 0;
            boolean warmedUp = false;
            // when training began: the ETA leaves out data loading, the warm-up and reused domains
            double trainingSince = -1;
            for (int di = 0; di < loaded.size() && !cancelled; di++) {
                Domain d = loaded.get(di);
                fingerprints.put(d.name(), d.fingerprint());
                Batcher batcher = new Batcher(d, t.augmentation());
                String reused = reusedSha(d.name());
                Path file = patchFile(d.name());
                if (reused != null) {
                    long count = takeOver(method, methodSpec, backbone, d, di, file, reused, base);
                    trainable.put(d.name(), count);
                    patchBytes.put(d.name(), Files.size(file));
                    seen.add(new Seen(testOnly(d), batcher, file));
                    loaded.set(di, null);
                    evaluateSeen(backbone, method, methodSpec, seen, di, base, finalAcc);
                    continue;
                }
                long steps = (long) t.epochs() * stepsPerEpoch(d.train().size(), t.batchSize());
                ResumeFrom.Checkpoint cont = continued(d.name());
                Path checkpoint = checkpointFile(d.name());
                try (Patch patch = method.create(new PatchContext(backbone, d.numClasses(), methodSpec,
                        base.newSubManager(), Seeds.derive(t.seed(), "patch", di), t.imageSize()))) {
                    run.emit(new DomainStarted(di, d.name(), d.numClasses(), d.train().size(), d.test().size(),
                            steps, patch.trainableCount(), d.fingerprint(), null, cont == null ? null : resume.run(),
                            cont == null ? null : cont.epoch() + 1));
                    if (cont != null) {
                        // the checkpoint it continues from is this run's latest of the domain (checked by resuming)
                        run.emit(new EpochCheckpointSaved(d.name(), cont.epoch(), cont.epoch()
                                * (long) stepsPerEpoch(d.train().size(), t.batchSize()),
                                outputDir.relativize(checkpoint).toString(), Files.size(checkpoint), cont.sha256(), 0));
                    }
                    trainable.put(d.name(), patch.trainableCount());
                    if (!warmedUp) {
                        warmUp(method, methodSpec, backbone, d, batcher, base);
                        warmedUp = true;
                        trainingSince = run.elapsedSeconds();
                    }
                    System.gc();
                    ProcMemory.settleForBaseline();
                    baseline = ProcMemory.rss();
                    long analytic = analyticStepBytes(methodSpec, d.numClasses());
                    analyticMax = Math.max(analyticMax, analytic);
                    run.emit(new MemorySample("idle", "rss", baseline, ProcMemory.peak(), baseline, analytic));
                    if (!ProcMemory.resetPeak() && ProcMemory.available() && peaksReset) {
                        // VmHWM would then be the peak since the worker started (data loading
                        // included): no training peak at all rather than a wrong one
                        peaksReset = false;
                        run.emit(new Warning("the peak resident memory cannot be reset here (/proc/self/clear_refs"
                                + " is not writable, as in some containers), so training peaks are not measured;"
                                + " the analytic figures and the current RSS still are"));
                    }
                    if (cuda.isPresent()) {
                        cuda.get().resetPeak();
                        cudaBaseline = cuda.get().used();
                        run.emit(new MemorySample("idle", "cuda", cudaBaseline, cudaBaseline, cudaBaseline, analytic));
                    }
                    String lrSource = methodSpec.resolvedOptions().containsKey("learning_rate") ? "method" : "training";
                    double baseLr = methodSpec.number("learning_rate", t.learningRate());
                    String opt = methodSpec.text("optimizer", t.optimizer());
                    double wd = methodSpec.number("weight_decay", t.weightDecay());
                    TrainStepper stepper = new TrainStepper(patch);
                    try (Optimizer optimizer = new Optimizer(opt, patch.trainable(), t.momentum(), wd)
                            .withLearningRateScales(patch::learningRateScale)) {
                        long step = 0;
                        double firstWindowLoss = Double.NaN;
                        boolean warnedRise = false;
                        int firstEpoch = 1;
                        SplittableRandom aug = new SplittableRandom(Seeds.derive(t.seed(), "augment", di));
                        if (cont != null) {
                            EpochCheckpoint.Position at = EpochCheckpoint.load(checkpoint, patch, optimizer, base);
                            long per = stepsPerEpoch(d.train().size(), t.batchSize());
                            if (at.epoch() != cont.epoch() || at.steps() != steps || at.step() != at.epoch() * per) {
                                throw new IllegalArgumentException(checkpoint + ": the epoch checkpoint holds epoch "
                                        + at.epoch() + ", step " + at.step() + " of " + at.steps() + ", but run "
                                        + resume.run() + " saved epoch " + cont.epoch() + " and this run's domain "
                                        + d.name() + " takes " + steps + " steps of " + per + " per epoch; run the"
                                        + " experiment again without resuming");
                            }
                            step = at.step();
                            firstWindowLoss = at.firstWindowLoss();
                            firstEpoch = at.epoch() + 1;
                            // the crops and flips of the steps done are drawn as they were, and dropped
                            batcher.skip(aug, step * Math.min(t.batchSize(), d.train().size()));
                        }
                        for (int epoch = firstEpoch; epoch <= t.epochs() && !cancelled; epoch++) {
                            int[] order = Batcher.shuffled(d.train().size(),
                                    new SplittableRandom(Seeds.derive(t.seed(), "order", di, epoch)));
                            int per = stepsPerEpoch(d.train().size(), t.batchSize());
                            double winLoss = 0;
                            long winCorrect = 0;
                            long winImages = 0;
                            long winNanos = 0;
                            int winSteps = 0;
                            patch.resetStatistics();
                            for (int b = 0; b < per && !cancelled; b++) {
                                int len = Math.min(t.batchSize(), d.train().size());
                                int[] idx = new int[len];
                                System.arraycopy(order, b * t.batchSize(), idx, 0, len);
                                double lr = Optimizer.learningRate(t.schedule(), baseLr, step, steps);
                                patch.onTrainingProgress((double) step / steps);
                                long t0 = System.nanoTime();
                                try (NDManager bm = base.newSubManager()) {
                                    NDArray x = batcher.images(bm, d.train(), idx, aug);
                                    NDArray y = Batcher.labels(bm, d.train(), idx);
                                    StepResult r = stepper.step(x, y);
                                    optimizer.step(r.grads(), lr);
                                    EngineSupport.synchronize(patch.trainable().values());
                                    patch.releaseGradients(r);
                                    winLoss += r.loss();
                                    winCorrect += r.correct();
                                }
                                long dt = System.nanoTime() - t0;
                                winNanos += dt;
                                winImages += len;
                                winSteps++;
                                step++;
                                runStep++;
                                if (!Double.isFinite(winLoss)) {
                                    throw new IllegalStateException("the loss became " + winLoss + " at step " + step
                                            + " of domain " + d.name() + "; lower the " + lrSource
                                            + " learning rate (" + baseLr + ")");
                                }
                                if (winSteps == t.logEvery() || b == per - 1) {
                                    double stepSec = winNanos / 1e9 / winSteps;
                                    stepSecondsSum += winNanos / 1e9;
                                    stepsTimed += winSteps;
                                    double windowLoss = winLoss / winSteps;
                                    run.emit(new TrainMetrics(d.name(), epoch, step, runStep, windowLoss,
                                            (double) winCorrect / winImages, lr, stepSec, winImages / (winNanos / 1e9)));
                                    if (Double.isNaN(firstWindowLoss)) {
                                        firstWindowLoss = windowLoss;
                                    } else if (!warnedRise && diverging(firstWindowLoss, windowLoss, d.numClasses())) {
                                        warnedRise = true;
                                        run.emit(new Warning(String.format(java.util.Locale.ROOT, "%s: the training loss"
                                                + " rose from %.2f to %.2f by step %d: training is diverging; lower the %s"
                                                + " learning rate (%s)", d.name(), firstWindowLoss, windowLoss, step,
                                                lrSource, baseLr)));
                                    }
                                    long peak = peaksReset ? ProcMemory.peak() : -1;
                                    if (peak >= 0 && baseline >= 0) {
                                        // a window whose peak stayed under the idle baseline took nothing
                                        // above it: 0, not "not measured"
                                        peakStep = Math.max(peakStep, Math.max(0, peak - baseline));
                                    }
                                    run.emit(new MemorySample("train", "rss", ProcMemory.rss(), peak, baseline, analytic));
                                    if (cuda.isPresent()) {
                                        long devicePeak = cuda.get().peak();
                                        cudaPeakStep = Math.max(cudaPeakStep, devicePeak - cudaBaseline);
                                        run.emit(new MemorySample("train", "cuda", cuda.get().used(), devicePeak,
                                                cudaBaseline, analytic));
                                    }
                                    emitGates(patch, d.name(), step, runStep, "train");
                                    double elapsed = run.elapsedSeconds();
                                    double eta = (elapsed - trainingSince) / runStep * (runSteps - runStep);
                                    run.emit(new Progress(di, d.name(), epoch, step, steps, runStep, runSteps,
                                            elapsed, eta));
                                    winLoss = 0;
                                    winCorrect = 0;
                                    winImages = 0;
                                    winNanos = 0;
                                    winSteps = 0;
                                    patch.resetStatistics();
                                }
                            }
                            String blown = cancelled ? null : nonFinite(patch);
                            if (blown != null) {
                                // a step's loss comes before its update, so the epoch's last update is checked here
                                throw new IllegalStateException("the trained weights became NaN or infinite ("
                                        + blown + ") at step " + step + " of domain " + d.name() + "; lower the "
                                        + lrSource + " learning rate (" + baseLr + ")");
                            }
                            if (!cancelled) {
                                patch.resetStatistics();
                                // the evaluation's batches (eval_batch_size, no graph) have a peak of
                                // their own: measured as its own phase, and kept out of the training
                                // peak that the next epoch's samples report
                                ProcMemory.resetPeak();
                                long c = Evaluator.correct(patch, batcher, d.test(), t.evalBatchSize(), base);
                                run.emit(new MemorySample("eval", "rss", ProcMemory.rss(),
                                        peaksReset ? ProcMemory.peak() : -1, baseline, -1));
                                run.emit(new Evaluation(d.name(), di, di, epoch, "test",
                                        (double) c / d.test().size(), c, d.test().size(), false));
                                emitGates(patch, d.name(), -1, runStep, "eval");
                                if (epoch < t.epochs()) {
                                    // between the evaluation's reading and the next training window's:
                                    // the write's few buffers are counted in neither
                                    long t0 = System.nanoTime();
                                    EpochCheckpoint.save(checkpoint, patch, optimizer, new EpochCheckpoint.Position(
                                            epoch, step, steps, firstWindowLoss), base);
                                    String sha = sha256(checkpoint);
                                    run.emit(new EpochCheckpointSaved(d.name(), epoch, step,
                                            outputDir.relativize(checkpoint).toString(), Files.size(checkpoint), sha,
                                            (System.nanoTime() - t0) / 1e9));
                                }
                                ProcMemory.resetPeak();
                                if (cuda.isPresent()) {
                                    cuda.get().resetPeak();
                                }
                            }
                        }
                    }
                    if (cancelled) {
                        break;
                    }
                    Weights.save(patch.state(), file);
                    long bytes = Files.size(file);
                    patchBytes.put(d.name(), bytes);
                    run.emit(new CheckpointSaved(d.name(), outputDir.relativize(file).toString(), bytes,
                            patch.trainableCount(), sha256(file)));
                    // the domain is done: its patch stands for it now
                    removeCheckpoint(checkpoint);
                }
                // The training split is no longer needed; keep the test split for re-evaluation.
                seen.add(new Seen(testOnly(d), batcher, file));
                loaded.set(di, null);
                evaluateSeen(backbone, method, methodSpec, seen, di, base, finalAcc);
            }
            String after = Weights.checksum(backbone);
            summary.put("backbone_checksum_after", after);
            if (!after.equals(checksum)) {
                run.emit(new Warning("the shared backbone changed during the run (checksum " + checksum + " -> "
                        + after + "); method " + methodSpec.name() + " must not modify it"));
            }
        }
        summary.put("final_accuracy", finalAcc);
        double mean = finalAcc.values().stream().mapToDouble(v -> (Double) v).average().orElse(Double.NaN);
        summary.put("mean_accuracy", mean);
        summary.put("trainable_params", trainable);
        summary.put("patch_bytes", patchBytes);
        summary.put("step_seconds", stepsTimed == 0 ? null : stepSecondsSum / stepsTimed);
        summary.put("peak_step_bytes", peakStep);
        summary.put("allocator", t.allocator());
        if (cuda.isPresent()) {
            summary.put("peak_step_device_bytes", cudaPeakStep);
        }
        summary.put("idle_baseline_bytes", baseline);
        summary.put("analytic_step_bytes", analyticMax);
        summary.put("dataset_fingerprints", fingerprints);
        Map<String, Object> macs = new LinkedHashMap<>();
        Map<String, Object> sparsity = new LinkedHashMap<>();
        Map<String, Object> latency = new LinkedHashMap<>();
        Object macsFull = null;
        for (InferenceStats st : inference.values()) {
            macs.put(st.domain(), st.macsPerImage());
            macsFull = st.macsFull();
            if (!Double.isNaN(st.openRatio())) {
                sparsity.put(st.domain(), 1 - st.openRatio());
            }
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("skip", st.msPerImageSkip());
            l.put("full", st.msPerImageFull());
            latency.put(st.domain(), l);
        }
        summary.put("macs_per_image", macs);
        summary.put("macs_per_image_full", macsFull);
        summary.put("gate_sparsity", sparsity);
        summary.put("latency_ms", latency);
        summary.put("status", cancelled ? RunFinished.CANCELLED : RunFinished.COMPLETED);
        return summary;
    }

    /**
     * The epoch checkpoint a domain continues from, or null when it trains from its first epoch (none
     * given, another domain's, or its data changed).
     */
    private ResumeFrom.Checkpoint continued(String domain) {
        ResumeFrom.Checkpoint c = resume == null ? null : resume.checkpoint();
        return c == null || !c.domain().equals(domain) || retrain.contains(domain) ? null : c;
    }

    /** The SHA-256 of a domain's reused patch, or null when the domain is trained. */
    private String reusedSha(String domain) {
        return resume == null || retrain.contains(domain) ? null : resume.patches().get(domain);
    }

    /** A domain with its test split only (the training split is no longer needed). */
    private static Domain testOnly(Domain d) {
        return new Domain(d.name(), d.classNames(), d.test().limit(1), d.test(), d.mean(), d.std(), d.skipped());
    }

    /**
     * Takes over a domain's patch from the run this one resumes (checked by {@link #resuming}):
     * reports the domain, with no training steps, and its checkpoint.
     *
     * @return the scalars the method trains for the domain
     */
    private long takeOver(Method method, MethodSpec methodSpec, ResNet backbone, Domain d, int di, Path file,
            String sha, NDManager base) throws IOException {
        TrainingSpec t = spec.training();
        try (Patch patch = method.create(new PatchContext(backbone, d.numClasses(), methodSpec, base.newSubManager(),
                Seeds.derive(t.seed(), "patch", di), t.imageSize()))) {
            long count = patch.trainableCount();
            run.emit(new DomainStarted(di, d.name(), d.numClasses(), d.train().size(), d.test().size(), 0, count,
                    d.fingerprint(), resume.run(), null, null));
            run.emit(new CheckpointSaved(d.name(), outputDir.relativize(file).toString(), Files.size(file), count,
                    sha));
            return count;
        }
    }

    /** Evaluates every domain seen so far from its saved patch, after domain {@code di}. */
    private void evaluateSeen(ResNet backbone, Method method, MethodSpec methodSpec, List<Seen> seen, int di,
            NDManager base, Map<String, Object> finalAcc) throws IOException {
        for (int si = 0; si < seen.size(); si++) {
            Seen s = seen.get(si);
            finalAcc.put(s.domain().name(), evaluateFromCheckpoint(backbone, method, methodSpec, s, si, di, base));
        }
    }

    /**
     * The analytic training-step memory of this run's method (see memory.Profiler), for the live
     * chart's prediction line and the summary; -1 when the method has no model.
     */
    private long analyticStepBytes(MethodSpec methodSpec, int classes) {
        TrainingSpec t = spec.training();
        try {
            return org.da3.workbench.memory.Profiler.profile(spec.backbone().name(), spec.backbone().width(), methodSpec,
                    classes, t.batchSize(), t.imageSize(), t.optimizer(), t.momentum(), 1.0).stepBytes();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * One training step of the method on a scratch patch, closed afterwards: the engine's one-time
     * state for the step's shapes (kernels, primitive caches, JIT code) then belongs to the idle
     * baseline, and the measured peaks are the training memory proper.
     */
    private void warmUp(Method method, MethodSpec methodSpec, ResNet backbone, Domain d, Batcher batcher,
            NDManager base) {
        TrainingSpec t = spec.training();
        int len = Math.min(t.batchSize(), d.train().size());
        int[] idx = new int[len];
        for (int i = 0; i < len; i++) {
            idx[i] = i;
        }
        try (Patch scratch = method.create(new PatchContext(backbone, d.numClasses(), methodSpec, base.newSubManager(),
                Seeds.derive(t.seed(), "warm-up"), t.imageSize()));
                Optimizer o = new Optimizer(methodSpec.text("optimizer", t.optimizer()), scratch.trainable(),
                        t.momentum(), 0);
                NDManager bm = base.newSubManager()) {
            NDArray x = batcher.images(bm, d.train(), idx, null);
            NDArray y = Batcher.labels(bm, d.train(), idx);
            scratch.logits(x, false).close();
            StepResult r = new TrainStepper(scratch).step(x, y);
            o.step(r.grads(), 0);
            scratch.releaseGradients(r);
            // one evaluation batch too: what the engine keeps for that shape (kernels, scratch
            // buffers) then sits in the idle baseline, not in the training readings after the
            // first evaluation
            scratch.resetStatistics();
            Evaluator.correct(scratch, batcher, d.test().limit(Math.min(t.evalBatchSize(), d.test().size())),
                    t.evalBatchSize(), base);
        }
    }

    private double evaluateFromCheckpoint(ResNet backbone, Method method, MethodSpec methodSpec, Seen s,
            int domainIndex, int afterDomain, NDManager base) throws IOException {
        Domain d = s.domain();
        try (Patch fresh = method.create(new PatchContext(backbone, d.numClasses(), methodSpec, base.newSubManager(),
                Seeds.derive(spec.training().seed(), "patch", domainIndex), spec.training().imageSize()));
                NDManager tmp = base.newSubManager()) {
            fresh.load(Weights.load(s.patch(), tmp), s.patch().toString());
            fresh.resetStatistics();
            long c = Evaluator.correct(fresh, s.batcher(), d.test(), spec.training().evalBatchSize(), base);
            double acc = (double) c / d.test().size();
            run.emit(new Evaluation(d.name(), domainIndex, afterDomain, 0, "test", acc, c, d.test().size(), true));
            emitGates(fresh, d.name(), -1, -1, "eval");
            if (afterDomain == domainIndex) {
                profileInference(fresh, s, base);
            }
            return acc;
        }
    }

    /**
     * Measures a freshly loaded patch's inference cost on its test split: MACs per image from the
     * measured gate open ratios, and latency with and without skipping closed gates.
     */
    private void profileInference(Patch patch, Seen s, NDManager base) {
        Domain d = s.domain();
        int size = spec.training().imageSize();
        int bs = spec.training().evalBatchSize();
        long full = patch.backbone().macs(size);
        // each latency is the faster of two passes over the test split: a single pass carries the
        // engine's first-call costs and the machine's hiccups (two runs of one network measured 0.9
        // and 2.9 ms per image that way)
        patch.setSkipping(false);
        double msFull = fasterPassMs(patch, s, bs, base);
        double msSkip = msFull;
        patch.setSkipping(true);
        patch.resetStatistics();
        if (patch.canSkip()) {
            msSkip = fasterPassMs(patch, s, bs, base);
        } else {
            Evaluator.correct(patch, s.batcher(), d.test(), bs, base);
        }
        Object open = patch.statistics().get("gate_open_ratio");
        double openRatio = open instanceof Double ? (Double) open : Double.NaN;
        long macs = patch.macsPerImage(size);
        inference.put(d.name(), new InferenceStats(d.name(), macs, full, openRatio, msSkip, msFull, d.test().size(), bs));
        run.emit(inference.get(d.name()));
    }

    /** Milliseconds per image of the faster of two passes over the domain's test split. */
    private static double fasterPassMs(Patch patch, Seen s, int batchSize, NDManager base) {
        Domain d = s.domain();
        double ms = Double.POSITIVE_INFINITY;
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            Evaluator.correct(patch, s.batcher(), d.test(), batchSize, base);
            ms = Math.min(ms, (System.nanoTime() - t0) / 1e6 / d.test().size());
        }
        return ms;
    }

    /**
     * The first of a patch's trained or saved floating-point arrays that holds NaN or an infinity.
     *
     * @param patch the patch
     * @return the array's name, or null when every value is finite
     */
    static String nonFinite(Patch patch) {
        for (Map<String, NDArray> arrays : List.of(patch.trainable(), patch.buffers())) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                NDArray a = e.getValue();
                if (!a.getDataType().isFloating()) {
                    continue;
                }
                // x - x is 0 for every finite x, NaN for NaN and the infinities
                try (NDArray zero = a.sub(a); NDArray nan = zero.isNaN(); NDArray any = nan.any()) {
                    if (any.getBoolean()) {
                        return e.getKey();
                    }
                }
            }
        }
        return null;
    }

    /**
     * Whether a domain's training loss has run away: five times its first logged window and three
     * times chance level's cross-entropy, ln(classes), so ordinary noise and a budget term do not
     * set it off.
     *
     * @param first the first window's mean loss
     * @param now this window's
     * @param classes the domain's classes
     * @return true when training is diverging
     */
    static boolean diverging(double first, double now, int classes) {
        return now > 5 * first && now > 3 * Math.log(Math.max(2, classes));
    }

    private final Map<String, InferenceStats> inference = new LinkedHashMap<>();
    /** Whether VmHWM can be reset, so that it reads the peak of each phase (false: not measured). */
    private boolean peaksReset = true;

    private void emitGates(Patch patch, String domain, long step, long runStep, String phase) {
        Map<String, Object> stats = patch.statistics();
        Object open = stats.get("gate_open_ratio");
        Object per = stats.get("gate_open_per_block");
        if (open instanceof Double && per instanceof List) {
            List<Double> blocks = new ArrayList<>();
            for (Object o : (List<?>) per) {
                blocks.add(((Number) o).doubleValue());
            }
            run.emit(new GateStats(domain, step, runStep, (Double) open, blocks, phase));
        }
    }

    /**
     * Steps per epoch: full batches only (a last partial batch is dropped, as BN needs more than
     * one sample), at least one.
     *
     * @param n training images
     * @param batch batch size
     * @return steps
     */
    public static int stepsPerEpoch(int n, int batch) {
        return Math.max(1, n / batch);
    }

    /**
     * The SHA-256 of a file, hex.
     *
     * @param file the file
     * @return the digest
     * @throws IOException if it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            DigestInputStream din = (DigestInputStream) in;
            while (din.read(buf) >= 0) {
                // reading feeds the digest
            }
            return HexFormat.of().formatHex(din.getMessageDigest().digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
