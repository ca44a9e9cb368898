package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.da3.workbench.method.MethodRegistry;
import org.da3.workbench.method.Patch;
import org.da3.workbench.method.PatchContext;
import org.da3.workbench.method.StepResult;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No native array outlives its step: after warm-up, further training steps and evaluations leave
 * the number of arrays held by the backbone's, the patch's and the run's managers unchanged. DJL
 * frees an array only when its manager closes, so a temporary made from a long-lived array (a
 * frozen weight, say) and not closed would pile up there, step after step.
 */
class LeakTest {
    @BeforeAll
    static void start() {
        EngineSupport.start(2);
    }

    static List<String> methods() {
        return MethodCatalog.names();
    }

    private static int count(NDManager m) {
        return m.getManagedArrays().size();
    }

    @ParameterizedTest
    @MethodSource("methods")
    void stepsLeaveNoArraysBehind(String method) {
        try (NDManager base = NDManager.newBaseManager()) {
            ResNet net = ResNet.resnet26(8);
            net.allocate(base, 3);
            NDManager patchManager = base.newSubManager();
            // micro-batches of 2 growing to 4 and 6 in the later blocks: the groups split and join
            Map<String, Object> opts = switch (method) {
                case "da3" -> Map.of("gate_init", 0.0, "micro_batch", 2);
                case "linear" -> Map.of("micro_batch", 2);
                default -> Map.of();
            };
            try (Patch p = MethodRegistry.get(method).create(new PatchContext(net, 4,
                    new MethodSpec(method, opts, null), patchManager, 1, 16));
                    Optimizer opt = new Optimizer("sgd", p.trainable(), 0.9, 1e-4)) {
                if (method.equals("da3")) {
                    // some gates open, some closed, so the gathered paths run too
                    for (Map.Entry<String, NDArray> e : p.trainable().entrySet()) {
                        if (e.getKey().endsWith("gate.weight")) {
                            e.getValue().set(base.randomNormal(e.getValue().getShape()).toFloatArray());
                        }
                    }
                }
                TrainStepper stepper = new TrainStepper(p);
                int[] counts = new int[3];
                for (int s = 0; s < 4; s++) {
                    try (NDManager bm = base.newSubManager()) {
                        NDArray x = bm.randomNormal(new Shape(6, 3, 16, 16));
                        NDArray y = bm.create(new int[] {0, 1, 2, 3, 0, 1});
                        StepResult r = stepper.step(x, y);
                        opt.step(r.grads(), 0.01);
                        p.releaseGradients(r);
                        p.logits(x, false).close();
                    }
                    if (s == 1) {
                        counts = new int[] {count(base), count(patchManager), net.stateDict().size()};
                    }
                }
                assertThat(count(base)).as("arrays held by the run's manager").isEqualTo(counts[0]);
                assertThat(count(patchManager)).as("arrays held by the patch's manager").isEqualTo(counts[1]);
            }
        }
    }
}
