package org.da3.workbench.data.procedural;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ten traffic-sign-like classes: a plate shape and colour scheme with a symbol, over an outdoor-ish
 * gradient background. Classes share plates or symbols pairwise, so colour alone is not enough.
 */
final class SignsGenerator implements Generator {
    private static final List<String> CLASSES = List.of("no-entry", "warning", "stop", "ahead",
            "right-turn", "priority", "parking", "yield", "no-parking", "exit");

    private static final Color RED = new Color(200, 30, 35);
    private static final Color BLUE = new Color(25, 70, 180);
    private static final Color YELLOW = new Color(245, 200, 30);
    private static final Color WHITE = new Color(245, 245, 245);
    private static final Color GREEN = new Color(20, 130, 60);
    private static final Color BLACK = new Color(20, 20, 20);

    @Override
    public String name() {
        return "signs";
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    @Override
    public byte[] draw(int label, int size, SplittableRandom r) {
        Canvas c = new Canvas(size);
        Color sky = Canvas.color(r, 0.45, 0.95);
        c.background(sky, r);
        c.clutter(r, Canvas.color(r, 0.2, 0.6), 3 + r.nextInt(4));
        AffineTransform t = c.place(r, 0.55, 0.85, 12);
        int shade = r.nextInt(-30, 31);
        switch (label) {
            case 0: // red disc, white bar
                c.fill(UnitShapes.circle(0.9), t, tone(RED, shade));
                c.fill(new java.awt.geom.Rectangle2D.Double(-0.6, -0.15, 1.2, 0.3), t, WHITE);
                break;
            case 1: // red-bordered triangle with a bar
                c.fill(UnitShapes.polygon(3, 0.95, -Math.PI / 2), t, tone(RED, shade));
                c.fill(UnitShapes.polygon(3, 0.62, -Math.PI / 2), t, WHITE);
                c.fill(new java.awt.geom.Rectangle2D.Double(-0.06, -0.2, 0.12, 0.4), t, BLACK);
                break;
            case 2: // red octagon, white band
                c.fill(UnitShapes.polygon(8, 0.92, Math.PI / 8), t, tone(RED, shade));
                c.fill(new java.awt.geom.Rectangle2D.Double(-0.55, -0.1, 1.1, 0.2), t, WHITE);
                break;
            case 3: // blue disc, arrow up
                c.fill(UnitShapes.circle(0.9), t, tone(BLUE, shade));
                arrow(c, t, -Math.PI / 2);
                break;
            case 4: // blue disc, arrow right
                c.fill(UnitShapes.circle(0.9), t, tone(BLUE, shade));
                arrow(c, t, 0);
                break;
            case 5: // yellow diamond with white border
                c.fill(UnitShapes.polygon(4, 0.95, 0), t, WHITE);
                c.fill(UnitShapes.polygon(4, 0.7, 0), t, tone(YELLOW, shade));
                break;
            case 6: // blue square, white bar and bowl (a stroke "P")
                c.fill(UnitShapes.square(0.8), t, tone(BLUE, shade));
                stroke(c, t, WHITE, new Line2D.Double(-0.25, -0.5, -0.25, 0.55));
                c.g.setStroke(new BasicStroke((float) (c.size * 0.06)));
                c.g.draw(t.createTransformedShape(new java.awt.geom.Arc2D.Double(-0.45, -0.5, 0.8, 0.55, -90, 180, java.awt.geom.Arc2D.OPEN)));
                break;
            case 7: // inverted red-bordered triangle
                c.fill(UnitShapes.polygon(3, 0.95, Math.PI / 2), t, tone(RED, shade));
                c.fill(UnitShapes.polygon(3, 0.6, Math.PI / 2), t, WHITE);
                break;
            case 8: // blue disc with red ring and slash
                c.fill(UnitShapes.circle(0.9), t, tone(RED, shade));
                c.fill(UnitShapes.circle(0.65), t, tone(BLUE, shade));
                stroke(c, t, tone(RED, shade), new Line2D.Double(-0.5, -0.5, 0.5, 0.5));
                break;
            default: // green rectangle with arrow
                c.fill(new java.awt.geom.Rectangle2D.Double(-0.95, -0.6, 1.9, 1.2), t, tone(GREEN, shade));
                arrow(c, t, 0);
                break;
        }
        return c.bytes(r, 10);
    }

    private static Color tone(Color c, int shade) {
        return new Color(Canvas.clamp(c.getRed() + shade), Canvas.clamp(c.getGreen() + shade),
                Canvas.clamp(c.getBlue() + shade));
    }

    private static void stroke(Canvas c, AffineTransform t, Color color, Shape s) {
        c.g.setColor(color);
        c.g.setStroke(new BasicStroke((float) (c.size * 0.07), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        c.g.draw(t.createTransformedShape(s));
    }

    private static void arrow(Canvas c, AffineTransform t, double angle) {
        AffineTransform a = new AffineTransform(t);
        a.rotate(angle);
        a.scale(0.6, 0.6);
        c.fill(UnitShapes.arrow(), a, WHITE);
    }
}
