package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.da3.workbench.method.Da3;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.spec.MethodSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frozen-path backward against plain autograd, on small networks of both block types: the
 * loss, the correct count and every gradient must agree: max relative error below 1e-4, each
 * tensor's largest difference taken relative to the largest gradient of its module (one block's
 * adaptor).
 */
class FrozenPathTest {

    @BeforeAll
    static void start() {
        EngineSupport.start(2);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("resnet26", 8, 16, "linear", Map.of()),
                Arguments.of("resnet26", 8, 16, "da3", Map.of()),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("lambda", 0.0)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("budget", "block", "lambda", 3.0)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("micro_batch", 0)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("micro_batch", 1, "attention", "channel", "micro_batch_floor_kib", 0)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("micro_batch", 2, "grow_micro_batch", false)),
                Arguments.of("resnet26", 8, 16, "linear", Map.of("micro_batch", 2, "micro_batch_floor_kib", 0)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("gates", false)),
                Arguments.of("resnet26", 8, 16, "da3", Map.of("attention", "spatial", "pool", 2, "kernel", 5)),
                Arguments.of("resnet26", 8, 16, "lite-residual", Map.of()),
                Arguments.of("resnet18", 8, 32, "da3", Map.of("micro_batch", 3, "micro_batch_floor_kib", 0)),
                // the floor: micro-batches of 1 of a tiny network grow to the whole batch
                Arguments.of("resnet26", 8, 16, "da3", Map.of("micro_batch", 1)),
                Arguments.of("resnet18", 8, 32, "lite-residual", Map.of()),
                Arguments.of("resnet50", 4, 32, "da3", Map.of()),
                // a ceiling of 1 KiB: one image at a time in the first blocks, growing after
                Arguments.of("resnet50", 4, 32, "da3", Map.of("micro_batch_ceiling_kib", 1)),
                Arguments.of("resnet50", 4, 32, "lite-residual", Map.of()));
    }

    @Test
    void laterSmallerBlocksRunLargerMicroBatches() {
        ResNet r26 = ResNet.create("resnet26", 64);
        // 64 px: the first block takes 32 x 64 x 64 per image (its input gradient is never
        // needed), stage 1 64 x 32 x 32, stage 2 128 x 16 x 16, stage 3 256 x 8 x 8; a
        // downsampling block counts its larger input
        assertThat(FrozenPath.microBatches(r26, 64, 8, true, 32)).containsExactly(8, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32);
        assertThat(FrozenPath.microBatches(r26, 64, 8, true, 20)).containsExactly(8, 8, 8, 8, 8, 16, 16, 16, 16, 20, 20, 20);
        assertThat(FrozenPath.microBatches(r26, 64, 8, false, 32)).containsOnly(8);
        assertThat(FrozenPath.microBatches(r26, 64, 0, true, 32)).containsOnly(32);
        assertThat(FrozenPath.microBatches(r26, 64, 64, true, 32)).containsOnly(32);
        // the floor: ResNet-26 at width 64 and 64 px keeps 256 KiB per image in its largest blocks,
        // so 8 images (2 MiB) stay 8; at width 16 and 32 px it keeps 16 KiB, and grows to the batch
        assertThat(FrozenPath.microBatches(r26, 64, 8, true, 32, new FrozenPath.Band(2048 * 1024, 0)))
                .containsExactly(8, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32);
        ResNet quick = ResNet.create("resnet26", 16);
        assertThat(FrozenPath.microBatches(quick, 32, 8, true, 64, new FrozenPath.Band(2048 * 1024, 0))).containsOnly(64);
        assertThat(FrozenPath.microBatches(quick, 32, 8, true, 64, new FrozenPath.Band(256 * 1024, 0))).startsWith(16, 16);
        assertThat(FrozenPath.microBatches(quick, 32, 8, false, 64, new FrozenPath.Band(2048 * 1024, 0))).containsOnly(8);
        // the ceiling: ResNet-50 at 224 px keeps 3.2 MB per image in its first stage, so 8 images
        // halve to 2 under 16 MiB, and its later blocks grow from there; ResNet-18 at 224 px keeps
        // 0.8 MB and stays at 8
        FrozenPath.Band band = new FrozenPath.Band(2048 * 1024, 16384 * 1024);
        assertThat(FrozenPath.microBatches(ResNet.create("resnet50", 64), 224, 8, true, 8, band))
                .containsExactly(2, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8);
        assertThat(FrozenPath.microBatches(ResNet.create("resnet50", 64), 224, 8, true, 8,
                new FrozenPath.Band(2048 * 1024, 0))).containsOnly(8);
        assertThat(FrozenPath.microBatches(ResNet.create("resnet50", 64), 224, 8, false, 8, band)).containsOnly(8);
        assertThat(FrozenPath.microBatches(ResNet.create("resnet18", 64), 224, 8, true, 8, band)).containsOnly(8);
        assertThat(FrozenPath.microBatches(r26, 64, 8, true, 32, band))
                .containsExactly(8, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32);
        // ResNet-18 at 32 px, batch 7 (a case below): groups of 7 split into 6 and 1, the 6 into 3 and 3
        assertThat(FrozenPath.microBatches(ResNet.create("resnet18", 8), 32, 3, true, 7))
                .containsExactly(3, 3, 3, 6, 6, 7, 7, 7);
    }

    /** Gives every zero-initialised parameter a random value, so every gradient path is exercised. */
    private static void randomise(Patch p, NDManager m) {
        for (Map.Entry<String, NDArray> e : p.trainable().entrySet()) {
            NDArray a = e.getValue();
            String k = e.getKey();
            if (k.endsWith("fc1.bias")) {
                a.set(m.randomUniform(0.2f, 0.6f, a.getShape()).toFloatArray());
            } else if (k.endsWith("gate.bias")) {
                a.set(new float[] {0.05f});
            } else if (k.endsWith("fc2.weight") || k.endsWith("fc2.bias") || k.endsWith("spatial.gamma")
                    || k.endsWith("bn2.weight") || k.endsWith("gate.weight")) {
                a.set(m.randomNormal(0, 0.5f, a.getShape(), a.getDataType()).toFloatArray());
            }
        }
    }

    private static Map<String, float[]> copy(Patch p, StepResult r) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : r.grads().entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        p.releaseGradients(r);
        return out;
    }

    /** The module a gradient belongs to: {@code da3.layer1.0.channel.fc1.weight} is in {@code da3.layer1.0}. */
    private static String module(String key) {
        String[] parts = key.split("\\.");
        if (parts.length >= 3 && parts[1].startsWith("layer")) {
            return parts[0] + "." + parts[1] + "." + parts[2];
        }
        if (parts.length >= 2 && parts[0].startsWith("layer")) {
            return parts[0] + "." + parts[1];
        }
        return parts[0];
    }

    @ParameterizedTest(name = "{0} w{1} {2}px {3} {4}")
    @MethodSource("cases")
    void frozenPathGradientsEqualAutograds(String arch, int width, int size, String method, Map<String, Object> opts) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(1234);
            ResNet net = ResNet.create(arch, width);
            net.allocate(m, 77);
            for (Parameter prm : net.stateDict().values()) {
                if (prm.getName().equals("running_var")) {
                    prm.getArray().set(m.randomUniform(0.5f, 2f, prm.getArray().getShape()).toFloatArray());
                } else if (prm.getName().equals("bias") || prm.getName().equals("running_mean")) {
                    prm.getArray().set(m.randomNormal(0, 0.2f, prm.getArray().getShape(), prm.getArray().getDataType())
                            .toFloatArray());
                }
            }
            Patch p = MethodRegistry.get(method).create(new PatchContext(net, 6, new MethodSpec(method, opts, null),
                    m.newSubManager(), 5, size));
            randomise(p, m);
            NDArray x = m.randomNormal(new Shape(7, 3, size, size));
            NDArray y = m.create(new int[] {0, 1, 2, 3, 4, 5, 1});

            StepResult ra = p.trainStepAutograd(x, y);
            double lossA = ra.loss();
            int correctA = ra.correct();
            Map<String, float[]> ga = copy(p, ra);

            TrainStepper stepper = new TrainStepper(p);
            assertThat(stepper.frozenPath()).isTrue();
            StepResult rf = stepper.step(x, y);
            assertThat(rf.loss()).isCloseTo(lossA, within(1e-5 * Math.max(1, Math.abs(lossA))));
            assertThat(rf.correct()).isEqualTo(correctA);
            Map<String, float[]> gf = copy(p, rf);

            assertThat(gf.keySet()).containsExactlyElementsOf(ga.keySet());
            // The error of each tensor is measured against the gradient scale of its module (one
            // block's adaptor, or the head): a scalar such as spatial.gamma sums thousands of terms
            // that cancel, so its own magnitude says nothing about float32 rounding, while the
            // module's largest gradient does.
            Map<String, Double> moduleScale = new LinkedHashMap<>();
            for (String k : ga.keySet()) {
                double scale = 0;
                for (float v : ga.get(k)) {
                    scale = Math.max(scale, Math.abs(v));
                }
                moduleScale.merge(module(k), scale, Math::max);
            }
            double worst = 0;
            String worstName = "";
            StringBuilder report = new StringBuilder();
            int used = 0;
            int nonZero = 0;
            for (String k : ga.keySet()) {
                float[] a = ga.get(k);
                float[] b = gf.get(k);
                double scale = 0;
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    scale = Math.max(scale, Math.abs(a[i]));
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                double ms = moduleScale.get(module(k));
                double rel = ms == 0 ? diff : diff / ms;
                if (rel > 1e-4) {
                    report.append(String.format("%n  %s: max |diff| %.3g, module scale %.3g, autograd %s, frozen path %s", k,
                            diff, ms, java.util.Arrays.toString(java.util.Arrays.copyOf(a, 3)),
                            java.util.Arrays.toString(java.util.Arrays.copyOf(b, 3))));
                }
                if (rel > worst) {
                    worst = rel;
                    worstName = k;
                }
                boolean unused = k.contains(".spatial.") && "channel".equals(opts.get("attention"))
                        || k.contains(".channel.") && "spatial".equals(opts.get("attention"))
                        || k.contains(".gate.") && Boolean.FALSE.equals(opts.get("gates"));
                if (!k.startsWith("fc.") && !unused) {
                    used++;
                    nonZero += scale > 0 ? 1 : 0;
                }
            }
            assertThat(worst).as("worst relative error, at %s%s", worstName, report).isLessThan(1e-4);
            // the comparison must exercise the adapters' gradients, not agree on zeros
            assertThat(nonZero).as("adapter gradients that are not all zero").isGreaterThanOrEqualTo(used * 8 / 10);
            if (method.equals("da3") && !Boolean.FALSE.equals(opts.get("gates"))) {
                // the test must exercise closed gates as well as open ones
                Map<String, Object> st = p.statistics();
                assertThat((Double) st.get("gate_open_ratio")).isBetween(0.05, 0.95);
            }
            p.close();
        }
    }
}
