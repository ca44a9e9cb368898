package org.da3.workbench.data.procedural;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ten stroke-drawn capital letters (no fonts, so images are the same on every machine), with random
 * affine jitter, stroke width, colours and clutter. Several letters share strokes (E/F, H/N/K), so
 * the task is not trivial.
 */
final class GlyphsGenerator implements Generator {
    private static final List<String> CLASSES = List.of("A", "E", "F", "H", "K", "L", "N", "T", "X", "Z");

    /** Polylines per letter in the unit square [-1, 1]^2 (y down); NaN separates strokes. */
    private static final double[][] STROKES = {
        {-0.7, 0.9, 0, -0.9, 0.7, 0.9, Double.NaN, Double.NaN, -0.4, 0.25, 0.4, 0.25},
        {0.6, -0.9, -0.6, -0.9, -0.6, 0.9, 0.6, 0.9, Double.NaN, Double.NaN, -0.6, 0, 0.4, 0},
        {0.6, -0.9, -0.6, -0.9, -0.6, 0.9, Double.NaN, Double.NaN, -0.6, 0, 0.4, 0},
        {-0.6, -0.9, -0.6, 0.9, Double.NaN, Double.NaN, 0.6, -0.9, 0.6, 0.9, Double.NaN, Double.NaN, -0.6, 0, 0.6, 0},
        {-0.6, -0.9, -0.6, 0.9, Double.NaN, Double.NaN, 0.6, -0.9, -0.6, 0.1, Double.NaN, Double.NaN, -0.25, -0.2, 0.6, 0.9},
        {-0.6, -0.9, -0.6, 0.9, 0.6, 0.9},
        {-0.6, 0.9, -0.6, -0.9, 0.6, 0.9, 0.6, -0.9},
        {-0.7, -0.9, 0.7, -0.9, Double.NaN, Double.NaN, 0, -0.9, 0, 0.9},
        {-0.65, -0.9, 0.65, 0.9, Double.NaN, Double.NaN, 0.65, -0.9, -0.65, 0.9},
        {-0.6, -0.9, 0.6, -0.9, -0.6, 0.9, 0.6, 0.9},
    };

    @Override
    public String name() {
        return "glyphs";
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    static Path2D.Double path(double[] pts) {
        Path2D.Double p = new Path2D.Double();
        boolean start = true;
        for (int i = 0; i < pts.length; i += 2) {
            if (Double.isNaN(pts[i])) {
                start = true;
                continue;
            }
            if (start) {
                p.moveTo(pts[i], pts[i + 1]);
                start = false;
            } else {
                p.lineTo(pts[i], pts[i + 1]);
            }
        }
        return p;
    }

    @Override
    public byte[] draw(int label, int size, SplittableRandom r) {
        Canvas c = new Canvas(size);
        Color[] fb = Canvas.contrasting(r);
        c.background(fb[1], r);
        c.clutter(r, fb[1], 4 + r.nextInt(5));
        AffineTransform t = c.place(r, 0.55, 0.85, 15);
        t.shear((r.nextDouble() * 2 - 1) * 0.25, 0);
        float width = (float) (size * (0.05 + 0.05 * r.nextDouble()));
        c.g.setColor(fb[0]);
        c.g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        c.g.draw(t.createTransformedShape(path(STROKES[label])));
        return c.bytes(r, 10);
    }
}
