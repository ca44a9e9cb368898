package org.da3.workbench.report;

import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.da3.workbench.run.AtomicFiles;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/** Draws charts to PNG and SVG (JFreeSVG), in memory or to files written atomically. */
public final class ChartFiles {

    /** The default width in pixels. */
    public static final int WIDTH = 800;
    /** The default height in pixels. */
    public static final int HEIGHT = 500;

    private ChartFiles() {}

    /**
     * Draws a chart as PNG.
     *
     * @param chart the chart
     * @param width pixels
     * @param height pixels
     * @return the PNG bytes
     */
    public static byte[] png(JFreeChart chart, int width, int height) {
        check(width, height);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * Draws a chart as an SVG document.
     *
     * @param chart the chart
     * @param width pixels
     * @param height pixels
     * @return the SVG text
     */
    public static String svg(JFreeChart chart, int width, int height) {
        check(width, height);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix("da3");
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        return g.getSVGDocument();
    }

    /**
     * Writes a chart to a file, atomically.
     *
     * @param chart the chart
     * @param format PNG or SVG
     * @param file the destination
     * @param width pixels
     * @param height pixels
     * @throws IOException on a write error
     */
    public static void write(JFreeChart chart, ExportFormat format, Path file, int width, int height)
            throws IOException {
        byte[] bytes = bytes(chart, format, width, height);
        AtomicFiles.write(file, bytes);
    }

    /**
     * Draws a chart in a figure format.
     *
     * @param chart the chart
     * @param format PNG or SVG
     * @param width pixels
     * @param height pixels
     * @return the file's bytes
     */
    public static byte[] bytes(JFreeChart chart, ExportFormat format, int width, int height) {
        switch (format) {
            case PNG:
                return png(chart, width, height);
            case SVG:
                return svg(chart, width, height).getBytes(StandardCharsets.UTF_8);
            default:
                throw new IllegalArgumentException("format '" + format.id() + "' writes tables, not figures;"
                        + " use png or svg for a figure");
        }
    }

    private static void check(int width, int height) {
        if (width < 50 || height < 50 || width > 20_000 || height > 20_000) {
            throw new IllegalArgumentException("figure size " + width + "x" + height
                    + " is out of range; give --width and --height from 50 to 20000 pixels");
        }
    }
}
