package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    private static byte[] ramp(int w, int h, int c) {
        byte[] b = new byte[w * h * c];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    @Test
    void theSameSizeIsACopy() {
        byte[] src = ramp(5, 4, 3);
        assertThat(Resampler.resample(src, 5, 4, 3, new double[] {0, 0, 5, 4}, 5, 4)).isEqualTo(src);
    }

    @Test
    void shrinkingAveragesInsteadOfAliasing() {
        // Alternating black and white columns: nearest-neighbour sampling would give all black or
        // all white; the triangle filter gives grey.
        byte[] src = new byte[16 * 2];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i % 2 == 0 ? 0 : 255);
        }
        byte[] out = Resampler.resample(src, 16, 2, 1, new double[] {0, 0, 16, 2}, 8, 1);
        for (int x = 1; x < 7; x++) {
            assertThat(out[x] & 0xFF).isEqualTo(128);
        }
        assertThat(out[0] & 0xFF).isBetween(100, 160);
    }

    @Test
    void aConstantImageStaysConstantUpOrDown() {
        byte[] src = new byte[7 * 5 * 3];
        java.util.Arrays.fill(src, (byte) 200);
        assertThat(Resampler.square(src, 7, 5, 3, Preprocess.DEFAULT, 16)).containsOnly((byte) 200);
        assertThat(Resampler.square(src, 7, 5, 3, Preprocess.DEFAULT, 3)).containsOnly((byte) 200);
        assertThat(Resampler.square(src, 7, 5, 3, new Preprocess("stretch", 1.0), 4)).hasSize(48).containsOnly(
                (byte) 200);
    }

    @Test
    void cropKeepsTheCentreSquare() {
        // A 6x4 gray image: the two columns at each side are black, the centre 2 columns white.
        byte[] src = new byte[6 * 4];
        for (int y = 0; y < 4; y++) {
            src[y * 6 + 2] = (byte) 255;
            src[y * 6 + 3] = (byte) 255;
        }
        byte[] out = Resampler.square(src, 6, 4, 1, new Preprocess("crop", 0.5), 2);
        assertThat(out).containsOnly((byte) 255);
        byte[] all = Resampler.square(src, 6, 4, 1, Preprocess.DEFAULT, 4);
        assertThat(all[0] & 0xFF).isZero();
        assertThat(all[1] & 0xFF).isEqualTo(255);
    }

    @Test
    void resamplingIsDeterministic() {
        byte[] src = ramp(33, 21, 3);
        assertThat(Resampler.square(src, 33, 21, 3, Preprocess.DEFAULT, 13))
                .isEqualTo(Resampler.square(src, 33, 21, 3, Preprocess.DEFAULT, 13));
    }
}
