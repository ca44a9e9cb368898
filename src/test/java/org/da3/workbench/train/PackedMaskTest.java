package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PackedMaskTest {
    @BeforeAll
    static void start() {
        EngineSupport.start(1);
    }

    @Test
    void packsToOneBitPerValueAndUnpacksExactly() {
        try (NDManager m = NDManager.newBaseManager(); PackedMask.Codec codec = new PackedMask.Codec(m)) {
            for (Shape s : new Shape[] {new Shape(2, 8, 5, 5), new Shape(3, 16, 4, 4), new Shape(1, 3, 7, 1), new Shape(1)}) {
                NDArray x = m.randomNormal(s);
                try (NDArray y = ai.djl.nn.Activation.relu(x); PackedMask p = PackedMask.ofRelu(codec, y, m)) {
                    assertThat(p.bytes()).isEqualTo((s.size() + 7) / 8);
                    boolean[] expected = x.gt(0).toBooleanArray();
                    assertThat(p.unpack(codec).toBooleanArray()).as(s.toString()).containsExactly(expected);
                    NDArray g = m.randomNormal(s);
                    float[] gv = g.toFloatArray();
                    float[] masked = p.apply(codec, g).toFloatArray();
                    for (int i = 0; i < gv.length; i++) {
                        assertThat(masked[i]).isEqualTo(expected[i] ? gv[i] : 0f);
                    }
                    p.applyInPlace(codec, g);
                    assertThat(g.toFloatArray()).as("in place, " + s).containsExactly(masked);
                }
            }
        }
    }

    /**
     * A channels-last activation's mask is packed in its memory order and applied to channels-last
     * gradients: the values read back in (N, C, H, W) order are the same as an NCHW mask's, and
     * the in-place product writes through to the gradient's own memory.
     */
    @Test
    void aChannelsLastMaskMasksChannelsLastGradients() {
        try (NDManager m = NDManager.newBaseManager(); PackedMask.Codec codec = new PackedMask.Codec(m)) {
            for (Shape s : new Shape[] {new Shape(2, 8, 5, 5), new Shape(3, 5, 3, 2)}) {
                NDArray x = org.da3.workbench.nn.Ops.channelsLast(m.randomNormal(s));
                try (NDArray y = ai.djl.nn.Activation.relu(x); PackedMask p = PackedMask.ofRelu(codec, y, m, true)) {
                    assertThat(p.bytes()).isEqualTo((s.size() + 7) / 8);
                    boolean[] expected = x.gt(0).toBooleanArray();
                    assertThat(p.unpack(codec).toBooleanArray()).as(s.toString()).containsExactly(expected);
                    NDArray g = org.da3.workbench.nn.Ops.channelsLast(m.randomNormal(s));
                    float[] gv = g.toFloatArray();
                    p.applyInPlace(codec, g);
                    float[] masked = g.toFloatArray();
                    for (int i = 0; i < gv.length; i++) {
                        assertThat(masked[i]).as("%s at %d", s, i).isEqualTo(expected[i] ? gv[i] : 0f);
                    }
                }
            }
        }
    }
}
