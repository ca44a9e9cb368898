package org.da3.workbench.data.procedural;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;

/** Shapes in the unit square [-1, 1]^2, shared by the generators. */
final class UnitShapes {
    private UnitShapes() {}

    static Shape polygon(int sides, double radius, double phase) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < sides; i++) {
            double a = phase + 2 * Math.PI * i / sides;
            double x = radius * Math.cos(a);
            double y = radius * Math.sin(a);
            if (i == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        p.closePath();
        return p;
    }

    static Shape star(int points, double outer, double inner) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < 2 * points; i++) {
            double a = -Math.PI / 2 + Math.PI * i / points;
            double r = i % 2 == 0 ? outer : inner;
            if (i == 0) {
                p.moveTo(r * Math.cos(a), r * Math.sin(a));
            } else {
                p.lineTo(r * Math.cos(a), r * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    static Shape circle(double r) {
        return new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
    }

    static Shape ring(double outer, double inner) {
        Area a = new Area(circle(outer));
        a.subtract(new Area(circle(inner)));
        return a;
    }

    static Shape square(double r) {
        return new Rectangle2D.Double(-r, -r, 2 * r, 2 * r);
    }

    static Shape cross(double r, double w) {
        Area a = new Area(new Rectangle2D.Double(-r, -w, 2 * r, 2 * w));
        a.add(new Area(new Rectangle2D.Double(-w, -r, 2 * w, 2 * r)));
        return a;
    }

    static Shape arrow() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-0.9, -0.25);
        p.lineTo(0.1, -0.25);
        p.lineTo(0.1, -0.6);
        p.lineTo(0.9, 0);
        p.lineTo(0.1, 0.6);
        p.lineTo(0.1, 0.25);
        p.lineTo(-0.9, 0.25);
        p.closePath();
        return p;
    }

    static Shape crescent() {
        Area a = new Area(circle(0.9));
        a.subtract(new Area(new Ellipse2D.Double(-0.5, -0.95, 1.8, 1.8)));
        return a;
    }

    static Shape lShape() {
        Area a = new Area(new Rectangle2D.Double(-0.8, -0.9, 0.6, 1.8));
        a.add(new Area(new Rectangle2D.Double(-0.8, 0.3, 1.6, 0.6)));
        return a;
    }

    static Shape ellipse() {
        return new Ellipse2D.Double(-0.9, -0.5, 1.8, 1.0);
    }

    static Shape roundRect() {
        return new RoundRectangle2D.Double(-0.85, -0.6, 1.7, 1.2, 0.7, 0.7);
    }

    static Shape semicircle() {
        Area a = new Area(circle(0.9));
        a.subtract(new Area(new Rectangle2D.Double(-1, 0, 2, 1)));
        return a;
    }

    static Shape trapezoid() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-0.9, 0.6);
        p.lineTo(0.9, 0.6);
        p.lineTo(0.45, -0.6);
        p.lineTo(-0.45, -0.6);
        p.closePath();
        return p;
    }

    static Shape parallelogram() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-0.9, 0.55);
        p.lineTo(0.4, 0.55);
        p.lineTo(0.9, -0.55);
        p.lineTo(-0.4, -0.55);
        p.closePath();
        return p;
    }

    static Shape heart() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, 0.85);
        p.curveTo(-1.2, 0.0, -0.7, -1.1, 0, -0.4);
        p.curveTo(0.7, -1.1, 1.2, 0.0, 0, 0.85);
        p.closePath();
        return p;
    }
}
