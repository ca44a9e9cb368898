package org.da3.workbench.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.train.EngineSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The frozen path's hand-made gradients against autograd. */
class OpsTest {
    @BeforeAll
    static void start() {
        EngineSupport.start(1);
    }

    private static void close(float[] expected, float[] actual) {
        float scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f * Math.max(1, scale)));
        }
    }

    @Test
    void channelsLastKeepsTheValuesTheConvolutionAndTheGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 5, 7));
            NDArray wt = m.randomNormal(new Shape(4, 3, 3, 3));
            x.setRequiresGradient(true);
            NDArray cl;
            NDArray g = m.randomNormal(new Shape(2, 4, 5, 7));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                cl = Ops.channelsLast(x);
                NDArray y = Ops.conv2d(cl, wt, 1, 1, 1);
                // oneDNN may pick another kernel for NHWC: the same sums, maybe in another order
                close(Ops.conv2d(x, wt, 1, 1, 1).toFloatArray(), y.toFloatArray());
                gc.backward(y.mul(g).sum());
            }
            assertThat(cl.getShape()).isEqualTo(x.getShape());
            assertThat(cl.toFloatArray()).containsExactly(x.toFloatArray());
            close(Ops.convInputGradient(g, wt, 1, 1, 5, 7).toFloatArray(), x.getGradient().toFloatArray());
        }
    }

    /**
     * The weight gradient of a strided 1x1 convolution over a channels-last input narrower than
     * 8 channels: oneDNN's AVX2 kernel for it corrupted the heap (the JVM aborted a few steps
     * later, in whatever ran next) or hung. {@link Ops#conv2d} runs such inputs in NCHW; this test
     * trains through the shapes that broke and checks the gradients against the NCHW graph.
     */
    @ParameterizedTest(name = "{0} channels")
    @CsvSource({"3", "4", "6"})
    void narrowStridedPointwiseConvolutionTrainsOnAChannelsLastInput(int channels) {
        for (int step = 0; step < 10; step++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new Shape(6, channels, 16, 16));
                NDArray g = m.randomNormal(new Shape(6, 8, 8, 8));
                NDArray w0 = m.randomNormal(new Shape(8, channels, 1, 1));
                float[][] grads = new float[2][];
                for (int layout = 0; layout < 2; layout++) {
                    NDArray w = w0.duplicate();
                    w.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray in = layout == 0 ? x : Ops.channelsLast(x);
                        gc.backward(Ops.conv2d(in, w, 2, 0, 1).mul(g).sum());
                    }
                    grads[layout] = w.getGradient().toFloatArray();
                }
                close(grads[0], grads[1]);
            }
        }
    }

    @ParameterizedTest(name = "k{0} s{1} in {2}x{3}")
    // "3,1,2,3" and "5,1,3,3": gradients smaller than the weight (the flipped-gradient form)
    // "3,2,3,3", "1,1,1,1" and "1,2,2,2": strided or 1x1 with gradients smaller than the weight
    // (the scale goes on the gradient)
    @CsvSource({"3,1,8,8", "3,1,2,3", "5,1,3,3", "3,2,8,8", "3,2,7,7", "3,2,8,5", "1,2,8,8", "1,2,7,9", "1,1,6,6",
        "7,2,16,16", "3,2,3,3", "1,1,1,1", "1,2,2,2"})
    void convInputGradientEqualsAutograd(int k, int stride, int h, int w) {
        try (NDManager m = NDManager.newBaseManager()) {
            int pad = (k - 1) / 2;
            NDArray x = m.randomNormal(new Shape(2, 3, h, w));
            NDArray wt = m.randomNormal(new Shape(5, 3, k, k));
            x.setRequiresGradient(true);
            NDArray g;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Ops.conv2d(x, wt, stride, pad, 1);
                g = m.randomNormal(y.getShape());
                gc.backward(y.mul(g).sum());
            }
            float[] expected = x.getGradient().toFloatArray();
            NDArray mine = Ops.convInputGradient(g, wt, stride, pad, h, w);
            assertThat(mine.getShape()).isEqualTo(x.getShape());
            close(expected, mine.toFloatArray());

            // followed by a per-channel scale (a frozen BN), which goes on the copy each form makes
            NDArray scale = m.randomUniform(0.5f, 2f, new Shape(5));
            NDArray x2 = x.duplicate();
            x2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Ops.conv2d(x2, wt, stride, pad, 1).mul(scale.reshape(1, 5, 1, 1));
                gc.backward(y.mul(g).sum());
            }
            NDArray scaled = Ops.convInputGradient(g, wt, scale, stride, pad, h, w);
            close(x2.getGradient().toFloatArray(), scaled.toFloatArray());
            assertThat(scaled.toFloatArray()).isNotEqualTo(mine.toFloatArray());

            // a channels-last gradient, as the frozen path hands it over (its own buffers and the
            // stride-2 phases' interleaving follow that layout)
            NDArray cl = Ops.convInputGradient(Ops.channelsLast(g), wt, scale, stride, pad, h, w, true);
            assertThat(cl.getShape()).isEqualTo(x.getShape());
            close(x2.getGradient().toFloatArray(), cl.toFloatArray());
        }
    }

    @ParameterizedTest(name = "pool {0} in {1}x{2}")
    @CsvSource({"2,8,8", "4,8,8", "2,7,7", "4,6,6", "1,5,5"})
    void avgPoolBackwardEqualsAutograd(int k, int h, int w) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, h, w));
            x.setRequiresGradient(true);
            NDArray g;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Ops.avgPool(x, k);
                g = m.randomNormal(y.getShape());
                gc.backward(y.mul(g).sum());
            }
            close(x.getGradient().toFloatArray(), Ops.avgPoolBackward(g, x.getShape(), k).toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}x{1} onto {2}x{3}, {4} channels")
    @CsvSource({"2,2,8,8,3", "4,4,8,8,3", "1,1,6,6,3", "2,2,8,8,1", "8,8,8,8,3"})
    void addUpsampledEqualsAddingTheUpsampledArray(int h, int w, int outH, int outW, int channels) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray into = m.randomNormal(new Shape(2, 3, outH, outW));
            NDArray coarse = m.randomNormal(new Shape(2, channels, h, w));
            float[] expected;
            try (NDArray up = Ops.upsample(coarse, outH / h, outH, outW); NDArray sum = into.add(up)) {
                expected = sum.toFloatArray();
            }
            Ops.addUpsampled(into, coarse);
            close(expected, into.toFloatArray());
        }
    }

    /** A channels-last target takes the add in its own memory (the window view of its NHWC order). */
    @ParameterizedTest(name = "{0}x{1} onto channels-last {2}x{3}, {4} channels")
    @CsvSource({"2,2,8,8,3", "4,4,8,8,3", "2,2,8,8,1", "8,8,8,8,3"})
    void addUpsampledIntoAChannelsLastArray(int h, int w, int outH, int outW, int channels) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray into = Ops.channelsLast(m.randomNormal(new Shape(2, 3, outH, outW)));
            NDArray coarse = m.randomNormal(new Shape(2, channels, h, w));
            float[] expected;
            try (NDArray up = Ops.upsample(coarse, outH / h, outH, outW); NDArray sum = into.add(up)) {
                expected = sum.toFloatArray();
            }
            Ops.addUpsampled(into, coarse, true);
            close(expected, into.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}x{1} onto 8x8, {2} channels")
    @CsvSource({"2,4,3", "4,2,1", "8,1,3"})
    void addUpsampledTakesDifferentFactorsPerAxis(int h, int w, int channels) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray into = m.randomNormal(new Shape(2, 3, 8, 8));
            NDArray coarse = m.randomNormal(new Shape(2, channels, h, w));
            float[] base = into.toFloatArray();
            float[] cv = coarse.toFloatArray();
            float[] expected = new float[base.length];
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            int i = ((n * 3 + c) * 8 + y) * 8 + x;
                            int j = ((n * channels + (channels == 1 ? 0 : c)) * h + y / (8 / h)) * w + x / (8 / w);
                            expected[i] = base[i] + cv[j];
                        }
                    }
                }
            }
            Ops.addUpsampled(into, coarse);
            close(expected, into.toFloatArray());
        }
    }

    // channels that do not match (the error names the target), sides that do not divide (the map)
    @ParameterizedTest(name = "{0} onto {1}")
    @CsvSource({"1:2:4:4, 1:3:8:8, '(1, 3, 8, 8)'", "1:2:2:2, 1:2:7:7, '(1, 2, 2, 2)'"})
    void addUpsampledRejectsShapesItCannotAdd(String coarseShape, String intoShape, String named) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray into = m.zeros(shape(intoShape));
            NDArray coarse = m.zeros(shape(coarseShape));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ops.addUpsampled(into, coarse))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
        }
    }

    private static Shape shape(String dims) {
        return new Shape(java.util.Arrays.stream(dims.split(":")).mapToLong(Long::parseLong).toArray());
    }

    @ParameterizedTest(name = "{0}x{1} onto {2}x{3}")
    @CsvSource({"4,4,16,16", "2,2,4,4", "3,3,8,8", "3,3,7,7", "1,1,5,5"})
    void windowSumIsTheGradientOfUpsamplingAndBroadcasting(int h, int w, int outH, int outW) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray coarse = m.randomNormal(new Shape(2, 1, h, w));
            coarse.setRequiresGradient(true);
            NDArray g = m.randomNormal(new Shape(2, 5, outH, outW));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray up = Ops.upsample(coarse, (outH + h - 1) / h, outH, outW);
                gc.backward(up.mul(g).sum());
            }
            close(coarse.getGradient().toFloatArray(), Ops.windowSum(g, h, w).toFloatArray());
        }
    }

    @ParameterizedTest(name = "rows {0} of 6")
    // single rows, one run inside, runs at both ends: slices of the runs
    @CsvSource({"0 2 5", "1 2 3", "0 1 4 5", "5", "3 4 5", "0 1 2 3 4"})
    void placeRowsAndAddRowsWriteTheRowsWhereScatterRowsPutsThem(String list) {
        int[] at = java.util.Arrays.stream(list.split(" ")).mapToInt(Integer::parseInt).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rows = m.randomNormal(new Shape(at.length, 2, 4, 4));
            float[] expected = Ops.scatterRows(rows, at, 6).toFloatArray();
            close(expected, Ops.placeRows(rows, at, 6).toFloatArray());
            NDArray back = Ops.gatherRows(Ops.placeRows(rows, at, 6), at);
            assertThat(back.getShape()).isEqualTo(rows.getShape());
            assertThat(back.toFloatArray()).containsExactly(rows.toFloatArray());
            NDArray base = m.randomNormal(new Shape(6, 2, 4, 4));
            float[] b = base.toFloatArray();
            Ops.addRows(base, rows, at);
            float[] got = base.toFloatArray();
            float[] sum = new float[b.length];
            for (int i = 0; i < b.length; i++) {
                sum[i] = b[i] + expected[i];
            }
            close(sum, got);
        }
    }

    /** 19 single rows of 40: more runs than slices pay for, so the rows are indexed. */
    @Test
    void rowOperationsOnManyRunsIndexTheRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            int[] at = java.util.stream.IntStream.range(0, 19).map(i -> 2 * i + 1).toArray();
            NDArray rows = m.randomNormal(new Shape(at.length, 3));
            NDArray placed = Ops.placeRows(rows, at, 40);
            close(Ops.scatterRows(rows, at, 40).toFloatArray(), placed.toFloatArray());
            assertThat(Ops.gatherRows(placed, at).toFloatArray()).containsExactly(rows.toFloatArray());
            NDArray base = m.zeros(new Shape(40, 3));
            Ops.addRows(base, rows, at);
            close(placed.toFloatArray(), base.toFloatArray());
        }
    }

    /**
     * Autograd keeps the row index of a gather for the backward pass. The index must live in
     * memory that libtorch owns: a tensor over a Java direct buffer is freed by the garbage
     * collector once its NDArray is closed, and the backward would then read whatever the memory
     * holds. Here the memory is given back and overwritten between the forward and the backward.
     */
    @Test
    void gatheredAndScatteredRowsKeepTheirIndexUntilTheBackward() throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(0f, 24f).reshape(6, 4);
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray picked = Ops.gatherRows(x, new int[] {1, 4});
                NDArray placed = Ops.scatterRows(picked, new int[] {0, 3}, 5);
                NDArray weights = m.arange(1f, 21f).reshape(5, 4);
                NDArray loss = placed.mul(weights).sum();
                List<ByteBuffer> garbage = churnFreedMemory();
                c.backward(loss);
                garbage.clear();
            }
            float[] g = x.getGradient().toFloatArray();
            float[] expected = new float[24];
            for (int j = 0; j < 4; j++) {
                expected[4 + j] = 1 + j; // row 1 went to row 0 of the result
                expected[16 + j] = 13 + j; // row 4 went to row 3
            }
            assertThat(g).containsExactly(expected);
        }
    }

    /**
     * Autograd keeps the scalar of {@code x * v} and {@code x / v} for the backward pass; the
     * scalar must outlive the call (DJL's own {@code mul(Number)} does not guarantee it).
     */
    @Test
    void scaledAndDividedArraysKeepTheirScalarUntilTheBackward() throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray y = Ops.divide(Ops.scale(x, 3f), 4f);
                NDArray loss = y.mul(y).sum();
                List<ByteBuffer> garbage = churnFreedMemory();
                c.backward(loss);
                garbage.clear();
            }
            // d/dx sum((3x/4)^2) = 2 * (9/16) x
            assertThat(x.getGradient().toFloatArray()).containsExactly(1.125f, 2.25f, 3.375f);
        }
    }

    /** Lets the garbage collector free unreachable direct buffers, then fills fresh ones with junk. */
    private static List<ByteBuffer> churnFreedMemory() throws InterruptedException {
        List<ByteBuffer> garbage = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 + 4 * (i % 16));
                while (b.hasRemaining()) {
                    b.put((byte) 0x55);
                }
                garbage.add(b);
            }
        }
        return garbage;
    }
}
