package org.da3.workbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.da3.workbench.report.ResultsStore.Entry;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/**
 * The figures for papers, as JFreeChart charts (draw them with {@link ChartFiles}, or show them in
 * the GUI). Like the tables, methods are aggregated over their completed seeds and runs that
 * stopped part-way are drawn on their own, labelled with their status; a run a figure cannot show
 * (no value on an axis) is named in the figure's subtitle, never dropped silently.
 */
public final class Figures {

    private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Figures() {}

    /**
     * Accuracy against peak training memory (the Pareto view): one point per method at its mean
     * over completed seeds, with standard-deviation bars on both axes and its label, and the
     * Pareto front of the methods (less memory, more accuracy) as a dashed line.
     *
     * @param store the results
     * @param o the options (which memory)
     * @return the chart
     */
    public static JFreeChart pareto(ResultsStore store, FigureOptions o) {
        ResultsStore s = store.withEntriesPerRun(false);
        boolean analytic = o.memory() == FigureOptions.Memory.ANALYTIC;
        String memColumn = analytic ? "analytic_step_bytes" : "measured_step_bytes";
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        List<double[]> means = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Entry e : s.entries()) {
            if (e.partial()) {
                missing.add(e.key() + " (" + e.statusText() + ")");
                continue;
            }
            Stats m = s.stats(e.key(), memColumn);
            Stats a = s.stats(e.key(), ResultsStore.ACCURACY);
            if (!m.present() || !a.present()) {
                missing.add(e.key() + " (no " + (m.present() ? "mean accuracy" : (analytic ? "analytic" : "measured")
                        + " memory") + ")");
                continue;
            }
            double x = m.mean() / 1e6;
            double y = 100 * a.mean();
            double dx = m.hasSpread() ? m.std() / 1e6 : 0;
            double dy = a.hasSpread() ? 100 * a.std() : 0;
            XYIntervalSeries series = new XYIntervalSeries(e.key() + (e.runs().size() > 1 ? " (" + e.runs().size()
                    + " seeds)" : ""));
            series.add(x, x - dx, x + dx, y, y - dy, y + dy);
            data.addSeries(series);
            means.add(new double[] {x, y});
            labels.add(e.key());
        }
        List<double[]> frontPoints = paretoFront(means);
        int frontIndex = -1;
        if (frontPoints.size() > 1) {
            XYIntervalSeries front = new XYIntervalSeries("Pareto front");
            for (double[] p : frontPoints) {
                front.add(p[0], p[0], p[0], p[1], p[1], p[1]);
            }
            data.addSeries(front);
            frontIndex = data.getSeriesCount() - 1;
        }
        NumberAxis xAxis = new NumberAxis((analytic ? "Analytic" : "Measured") + " peak training memory (MB)");
        xAxis.setAutoRangeIncludesZero(true);
        NumberAxis yAxis = new NumberAxis("Mean test accuracy (%)");
        yAxis.setAutoRangeIncludesZero(false);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(false);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6);
        renderer.setErrorPaint(Color.DARK_GRAY);
        if (frontIndex >= 0) {
            renderer.setSeriesLinesVisible(frontIndex, true);
            renderer.setSeriesShapesVisible(frontIndex, false);
            renderer.setSeriesPaint(frontIndex, Color.GRAY);
            renderer.setSeriesStroke(frontIndex, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND,
                    1f, new float[] {6f, 4f}, 0f));
        }
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        double maxX = means.stream().mapToDouble(m -> m[0]).max().orElse(0);
        for (int i = 0; i < means.size(); i++) {
            // labels of the points on the right half go to their left, so the plot's edge does not cut them
            boolean right = maxX > 0 && means.get(i)[0] > 0.5 * maxX;
            XYTextAnnotation label = new XYTextAnnotation(right ? labels.get(i) + "  " : "  " + labels.get(i),
                    means.get(i)[0], means.get(i)[1]);
            label.setTextAnchor(right ? TextAnchor.BOTTOM_RIGHT : TextAnchor.BOTTOM_LEFT);
            label.setFont(SUBTITLE);
            plot.addAnnotation(label);
        }
        JFreeChart chart = new JFreeChart(title(o, "Accuracy against training memory"), JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        style(chart);
        notShown(chart, missing, "no point");
        return chart;
    }

    /**
     * Peak training memory per method: analytic and measured bars, mean ± standard deviation over
     * seeds; runs that stopped part-way get bars of their own, labelled with their status.
     *
     * @param store the results
     * @param o the options
     * @return the chart
     */
    public static JFreeChart memory(ResultsStore store, FigureOptions o) {
        ResultsStore s = store.withEntriesPerRun(false);
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        List<String> missing = new ArrayList<>();
        boolean anyAnalytic = s.entries().stream().anyMatch(e -> s.stats(e.key(), "analytic_step_bytes").present());
        for (Entry e : s.entries()) {
            String label = e.partial() ? e.key() + " (" + e.runs().get(0).record().status() + ")" : e.key();
            Stats a = s.stats(e.key(), "analytic_step_bytes");
            Stats m = s.stats(e.key(), "measured_step_bytes");
            if (!a.present() && !m.present()) {
                missing.add(label + " (no memory reported)");
                continue;
            }
            if (anyAnalytic) {
                data.add(a.present() ? Double.valueOf(a.mean() / 1e6) : null,
                        Double.valueOf(a.hasSpread() ? a.std() / 1e6 : 0), "Analytic", label);
            }
            data.add(m.present() ? Double.valueOf(m.mean() / 1e6) : null, Double.valueOf(m.hasSpread() ? m.std() / 1e6 : 0),
                    "Measured", label);
        }
        CategoryAxis x = new CategoryAxis("Method");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        NumberAxis y = new NumberAxis("Peak training memory (MB)");
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.DARK_GRAY);
        renderer.setDrawBarOutline(false);
        renderer.setShadowVisible(false);
        CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
        JFreeChart chart = new JFreeChart(title(o, "Peak training memory per method"), JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        style(chart);
        if (!anyAnalytic) {
            missing.add("analytic memory (not reported by these runs)");
        }
        notShown(chart, missing, "no bar");
        return chart;
    }

    /**
     * Per-epoch test accuracy of the domain being trained against training steps: one curve per
     * method (mean over its completed seeds), one per run that stopped part-way; domain changes
     * are marked.
     *
     * @param store the results
     * @param o the options
     * @return the chart
     */
    public static JFreeChart accuracyCurves(ResultsStore store, FigureOptions o) {
        return curves(store, o, RunResult::testCurve, "Test accuracy during training", "Test accuracy (%)", 100,
                "no per-epoch evaluation");
    }

    /**
     * Gate sparsity (1 − open ratio of the DA3 gates) during training against training steps: one
     * curve per method with gates (mean over its completed seeds), one per run that stopped
     * part-way.
     *
     * @param store the results
     * @param o the options
     * @return the chart
     */
    public static JFreeChart gateCurves(ResultsStore store, FigureOptions o) {
        JFreeChart chart = curves(store, o, RunResult::gateCurve, "Gate sparsity during training",
                "Gate sparsity (1 − open ratio)", 1, "no gates");
        NumberAxis y = (NumberAxis) chart.getXYPlot().getRangeAxis();
        y.setRange(0, 1);
        return chart;
    }

    /** The most points a curve is drawn with a marker on each; longer curves are plain lines. */
    static final int MAX_MARKED_POINTS = 200;

    private static JFreeChart curves(ResultsStore store, FigureOptions o,
            Function<RunResult, List<RunResult.CurvePoint>> curve, String defaultTitle, String yLabel, double scale,
            String noData) {
        ResultsStore s = store.withEntriesPerRun(false);
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> missing = new ArrayList<>();
        RunResult longest = null;
        for (Entry e : s.entries()) {
            String label = e.partial() ? e.key() + " (" + e.runs().get(0).record().status() + ")" : e.key();
            Map<Long, double[]> byStep = new TreeMap<>();
            for (RunResult r : e.runs()) {
                for (RunResult.CurvePoint p : curve.apply(r)) {
                    double[] acc = byStep.computeIfAbsent(p.runStep(), k -> new double[3]);
                    acc[0] += p.value();
                    acc[1]++;
                    acc[2] = p.domainIndex();
                }
                if (longest == null || r.trainCurve().size() > longest.trainCurve().size()) {
                    longest = r;
                }
            }
            if (byStep.isEmpty()) {
                missing.add(label + " (" + noData + ")");
                continue;
            }
            XYSeries series = new XYSeries(label, false, true);
            int domain = -1;
            for (Map.Entry<Long, double[]> p : byStep.entrySet()) {
                double[] v = p.getValue();
                if (domain >= 0 && v[2] != domain) {
                    series.add(p.getKey() - 0.5, null);
                }
                domain = (int) v[2];
                series.add(p.getKey().doubleValue(), scale * v[0] / v[1]);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title(o, defaultTitle), "Training steps (run)", yLabel,
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        // a marker per logged point suits a short run; a long one (thousands of points) would be a
        // smear of markers and an SVG of megabytes: a line, drawn as one path per series
        int points = 0;
        for (int i = 0; i < data.getSeriesCount(); i++) {
            points = Math.max(points, data.getItemCount(i));
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, points <= MAX_MARKED_POINTS);
        renderer.setDrawSeriesLineAsPath(true);
        plot.setRenderer(renderer);
        if (longest != null) {
            domainMarkers(plot, longest);
        }
        style(chart);
        notShown(chart, missing, "no curve");
        return chart;
    }

    /** Vertical markers where a run moves on to its next domain, labelled with that domain. */
    private static void domainMarkers(XYPlot plot, RunResult r) {
        List<RunResult.CurvePoint> pts = r.trainCurve();
        for (int i = 1; i < pts.size(); i++) {
            RunResult.CurvePoint prev = pts.get(i - 1);
            RunResult.CurvePoint cur = pts.get(i);
            if (cur.domainIndex() != prev.domainIndex()) {
                ValueMarker m = new ValueMarker(prev.runStep() + 0.5);
                m.setPaint(Color.GRAY);
                m.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                        new float[] {3f, 3f}, 0f));
                m.setLabel(cur.domain());
                m.setLabelFont(SUBTITLE);
                m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                plot.addDomainMarker(m);
            }
        }
    }

    /**
     * The points no other point dominates (less or equal memory and more or equal accuracy), by
     * increasing memory.
     *
     * @param points (memory, accuracy) pairs
     * @return the front
     */
    static List<double[]> paretoFront(List<double[]> points) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
        List<double[]> front = new ArrayList<>();
        double bestAcc = Double.NEGATIVE_INFINITY;
        for (double[] p : sorted) {
            if (p[1] > bestAcc) {
                front.add(p);
                bestAcc = p[1];
            }
        }
        return front;
    }

    private static String title(FigureOptions o, String def) {
        return o.title() == null ? def : o.title();
    }

    /**
     * Series colours: the Okabe-Ito palette, told apart by colour-blind readers and in print, its
     * yellow (hard to see on white) left out.
     */
    private static final java.awt.Paint[] SERIES = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
        new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), Color.BLACK, new Color(0x8C6D31)};

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        org.jfree.chart.plot.DefaultDrawingSupplier colours = new org.jfree.chart.plot.DefaultDrawingSupplier(SERIES,
                org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
                org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE,
                org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
                org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE,
                org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE);
        if (chart.getPlot() instanceof XYPlot) {
            XYPlot p = (XYPlot) chart.getPlot();
            p.setDomainGridlinePaint(Color.LIGHT_GRAY);
            p.setRangeGridlinePaint(Color.LIGHT_GRAY);
            p.setDrawingSupplier(colours);
        } else if (chart.getPlot() instanceof CategoryPlot) {
            ((CategoryPlot) chart.getPlot()).setRangeGridlinePaint(Color.LIGHT_GRAY);
            ((CategoryPlot) chart.getPlot()).setDrawingSupplier(colours);
        }
    }

    private static void notShown(JFreeChart chart, List<String> missing, String what) {
        if (!missing.isEmpty()) {
            chart.addSubtitle(new TextTitle("Not shown (" + what + "): " + String.join("; ", missing), SUBTITLE));
        }
    }
}
