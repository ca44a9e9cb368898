package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.Batcher;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.data.Split;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.Weights;
import org.da3.workbench.spec.AugmentationSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training with the real engine on tiny networks and tiny procedural domains. */
class TrainingTest {
    @TempDir
    static Path dir;
    static Domain domain;

    @BeforeAll
    static void setUp() throws IOException {
        EngineSupport.start(2);
        Workspace ws = TestWorkspace.create(dir, 320, 160);
        domain = DomainSources.load(ws.datasets().get("tiny-textures"), new LoadOptions(16, 0, 0, false));
    }

    private static ResNet backbone(NDManager m) {
        ResNet net = ResNet.resnet26(8);
        net.allocate(m, 11);
        return net;
    }

    private static Patch patch(String method, ResNet net, NDManager m, double lr) {
        return MethodRegistry.get(method).create(new PatchContext(net, domain.numClasses(),
                new MethodSpec(method, Map.of("learning_rate", lr), null), m.newSubManager(), 3, 16));
    }

    private static double accuracy(Patch p, NDManager m) {
        return accuracy(p, m, domain.test());
    }

    private static double accuracy(Patch p, NDManager m, Split split) {
        Batcher b = new Batcher(domain, AugmentationSpec.NONE);
        return (double) Evaluator.correct(p, b, split, 80, m) / split.size();
    }

    private static void train(Patch p, NDManager m, int epochs, double lr) {
        Batcher b = new Batcher(domain, AugmentationSpec.NONE);
        try (Optimizer opt = new Optimizer("sgd", p.trainable(), 0.9, 0)) {
            SplittableRandom order = new SplittableRandom(1);
            for (int e = 0; e < epochs; e++) {
                int[] perm = Batcher.shuffled(domain.train().size(), order);
                for (int s = 0; s + 32 <= perm.length; s += 32) {
                    int[] idx = java.util.Arrays.copyOfRange(perm, s, s + 32);
                    try (NDManager bm = m.newSubManager()) {
                        NDArray x = b.images(bm, domain.train(), idx, null);
                        NDArray y = Batcher.labels(bm, domain.train(), idx);
                        StepResult r = p.trainStep(x, y);
                        opt.step(r.grads(), lr);
                        p.releaseGradients(r);
                    }
                }
            }
        }
    }

    @Test
    void aTinyTrainingRunRaisesAccuracy() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = backbone(m);
            try (Patch p = patch("finetune", net, m, 0.02)) {
                double trainBefore = accuracy(p, m, domain.train());
                train(p, m, 6, 0.02);
                // chance is 0.1. The training set is what the gradient path optimises: a working one
                // lifts a from-scratch tiny network well above chance there (0.6 to 0.68 measured);
                // 160 held-out images of 320 seen generalise less and swing more with rounding
                // (0.22 to 0.36 at a higher learning rate), so they only have to beat chance
                assertThat(accuracy(p, m, domain.train())).isGreaterThan(trainBefore + 0.3).isGreaterThan(0.45);
                assertThat(accuracy(p, m)).isGreaterThan(0.15);
            }
        }
    }

    @Test
    void fineTuneTrainsItsOwnCopyWhileLinearProbeLeavesTheBackboneBitIdentical() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = backbone(m);
            String before = Weights.checksum(net);
            float[] conv1Before = net.conv1().weight().getArray().toFloatArray();
            try (Patch ft = patch("finetune", net, m, 0.05)) {
                train(ft, m, 1, 0.05);
                float[] copy = ft.trainable().get("conv1.weight").toFloatArray();
                assertThat(copy).isNotEqualTo(conv1Before);
                assertThat(ft.buffers().get("bn1.running_mean").toFloatArray())
                        .isNotEqualTo(net.bn1().frozen().runningMean().toFloatArray());
            }
            assertThat(Weights.checksum(net)).isEqualTo(before);
            try (Patch lin = patch("linear", net, m, 0.1)) {
                float[] head = lin.trainable().get("fc.weight").toFloatArray();
                train(lin, m, 1, 0.1);
                assertThat(lin.trainable().get("fc.weight").toFloatArray()).isNotEqualTo(head);
                assertThat(lin.trainable()).containsOnlyKeys("fc.weight", "fc.bias");
            }
            assertThat(Weights.checksum(net)).isEqualTo(before);
        }
    }

    @Test
    void aSavedPatchLoadedFreshReproducesPredictionsExactly(@TempDir Path out) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = backbone(m);
            Path file = out.resolve("p.safetensors");
            float[] expected;
            try (Patch p = patch("finetune", net, m, 0.05); NDManager bm = m.newSubManager()) {
                train(p, m, 1, 0.05);
                Weights.save(p.state(), file);
                NDArray x = new Batcher(domain, AugmentationSpec.NONE).images(bm, domain.test(), new int[] {0, 1, 2, 3}, null);
                expected = p.logits(x, false).toFloatArray();
            }
            try (Patch q = patch("finetune", net, m, 0.05); NDManager bm = m.newSubManager()) {
                q.load(Weights.load(file, bm), file.toString());
                NDArray x = new Batcher(domain, AugmentationSpec.NONE).images(bm, domain.test(), new int[] {0, 1, 2, 3}, null);
                assertThat(q.logits(x, false).toFloatArray()).containsExactly(expected);
            }
        }
    }

    @Test
    void aRunawayLossIsTellableFromNoise() {
        // the walkthrough's run: 1.12 at first, 21.0 later, ten classes
        assertThat(MultiDomainRun.diverging(1.12, 21.0, 10)).isTrue();
        assertThat(MultiDomainRun.diverging(7.45, 37.72, 10)).isTrue();
        // a noisy window, or a loss high only against a tiny first one
        assertThat(MultiDomainRun.diverging(2.3, 4.0, 10)).isFalse();
        assertThat(MultiDomainRun.diverging(0.05, 1.5, 10)).as("below three times chance level").isFalse();
        assertThat(MultiDomainRun.diverging(0.4, 2.5, 2)).as("two classes: chance is ln 2").isTrue();
    }
}
