package org.da3.workbench.data.procedural;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * A small Java2D canvas with the helpers the generators share: random colours with contrast,
 * cluttered backgrounds, transformed shapes, and the final noise pass to bytes.
 */
final class Canvas {
    final int size;
    final BufferedImage image;
    final Graphics2D g;

    Canvas(int size) {
        this.size = size;
        this.image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        this.g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    }

    /** A random colour from HSB with the given brightness range. */
    static Color color(SplittableRandom r, double minB, double maxB) {
        float h = (float) r.nextDouble();
        float s = (float) (0.35 + 0.65 * r.nextDouble());
        float b = (float) (minB + (maxB - minB) * r.nextDouble());
        return Color.getHSBColor(h, s, b);
    }

    /** A pair of colours that differ clearly in brightness (foreground, background). */
    static Color[] contrasting(SplittableRandom r) {
        boolean darkBg = r.nextBoolean();
        Color bg = darkBg ? color(r, 0.05, 0.35) : color(r, 0.65, 1.0);
        Color fg = darkBg ? color(r, 0.65, 1.0) : color(r, 0.05, 0.4);
        return new Color[] {fg, bg};
    }

    /** Fills the background with a vertical gradient between two colours near the given one. */
    void background(Color base, SplittableRandom r) {
        Color other = jitter(base, r, 40);
        g.setPaint(new java.awt.GradientPaint(0, 0, base, (float) (size * r.nextDouble()), size, other));
        g.fillRect(0, 0, size, size);
    }

    /** Adds a few thin random lines and dots as clutter. */
    void clutter(SplittableRandom r, Color near, int count) {
        for (int i = 0; i < count; i++) {
            g.setColor(jitter(near, r, 70));
            g.setStroke(new BasicStroke((float) (size / 64.0 * (0.5 + r.nextDouble()))));
            double x0 = r.nextDouble() * size;
            double y0 = r.nextDouble() * size;
            if (r.nextBoolean()) {
                g.draw(new java.awt.geom.Line2D.Double(x0, y0, x0 + (r.nextDouble() - 0.5) * size * 0.5,
                        y0 + (r.nextDouble() - 0.5) * size * 0.5));
            } else {
                double d = size / 32.0 * (0.5 + r.nextDouble());
                g.fill(new java.awt.geom.Ellipse2D.Double(x0, y0, d, d));
            }
        }
    }

    static Color jitter(Color c, SplittableRandom r, int amount) {
        return new Color(clamp(c.getRed() + r.nextInt(-amount, amount + 1)),
                clamp(c.getGreen() + r.nextInt(-amount, amount + 1)),
                clamp(c.getBlue() + r.nextInt(-amount, amount + 1)));
    }

    static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /**
     * A transform that maps the unit square [-1, 1]^2 to the canvas with a random scale, rotation
     * and offset.
     */
    AffineTransform place(SplittableRandom r, double minScale, double maxScale, double maxRotDeg) {
        double scale = size / 2.0 * (minScale + (maxScale - minScale) * r.nextDouble());
        double maxShift = Math.max(0, size / 2.0 - scale);
        double cx = size / 2.0 + (r.nextDouble() * 2 - 1) * maxShift * 0.8;
        double cy = size / 2.0 + (r.nextDouble() * 2 - 1) * maxShift * 0.8;
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(Math.toRadians((r.nextDouble() * 2 - 1) * maxRotDeg));
        t.scale(scale, scale);
        return t;
    }

    void fill(Shape unitShape, AffineTransform t, Color c) {
        g.setColor(c);
        g.fill(t.createTransformedShape(unitShape));
    }

    /** Finishes: adds pixel noise and returns RGB bytes (HWC). */
    byte[] bytes(SplittableRandom r, int noise) {
        g.dispose();
        int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        byte[] out = new byte[size * size * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            int n = noise == 0 ? 0 : r.nextInt(-noise, noise + 1);
            out[3 * i] = (byte) clamp(((p >> 16) & 0xFF) + n);
            out[3 * i + 1] = (byte) clamp(((p >> 8) & 0xFF) + n);
            out[3 * i + 2] = (byte) clamp((p & 0xFF) + n);
        }
        return out;
    }
}
