package org.da3.workbench.data.procedural;

import java.awt.Color;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ten periodic and stochastic textures with random frequency, phase, orientation jitter and
 * colours, drawn pixel by pixel.
 */
final class TexturesGenerator implements Generator {
    private static final List<String> CLASSES = List.of("h-stripes", "v-stripes", "diagonal",
            "anti-diagonal", "checker", "dots", "speckle", "rings", "grid", "waves");

    @Override
    public String name() {
        return "textures";
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    @Override
    public byte[] draw(int label, int size, SplittableRandom r) {
        Color[] fb = Canvas.contrasting(r);
        double period = size * (0.12 + 0.16 * r.nextDouble());
        double phase = r.nextDouble() * period;
        double jitter = Math.toRadians((r.nextDouble() * 2 - 1) * 10);
        double cos = Math.cos(jitter);
        double sin = Math.sin(jitter);
        double cx = size * (0.3 + 0.4 * r.nextDouble());
        double cy = size * (0.3 + 0.4 * r.nextDouble());
        double duty = 0.35 + 0.3 * r.nextDouble();
        long speckSeed = r.nextLong();
        SplittableRandom speck = new SplittableRandom(speckSeed);
        boolean[] specks = new boolean[size * size];
        if (label == 6) {
            int n = size * size / 14;
            for (int i = 0; i < n; i++) {
                int x = speck.nextInt(size);
                int y = speck.nextInt(size);
                specks[y * size + x] = true;
                if (x + 1 < size) {
                    specks[y * size + x + 1] = true;
                }
            }
        }
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double u = cos * x - sin * y + phase;
                double v = sin * x + cos * y + phase;
                double f;
                switch (label) {
                    case 0: f = frac(v / period); break;
                    case 1: f = frac(u / period); break;
                    case 2: f = frac((u + v) / (period * 1.4)); break;
                    case 3: f = frac((u - v) / (period * 1.4)); break;
                    case 4: f = (frac(u / period) < 0.5) ^ (frac(v / period) < 0.5) ? 0 : 1; break;
                    case 5: {
                        double du = frac(u / period) - 0.5;
                        double dv = frac(v / period) - 0.5;
                        f = du * du + dv * dv < 0.09 ? 0 : 1;
                        break;
                    }
                    case 6: f = specks[y * size + x] ? 0 : 1; break;
                    case 7: f = frac(Math.hypot(x - cx, y - cy) / period); break;
                    case 8: f = frac(u / period) < 0.18 || frac(v / period) < 0.18 ? 0 : 1; break;
                    default: f = frac((v + period * 0.35 * Math.sin(2 * Math.PI * u / (period * 2))) / period);
                }
                boolean on = f < duty;
                Color c = on ? fb[0] : fb[1];
                int n = r.nextInt(-12, 13);
                int i = 3 * (y * size + x);
                out[i] = (byte) Canvas.clamp(c.getRed() + n);
                out[i + 1] = (byte) Canvas.clamp(c.getGreen() + n);
                out[i + 2] = (byte) Canvas.clamp(c.getBlue() + n);
            }
        }
        return out;
    }

    private static double frac(double v) {
        return v - Math.floor(v);
    }
}
