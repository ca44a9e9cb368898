package org.da3.workbench.data.procedural;

import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.util.List;
import java.util.SplittableRandom;

/** Ten filled shapes at random places, sizes, angles and colours, over a cluttered background. */
final class ShapesGenerator implements Generator {
    private static final List<String> CLASSES = List.of("circle", "square", "triangle", "star",
            "cross", "ring", "hexagon", "arrow", "crescent", "heart");

    @Override
    public String name() {
        return "shapes";
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    static Shape shape(int label) {
        switch (label) {
            case 0: return UnitShapes.circle(0.9);
            case 1: return UnitShapes.square(0.75);
            case 2: return UnitShapes.polygon(3, 0.95, -Math.PI / 2);
            case 3: return UnitShapes.star(5, 0.95, 0.4);
            case 4: return UnitShapes.cross(0.9, 0.28);
            case 5: return UnitShapes.ring(0.9, 0.55);
            case 6: return UnitShapes.polygon(6, 0.9, 0);
            case 7: return UnitShapes.arrow();
            case 8: return UnitShapes.crescent();
            default: return UnitShapes.heart();
        }
    }

    @Override
    public byte[] draw(int label, int size, SplittableRandom r) {
        Canvas c = new Canvas(size);
        Color[] fb = Canvas.contrasting(r);
        c.background(fb[1], r);
        c.clutter(r, fb[1], 3 + r.nextInt(4));
        AffineTransform t = c.place(r, 0.5, 0.85, 30);
        c.fill(shape(label), t, fb[0]);
        return c.bytes(r, 10);
    }
}
