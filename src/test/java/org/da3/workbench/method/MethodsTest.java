package org.da3.workbench.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.da3.workbench.nn.Adaptation;
import org.da3.workbench.nn.ConvLayer;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.Weights;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.train.EngineSupport;
import org.da3.workbench.train.Optimizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every method of the registry on a tiny ResNet-26 with the real engine. */
class MethodsTest {
    static NDManager base;
    static ResNet net;
    static final int CLASSES = 5;

    @BeforeAll
    static void setUp() {
        EngineSupport.start(2);
        base = NDManager.newBaseManager();
        net = ResNet.resnet26(8);
        net.allocate(base, 5);
        // non-trivial BN statistics, so "frozen" and "batch statistics" differ
        int i = 0;
        for (Parameter p : net.stateDict().values()) {
            if (p.getName().equals("running_mean")) {
                p.getArray().set(base.randomNormal(0, 0.1f, p.getArray().getShape(), p.getArray().getDataType())
                        .toFloatArray());
            } else if (p.getName().equals("running_var")) {
                p.getArray().set(base.randomUniform(0.5f, 1.5f, p.getArray().getShape()).toFloatArray());
            }
            i++;
        }
    }

    @AfterAll
    static void tearDown() {
        base.close();
    }

    static List<String> methods() {
        return MethodCatalog.names();
    }

    private static Patch patch(String name, NDManager m, Map<String, Object> options) {
        return MethodRegistry.get(name).create(new PatchContext(net, CLASSES, new MethodSpec(name, options, null),
                m.newSubManager(), 9, 16));
    }

    private static NDArray images(NDManager m, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        return m.randomNormal(new Shape(6, 3, 16, 16));
    }

    private static void train(Patch p, NDManager m, int steps) {
        try (Optimizer opt = new Optimizer("sgd", p.trainable(), 0.9, 0)) {
            for (int s = 0; s < steps; s++) {
                try (NDManager bm = m.newSubManager()) {
                    NDArray x = images(bm, 100 + s);
                    NDArray y = bm.create(new int[] {0, 1, 2, 3, 4, 0});
                    StepResult r = p.trainStep(x, y);
                    assertThat(r.loss()).isFinite();
                    opt.step(r.grads(), 0.05);
                    p.releaseGradients(r);
                }
            }
        }
    }

    @Test
    void theRegistryImplementsEveryCatalogMethod() {
        assertThat(MethodRegistry.names()).containsExactlyElementsOf(MethodCatalog.names());
    }

    @ParameterizedTest
    @MethodSource("methods")
    void logitsHaveOneRowPerImageAndOneColumnPerClass(String name) {
        try (NDManager m = base.newSubManager(); Patch p = patch(name, m, Map.of())) {
            assertThat(p.logits(images(m, 1), true).getShape()).isEqualTo(new Shape(6, CLASSES));
            assertThat(p.logits(images(m, 1), false).getShape()).isEqualTo(new Shape(6, CLASSES));
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void onlyTheMethodsOwnArraysTrainAndTheBackboneStaysBitIdentical(String name) {
        String before = Weights.checksum(net);
        Set<NDArray> backbone = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : net.stateDict().values()) {
            backbone.add(p.getArray());
        }
        try (NDManager m = base.newSubManager(); Patch p = patch(name, m, Map.of())) {
            assertThat(p.trainable().values()).noneMatch(backbone::contains);
            assertThat(p.trainable()).containsKeys(Patch.HEAD + ".weight", Patch.HEAD + ".bias");
            assertThat(p.trainableCount()).isPositive();
            if (!name.equals("finetune")) {
                assertThat(p.trainableCount()).isLessThan(net.parameterCount());
            }
            train(p, m, 3);
        }
        assertThat(Weights.checksum(net)).as("the shared backbone after training %s", name).isEqualTo(before);
        for (Parameter p : net.stateDict().values()) {
            assertThat(p.getArray().hasGradient()).as(p.getName()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void beforeTrainingEveryMethodComputesExactlyWhatTheBackboneComputes(String name) {
        try (NDManager m = base.newSubManager(); Patch p = patch(name, m, Map.of())) {
            NDArray x = images(m, 3);
            float[] plain = net.features(x, Adaptation.NONE, false).toFloatArray();
            float[] patched = net.features(x, p, false).toFloatArray();
            assertThat(patched).as(name).containsExactly(plain, within(1e-6f));
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void aSavedPatchReloadedOnTheBackboneGivesTheSameLogits(String name, @TempDir Path dir) throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        float[] expected;
        try (NDManager m = base.newSubManager(); Patch p = patch(name, m, Map.of())) {
            train(p, m, 2);
            Weights.save(p.state(), file);
            expected = p.logits(images(m, 7), false).toFloatArray();
        }
        try (NDManager m = base.newSubManager(); Patch q = patch(name, m, Map.of())) {
            q.load(Weights.load(file, m), file.toString());
            assertThat(q.logits(images(m, 7), false).toFloatArray()).containsExactly(expected);
        }
    }

    @Test
    void frozenBatchNormKeepsItsStatisticsThroughTraining() {
        float[] mean = net.bn1().frozen().runningMean().toFloatArray();
        float[] var = net.blocks().get(3).bns().get(1).frozen().runningVar().toFloatArray();
        for (String name : List.of("linear", "piggyback", "lite-residual", "da3")) {
            try (NDManager m = base.newSubManager(); Patch p = patch(name, m, Map.of())) {
                train(p, m, 3);
                assertThat(p.bn(net.bn1()).runningMean().toFloatArray()).as(name).containsExactly(mean);
                assertThat(p.bn(net.blocks().get(3).bns().get(1)).runningVar().toFloatArray()).as(name)
                        .containsExactly(var);
            }
        }
        // methods with per-domain BN update their own copies, never the backbone's
        try (NDManager m = base.newSubManager(); Patch p = patch("bn+last", m, Map.of())) {
            train(p, m, 3);
            assertThat(p.bn(net.bn1()).runningMean().toFloatArray()).isNotEqualTo(mean);
        }
        assertThat(net.bn1().frozen().runningMean().toFloatArray()).containsExactly(mean);
    }

    @Test
    void piggybackUsesTheWeightTimesTheBinarisedMaskAndPassesGradientsStraightThrough() {
        try (NDManager m = base.newSubManager();
                Piggyback.PiggybackPatch p = (Piggyback.PiggybackPatch) patch("piggyback", m, Map.of())) {
            ConvLayer conv = net.blocks().get(1).convs().get(0);
            NDArray mask = p.trainable().get("mask." + conv.path());
            float[] values = m.randomUniform(-0.01f, 0.02f, mask.getShape()).toFloatArray();
            mask.set(values);
            float[] w = conv.weight().getArray().toFloatArray();
            float[] eff = p.convWeight(conv).toFloatArray();
            for (int i = 0; i < w.length; i++) {
                assertThat(eff[i]).isEqualTo(values[i] > 5e-3f ? w[i] : 0f);
            }
            // straight-through: dL/dm = dL/dW' * W, whatever the binarisation
            NDArray r = m.randomNormal(conv.weightShape());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray wEff = p.convWeight(conv);
                gc.backward(wEff.mul(r).sum());
            }
            float[] grad = mask.getGradient().toFloatArray();
            float[] rr = r.toFloatArray();
            for (int i = 0; i < w.length; i++) {
                assertThat(grad[i]).isCloseTo(rr[i] * w[i], within(1e-6f));
            }
        }
    }

    @Test
    void da3GateGradientIsTheStraightThroughSurrogateOfTheMainPathMeans() {
        try (NDManager m = base.newSubManager()) {
            NDArray z = m.create(new float[] {0.3f, -1.2f}, new Shape(2, 1));
            z.setRequiresGradient(true);
            NDArray mainMean = m.randomNormal(new Shape(2, 4));
            NDArray g = m.randomNormal(new Shape(2, 4, 3, 3));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray sur = Da3.Module.gateSurrogate(z, mainMean);
                for (float v : sur.toFloatArray()) {
                    assertThat(v == 0f).isTrue();
                }
                NDArray y = sur.add(m.zeros(new Shape(2, 4, 3, 3)));
                gc.backward(y.mul(g).sum());
            }
            float[] dz = z.getGradient().toFloatArray();
            float[] mm = mainMean.toFloatArray();
            float[] gg = g.toFloatArray();
            float[] zz = {0.3f, -1.2f};
            for (int n = 0; n < 2; n++) {
                double sig = 1 / (1 + Math.exp(-zz[n]));
                double expected = 0;
                for (int c = 0; c < 4; c++) {
                    double gsum = 0;
                    for (int k = 0; k < 9; k++) {
                        gsum += gg[(n * 4 + c) * 9 + k];
                    }
                    expected += gsum * mm[n * 4 + c];
                }
                expected *= sig * (1 - sig);
                assertThat((double) dz[n]).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void da3ClosedGatesSkipTheMainPathAndGiveTheSameOutputsAsComputingIt() {
        try (NDManager m = base.newSubManager();
                Da3.Da3Patch p = (Da3.Da3Patch) patch("da3", m, Map.of())) {
            // close the gates of about half the samples in every block: random gate weights, bias 0
            for (Da3.Module mod : p.modules()) {
                if (mod.gated) {
                    mod.wg.set(m.randomNormal(mod.wg.getShape()).toFloatArray());
                    mod.cg.set(new float[] {0f});
                }
                mod.w2.set(m.randomNormal(0, 0.1f, mod.w2.getShape(), mod.w2.getDataType()).toFloatArray());
            }
            NDArray x = images(m, 11);
            p.setSkipping(false);
            p.resetStatistics();
            float[] full = p.logits(x, false).toFloatArray();
            List<Double> open = p.openPerBlock();
            p.setSkipping(true);
            float[] skipped = p.logits(x, false).toFloatArray();
            assertThat(skipped).containsExactly(full, within(1e-5f));
            assertThat(open).anyMatch(o -> o < 1.0);
            long fullMacs = p.macsPerImage(16, java.util.Collections.nCopies(open.size(), 1.0));
            assertThat(p.macsPerImage(16, open)).isLessThan(fullMacs);
        }
    }

    /**
     * F(s), what a closed gate puts in place of the main path, is the main path of an image that
     * is constant over space with value s: at the centre of such an image no tap reaches the
     * padding, so the real convolutions give exactly the tap-summed weights' product.
     */
    @Test
    void da3PooledMainIsTheMainPathOfAConstantImageAtItsCentre() {
        try (NDManager m = base.newSubManager(); Da3.Da3Patch p = (Da3.Da3Patch) patch("da3", m, Map.of())) {
            assertPooledMainIsTheCentre(p, m);
        }
        // bottlenecks: 1x1 convs, whose summed weight is the weight itself
        ResNet r50 = ResNet.resnet50(4);
        try (NDManager m = base.newSubManager()) {
            r50.allocate(m, 5);
            for (Parameter q : r50.stateDict().values()) {
                if (q.getName().equals("running_var")) {
                    q.getArray().set(m.randomUniform(0.5f, 1.5f, q.getArray().getShape()).toFloatArray());
                }
            }
            try (Da3.Da3Patch p = (Da3.Da3Patch) MethodRegistry.get("da3").create(new PatchContext(r50, CLASSES,
                    new MethodSpec("da3", Map.of(), null), m.newSubManager(), 9, 16))) {
                assertPooledMainIsTheCentre(p, m);
            }
        }
    }

    private static void assertPooledMainIsTheCentre(Da3.Da3Patch p, NDManager m) {
        for (Da3.Module mod : p.modules()) {
            org.da3.workbench.nn.ResidualBlock b = mod.block();
            NDArray s = m.randomNormal(new Shape(2, b.inChannels()));
            NDArray x = s.reshape(2, b.inChannels(), 1, 1).broadcast(new Shape(2, b.inChannels(), 9, 9)).duplicate();
            NDArray f = b.main(x, p, false);
            long c = f.getShape().get(2) / 2;
            float[] centre = f.get(":, :, " + c + ", " + c).toFloatArray();
            assertThat(mod.pooledMain(s).toFloatArray()).as(b.path()).containsExactly(centre, within(1e-4f));
        }
    }

    /** Benchmarks set the gates to a trained state: the open ratio they ask for, in every gated block. */
    @Test
    void da3GateCalibrationOpensTheRequestedShareOfEveryGatedBlock() {
        try (NDManager m = base.newSubManager(); Da3.Da3Patch p = (Da3.Da3Patch) patch("da3", m, Map.of())) {
            NDArray x = m.randomNormal(new Shape(20, 3, 16, 16));
            String gateBias = p.trainable().keySet().stream().filter(k -> k.endsWith(".gate.bias")).findFirst().orElseThrow();
            assertThat(p.learningRateScale(gateBias)).isEqualTo(1.0);
            assertThat(p.calibrateGates(x, 0.7)).isTrue();
            // held where they were set: the gates no longer learn
            assertThat(p.learningRateScale(gateBias)).isEqualTo(0.0);
            p.resetStatistics();
            p.logits(x, false).close();
            List<Double> open = p.openPerBlock();
            for (int i = 0; i < open.size(); i++) {
                if (p.modules().get(i).gated) {
                    assertThat(open.get(i)).isEqualTo(14 / 20.0);
                } else {
                    assertThat(open.get(i)).isEqualTo(1.0);
                }
            }
            assertThatThrownBy(() -> p.calibrateGates(x, 1.5)).hasMessageContaining("1.5");
        }
        try (NDManager m = base.newSubManager(); Patch p = patch("finetune", m, Map.of())) {
            assertThat(p.calibrateGates(m.zeros(new Shape(2, 3, 16, 16)), 0.7)).isFalse();
        }
    }

    /** The budget's warm-up ramps its weight, or with budget_ramp: rho its target open ratio. */
    @Test
    void da3BudgetRampsItsWeightOrItsTarget() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (Patch p = patch("da3", m, Map.of())) {
                p.onTrainingProgress(0.25);
                assertThat(p.budget()).containsExactly(10.0, 0.7);
                p.onTrainingProgress(0.9);
                assertThat(p.budget()).containsExactly(20.0, 0.7);
            }
            try (Patch p = patch("da3", m, Map.of("budget_ramp", "rho", "budget_warmup", 0.8))) {
                p.onTrainingProgress(0.4);
                assertThat(p.budget()[0]).isEqualTo(20.0);
                assertThat(p.budget()[1]).isCloseTo(0.85, within(1e-12));
                p.onTrainingProgress(1.0);
                assertThat(p.budget()[1]).isCloseTo(0.7, within(1e-12));
            }
        }
    }

    /**
     * DA3 holds a gate only on the blocks it gates: by default those with an identity shortcut, not
     * the blocks that downsample (which run every sample); with gate_blocks: all, every block. The
     * profiler counts the same parameters.
     */
    @Test
    void da3HasGateTensorsOnlyOnGatedBlocks() {
        try (NDManager m = base.newSubManager();
                Da3.Da3Patch identity = (Da3.Da3Patch) patch("da3", m, Map.of());
                Da3.Da3Patch all = (Da3.Da3Patch) patch("da3", m, Map.of("gate_blocks", "all"))) {
            assertThat(identity.modules()).anyMatch(mod -> !mod.gated).anyMatch(mod -> mod.gated);
            for (Da3.Module mod : identity.modules()) {
                String prefix = "da3." + mod.block().path() + ".gate.";
                assertThat(mod.gated).as(mod.block().path()).isEqualTo(mod.block().downConv() == null);
                assertThat(identity.state().keySet().stream().filter(k -> k.startsWith(prefix)).count())
                        .as(prefix).isEqualTo(mod.gated ? 2 : 0);
                assertThat(all.state()).as(prefix).containsKeys(prefix + "weight", prefix + "bias");
            }
            long ungatedInputs = identity.modules().stream().filter(mod -> !mod.gated)
                    .mapToLong(mod -> mod.block().inChannels() + 1).sum();
            assertThat(all.trainableCount() - identity.trainableCount()).isEqualTo(ungatedInputs);
            // a patch saved with gates on every block (as DA3 saved them before) still loads
            identity.load(all.state(), "older.safetensors");
            for (Map<String, Object> o : List.of(Map.<String, Object>of(), Map.<String, Object>of("gate_blocks", "all"))) {
                long counted = org.da3.workbench.memory.Profiler.profile(net.arch(), net.width(),
                        new MethodSpec("da3", o, null), CLASSES, 6, 16, "sgd", 0.9, 1.0).trainableParams();
                try (Patch p = patch("da3", m, o)) {
                    assertThat(counted).as(o.toString()).isEqualTo(p.trainableCount());
                }
            }
        }
    }

    /**
     * A DA3 ablation trains, saves and counts only the parts it keeps: without attention and gates it
     * is the linear probe's head; channel attention alone has no spatial tensors; the full DA3's
     * count is that sum plus the spatial and gate parts. The parts it keeps start as DA3's do.
     */
    @Test
    void aDa3AblationHasOnlyThePartsItKeeps() {
        try (NDManager m = base.newSubManager();
                Patch full = patch("da3", m, Map.of());
                Patch none = patch("da3", m, Map.of("attention", "none", "gates", false));
                Patch channel = patch("da3", m, Map.of("attention", "channel", "gates", false));
                Patch linear = patch("linear", m, Map.of())) {
            assertThat(none.trainableCount()).isEqualTo(linear.trainableCount());
            assertThat(none.state().keySet()).noneMatch(k -> k.startsWith("da3."));
            assertThat(channel.state().keySet()).anyMatch(k -> k.contains(".channel."))
                    .noneMatch(k -> k.contains(".spatial.") || k.contains(".gate."));
            assertThat(full.state().keySet()).anyMatch(k -> k.contains(".spatial."))
                    .anyMatch(k -> k.contains(".gate."));
            assertThat(full.trainableCount()).isGreaterThan(channel.trainableCount());
            String w1 = channel.state().keySet().stream().filter(k -> k.endsWith(".channel.fc1.weight")).findFirst()
                    .orElseThrow();
            assertThat(channel.state().get(w1).toFloatArray()).as("initialised as the full DA3's")
                    .containsExactly(full.state().get(w1).toFloatArray());
            // the profiler counts the same
            for (Map<String, Object> o : List.of(Map.<String, Object>of(), Map.<String, Object>of("attention", "none",
                    "gates", false), Map.<String, Object>of("attention", "channel", "gates", false))) {
                long counted = org.da3.workbench.memory.Profiler.profile(net.arch(), net.width(),
                        new MethodSpec("da3", o, null), CLASSES, 6, 16, "sgd", 0.9, 1.0).trainableParams();
                try (Patch p = patch("da3", m, o)) {
                    assertThat(counted).as(o.toString()).isEqualTo(p.trainableCount());
                }
            }
        }
    }
}
