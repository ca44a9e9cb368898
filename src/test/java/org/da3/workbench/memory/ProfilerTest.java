package org.da3.workbench.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.train.EngineSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfilerTest {
    @BeforeAll
    static void start() {
        EngineSupport.start(1);
    }

    static List<String> methods() {
        return MethodCatalog.names();
    }

    @ParameterizedTest
    @MethodSource("methods")
    void analyticParameterCountsEqualTheRealPatches(String method) {
        for (String arch : new String[] {"resnet26", "resnet50"}) {
            int width = arch.equals("resnet26") ? 16 : 8;
            MethodSpec ms = new MethodSpec(method, Map.of(), null);
            MemoryProfile p = Profiler.profile(arch, width, ms, 7, 4, 32, "sgd", 0.9, 1.0);
            try (NDManager m = NDManager.newBaseManager()) {
                ResNet net = ResNet.create(arch, width);
                net.allocate(m, 1);
                try (Patch patch = MethodRegistry.get(method).create(new PatchContext(net, 7, ms, m.newSubManager(), 1, 32))) {
                    assertThat(p.trainableParams()).as("%s on %s", method, arch).isEqualTo(patch.trainableCount());
                    long stored = 0;
                    for (ai.djl.ndarray.NDArray a : patch.trainable().values()) {
                        stored += a.size();
                    }
                    for (ai.djl.ndarray.NDArray a : patch.buffers().values()) {
                        stored += a.size();
                    }
                    assertThat(p.patchBytes()).as("patch arrays of %s on %s", method, arch).isEqualTo(4 * stored);
                    long weights = 0;
                    for (ai.djl.nn.Parameter prm : net.stateDict().values()) {
                        weights += prm.getArray().size();
                    }
                    assertThat(p.weightBytes()).isEqualTo(4 * weights);
                }
            }
        }
    }

    @Test
    void keptMemoryFollowsTheRules() {
        Map<String, MemoryProfile> p = new java.util.LinkedHashMap<>();
        for (String m : MethodCatalog.names()) {
            p.put(m, Profiler.profile("resnet26", 64, new MethodSpec(m, Map.of(), null), 10, 32, 64, "sgd", 0.9, 1.0));
        }
        // fine-tuning keeps every activation: 2,224,384 floats per image for ResNet-26 at 64 px
        assertThat(p.get("finetune").keptBytes()).isEqualTo(2_224_384L * 4 * 32);
        // a frozen layer keeps its input whenever a gradient flows through it: bn+last keeps all but
        // the images, as fine-tuning does
        assertThat(p.get("bn+last").keptBytes()).isEqualTo(p.get("finetune").keptBytes() - 3L * 64 * 64 * 4 * 32);
        // the linear probe keeps the pooled features only
        assertThat(p.get("linear").keptBytes()).isEqualTo(256L * 4 * 32);
        // the frozen path keeps bits and pooled inputs, and DA3 its gates' F(s) constants (2 MB of
        // tap-summed weights here): over 40x less than fine-tuning
        assertThat(p.get("da3").keptBytes() * 40).isLessThan(p.get("finetune").keptBytes());
        assertThat(p.get("da3").stepBytes() * 10).isLessThan(p.get("finetune").stepBytes());
        // the naive autograd DA3 keeps most of what fine-tuning keeps (all but the stem and the first block)
        MemoryProfile naive = Profiler.profile("resnet26", 64, new MethodSpec("da3", Map.of("engine", "autograd"), null),
                10, 32, 64, "sgd", 0.9, 1.0);
        assertThat((double) naive.keptBytes()).isGreaterThan(0.7 * p.get("finetune").keptBytes());
        // closed gates keep no inner masks
        MemoryProfile gated = Profiler.profile("resnet26", 64, new MethodSpec("da3", Map.of(), null), 10, 32, 64, "sgd",
                0.9, 0.5);
        assertThat(gated.keptBytes()).isLessThan(p.get("da3").keptBytes());
    }

    @Test
    void anAutogradStepThatKeepsLittlePeaksInItsLargestLayer() {
        // the linear probe with engine: autograd keeps only the pooled features, so its step peaks
        // while a conv of block 0 runs (ResNet-26 w64 at 64 px): the block input (32 x 64 x 64), the
        // conv's input, its reorder copy, its output and the shortcut's (64 x 32 x 32 each), and
        // oneDNN's two copies of the second conv's weight (64 x 64 x 3 x 3). Measured 2026-12-07 with
        // bench memory: 50.7 MB; ResNet-50 at 224 px, batch 8: 90.3 MB (90.1 here)
        MemoryProfile p = Profiler.profile("resnet26", 64, new MethodSpec("linear", Map.of("engine", "autograd"), null),
                10, 32, 64, "sgd", 0.9, 1.0);
        assertThat(p.stepBytes()).isEqualTo(2 * 4 * 2570L + 4L * 32 * (131_072 + 4 * 65_536) + 4L * 2 * 36_864);
        MemoryProfile r50 = Profiler.profile("resnet50", 64, new MethodSpec("linear", Map.of("engine", "autograd"),
                null), 10, 8, 224, "sgd", 0.9, 1.0);
        assertThat(r50.stepBytes() / 1e6).isBetween(90.3 * 0.95, 90.3 * 1.05);
    }

    @Test
    void theFrozenPathsStemHoldsTwoCopiesOfTheImages() {
        // the stem runs on the micro-batch's own copy of the images and its channels-last copy: on
        // ResNet-18 at 224 px (batch 8, one micro-batch) the stem's BN, beside both and the conv's
        // output (64 x 112 x 112), is the linear probe's peak. Measured 2026-12-07: 61.2 and 61.5 MB
        // (the profiler said 51.4 MB before it counted the copies)
        MemoryProfile p = Profiler.profile("resnet18", 64, new MethodSpec("linear", Map.of(), null), 10, 8, 224, "sgd",
                0.9, 1.0);
        // nothing is kept yet when the stem runs: the step's peak is the stem's live set alone
        assertThat(p.keptBytes() + p.workspaceBytes()).isEqualTo(4L * 8 * (2 * 150_528 + 2 * 802_816));
        assertThat(p.stepBytes() / 1e6).isBetween(61.5 * 0.96, 61.5 * 1.04);
    }

    @Test
    void theFrozenPathsForwardHoldsOnlyWhatTheStepHasKeptSoFar() {
        // lite residual on ResNet-18 at 224 px, batch 8 (one group: its BNs need the whole batch)
        // peaks in the stem, before any block has kept its masks and pooled inputs (9 MB by the
        // end of the forward). Measured 2026-12-07: 65.3-69.0 MB; the profiler said 76.7 MB when
        // it counted everything kept at every moment
        MemoryProfile p = Profiler.profile("resnet18", 64, new MethodSpec("lite-residual", Map.of(), null), 10, 8, 224,
                "sgd", 0.9, 1.0);
        assertThat(p.keptBytes()).isGreaterThan(8_000_000L);
        assertThat(p.stepBytes() - p.gradientBytes() - p.optimizerBytes())
                .isEqualTo(4L * 8 * (2 * 150_528 + 2 * 802_816));
        assertThat(p.stepBytes() / 1e6).isBetween(65.3 * 0.96, 69.0 * 1.04);
    }

    @Test
    void convolutionsHoldCopiesOfTheirWeights() {
        // oneDNN runs a conv on its own blocked copy of the weight, and libtorch first makes a
        // channels-last copy of a kxk weight over a channels-last map (a 1 x 1 map reads as NCHW).
        // ResNet-18's last stage has 9.4 MB weights (512 x 512 x 3 x 3): at 32 px, where its maps
        // are 1 x 1 and 2 x 2, they are the step's peak. Measured 2026-12-07 with bench memory
        // (batch 32): the linear probe 9.8-10.2 MB, peaking in layer4.0.conv1 (4.7 MB weight, two
        // copies over the 2 x 2 map); DA3 24.1-25.2 MB, in the input gradient of layer4.1.conv2
        // (two copies: libtorch copies the transposed view it is handed, oneDNN reorders that).
        // Before these copies were counted the profiler said 5.1 and 9.0 MB
        MemoryProfile linear = Profiler.profile("resnet18", 64, new MethodSpec("linear", Map.of(), null), 10, 32, 32,
                "sgd", 0.9, 1.0);
        assertThat(linear.workspaceBytes()).isGreaterThan(2 * 4L * 512 * 256 * 9);
        assertThat(linear.stepBytes() / 1e6).isBetween(9.8 * 0.9, 10.2 * 1.1);
        MemoryProfile da3 = Profiler.profile("resnet18", 64, new MethodSpec("da3", Map.of(), null), 10, 32, 32, "sgd",
                0.9, 1.0);
        assertThat(da3.workspaceBytes()).isGreaterThan(2 * 4L * 512 * 512 * 9);
        assertThat(da3.stepBytes() / 1e6).isBetween(24.1 * 0.9, 25.2 * 1.1);
        // autograd: a frozen conv's backward holds two copies over a larger map, one over a 1 x 1
        // map; a trained one four and two (with the new gradient before it is accumulated). At 64 px
        // (2 x 2 maps in the last stage), measured: bn+last 76.1 MB, fine-tune 185.6 MB, against
        // 57.3 and 148.2 MB before
        MemoryProfile bnLast = Profiler.profile("resnet18", 64, new MethodSpec("bn+last", Map.of(), null), 10, 32, 64,
                "sgd", 0.9, 1.0);
        assertThat(bnLast.workspaceBytes()).isGreaterThan(2 * 4L * 512 * 512 * 9);
        assertThat(bnLast.stepBytes() / 1e6).isBetween(76.1 * 0.95, 76.1 * 1.05);
        MemoryProfile fineTune = Profiler.profile("resnet18", 64, new MethodSpec("finetune", Map.of(), null), 10, 32, 64,
                "sgd", 0.9, 1.0);
        assertThat(fineTune.workspaceBytes()).isGreaterThan(4 * 4L * 512 * 512 * 9);
        assertThat(fineTune.stepBytes() / 1e6).isBetween(185.6 * 0.95, 185.6 * 1.05);
    }

    @Test
    void aStrideTwoInputGradientHoldsFourInputSizes() {
        // the frozen path computes a 3x3 stride-2 conv's input gradient by phases: the three padded
        // gradients and the phase outputs (one input size in all), then the two row pairs, their
        // interleaving and its copy: four input sizes at once, beside the gradient. On ResNet-26 at
        // 64 px DA3's first downsampling blocks peak there (micro-batch 8); measured 2026-12-07 in
        // five runs: 17.8-20.0 MB. The profiler said 21.3 MB when it counted three output and three
        // input sizes, 20.6 MB before it counted the weights' copies
        MemoryProfile p = Profiler.profile("resnet26", 64, new MethodSpec("da3", Map.of(), null), 10, 32, 64, "sgd",
                0.9, 1.0);
        assertThat(p.stepBytes() / 1e6).isBetween(17.8, 20.0 * 1.03);
    }

    @Test
    void liteResidualsLocalGraphHoldsItsOutputAndItsProductWithTheGradient() {
        // lite residual's backward recomputes its module from the pooled input with a graph: at
        // ResNet-26's block 0 (64 px, batch 32; the pooled map is the output's size there), the
        // upstream gradient (64 x 32 x 32), the pooled input and the grouped conv's and ReLU's
        // outputs (32 x 32 x 32 each), the 1x1 conv's output and the last BN's gradient (64 x 32 x
        // 32 each), and the module's output, its product with the gradient and that product's
        // gradient (64 x 32 x 32 each), on top of everything kept. Measured 2026-12-07: 89.5-89.8 MB,
        // the peak in that backward; the profiler said 85.8 MB, from another block's
        MemoryProfile p = Profiler.profile("resnet26", 64, new MethodSpec("lite-residual", Map.of(), null), 10, 32, 64,
                "sgd", 0.9, 1.0);
        assertThat(p.workspaceBytes()).isEqualTo(4L * 32 * (4 * 65_536 + 3 * 32_768 + 2 * 65_536));
        assertThat(p.stepBytes() / 1e6).isBetween(89.5 * 0.97, 89.8 * 1.03);
    }
}
