package org.da3.workbench.data.procedural;

import java.awt.Color;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.TexturePaint;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pretraining source: 40 classes, each a shape (8, none of them the target domains' classes)
 * with a fill pattern (5). Learning it teaches edges, corners, curvature and texture, the features
 * the target domains reuse.
 */
final class MixtureGenerator implements Generator {
    private static final String[] SHAPES = {"ellipse", "round-rect", "semicircle", "trapezoid",
        "parallelogram", "star4", "star6", "l-shape"};
    private static final String[] FILLS = {"solid", "stripes", "dots", "checker", "gradient"};
    private static final List<String> CLASSES;

    static {
        List<String> c = new ArrayList<>();
        for (String s : SHAPES) {
            for (String f : FILLS) {
                c.add(s + "/" + f);
            }
        }
        CLASSES = List.copyOf(c);
    }

    @Override
    public String name() {
        return "mixture";
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    private static Shape shape(int i) {
        switch (i) {
            case 0: return UnitShapes.ellipse();
            case 1: return UnitShapes.roundRect();
            case 2: return UnitShapes.semicircle();
            case 3: return UnitShapes.trapezoid();
            case 4: return UnitShapes.parallelogram();
            case 5: return UnitShapes.star(4, 0.95, 0.35);
            case 6: return UnitShapes.star(6, 0.95, 0.55);
            default: return UnitShapes.lShape();
        }
    }

    private static Paint fill(int i, Color fg, Color bg, int size, SplittableRandom r) {
        if (i == 0) {
            return fg;
        }
        if (i == 4) {
            return new java.awt.GradientPaint(0, 0, fg, size, size * (float) r.nextDouble(), bg);
        }
        int p = Math.max(3, (int) (size * (0.08 + 0.06 * r.nextDouble())));
        BufferedImage tile = new BufferedImage(p, p, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < p; y++) {
            for (int x = 0; x < p; x++) {
                boolean on;
                if (i == 1) {
                    on = y < p / 2;
                } else if (i == 2) {
                    double dx = x - p / 2.0 + 0.5;
                    double dy = y - p / 2.0 + 0.5;
                    on = dx * dx + dy * dy < p * p / 9.0;
                } else {
                    on = (x < p / 2) ^ (y < p / 2);
                }
                tile.setRGB(x, y, (on ? fg : bg).getRGB());
            }
        }
        return new TexturePaint(tile, new java.awt.geom.Rectangle2D.Double(0, 0, p, p));
    }

    @Override
    public byte[] draw(int label, int size, SplittableRandom r) {
        int s = label / FILLS.length;
        int f = label % FILLS.length;
        Canvas c = new Canvas(size);
        Color[] fb = Canvas.contrasting(r);
        c.background(fb[1], r);
        c.clutter(r, fb[1], 2 + r.nextInt(4));
        AffineTransform t = c.place(r, 0.6, 0.9, 25);
        Color second = Canvas.jitter(fb[1], r, 50);
        c.g.setPaint(fill(f, fb[0], second, size, r));
        c.g.fill(t.createTransformedShape(shape(s)));
        c.g.setColor(fb[0]);
        c.g.setStroke(new java.awt.BasicStroke((float) (size / 48.0)));
        c.g.draw(t.createTransformedShape(shape(s)));
        return c.bytes(r, 10);
    }
}
