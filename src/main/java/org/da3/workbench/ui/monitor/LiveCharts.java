package org.da3.workbench.ui.monitor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.ui.ChartPalette;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The Monitor's four live charts (JFreeChart in FX {@link ChartViewer}s), kept in step with the
 * chosen runs' {@link RunTrace}s. A sync adds only the points not drawn yet and redraws each chart
 * once; the series are rebuilt only when the chosen runs or their series change.
 */
final class LiveCharts {
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color GRID = new Color(0xE1E4E8);
    private static final Stroke SOLID = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final Stroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
            new float[] {6f, 4f}, 0f);
    private static final Stroke THIN = new BasicStroke(0.8f);

    private final Map<Chart, JFreeChart> charts = new EnumMap<>(Chart.class);
    private final Map<Chart, XYSeriesCollection> data = new EnumMap<>(Chart.class);
    private final Map<Chart, ChartViewer> viewers = new EnumMap<>(Chart.class);
    private final Map<Chart, List<String>> layout = new EnumMap<>(Chart.class);
    private final Map<String, Integer> drawn = new HashMap<>();
    private final Map<String, Integer> colours = new HashMap<>();
    private final Map<String, Integer> groups = new HashMap<>();
    private static final java.awt.Shape[] SHAPES = {
        new Ellipse2D.Double(-3.5, -3.5, 7, 7),
        new java.awt.Rectangle(-3, -3, 6, 6),
        new java.awt.Polygon(new int[] {0, 4, -4}, new int[] {-4, 3, 3}, 3),
        new java.awt.Polygon(new int[] {0, 4, 0, -4}, new int[] {-4, 0, 4, 0}, 4),
    };

    LiveCharts() {
        make(Chart.ACCURACY, "Accuracy per domain (test solid, train dashed)", "epoch (over the run)", "accuracy");
        make(Chart.LOSS, "Training loss", "step", "loss");
        make(Chart.MEMORY, "Memory", "seconds since the run started", "MB");
        make(Chart.GATES, "Gate sparsity (1 - open ratio)", "step", "sparsity");
        NumberAxis acc = (NumberAxis) charts.get(Chart.ACCURACY).getXYPlot().getRangeAxis();
        acc.setRange(0, 1.0);
        NumberAxis gates = (NumberAxis) charts.get(Chart.GATES).getXYPlot().getRangeAxis();
        gates.setRange(0, 1.0);
        ((NumberAxis) charts.get(Chart.MEMORY).getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) charts.get(Chart.ACCURACY).getXYPlot().getDomainAxis())
                .setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        charts.get(Chart.GATES).getXYPlot().setNoDataMessage("no gates in the selected runs (DA3 reports them)");
    }

    private void make(Chart c, String title, String x, String y) {
        XYSeriesCollection d = new XYSeriesCollection();
        JFreeChart chart = ChartFactory.createXYLineChart(title, x, y, d, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(TITLE);
        chart.getTitle().setPaint(new Color(0x24292F));
        chart.setAntiAlias(true);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setNoDataMessage("no data yet: select a run in the queue");
        plot.setNoDataMessageFont(LABEL);
        plot.setNoDataMessagePaint(new Color(0x57606A));
        for (NumberAxis a : new NumberAxis[] {(NumberAxis) plot.getDomainAxis(), (NumberAxis) plot.getRangeAxis()}) {
            a.setLabelFont(LABEL);
            a.setTickLabelFont(LABEL);
            a.setLabelPaint(new Color(0x57606A));
        }
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDefaultStroke(SOLID);
        r.setAutoPopulateSeriesStroke(false);
        plot.setRenderer(r);
        LegendTitle legend = chart.getLegend();
        legend.setItemFont(LABEL);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        ChartViewer viewer = new ChartViewer(chart);
        viewer.setId("chart-" + c.name().toLowerCase(java.util.Locale.ROOT));
        charts.put(c, chart);
        data.put(c, d);
        viewers.put(c, viewer);
        layout.put(c, List.of());
    }

    /**
     * The viewer of a chart.
     *
     * @param c the chart
     * @return its viewer node
     */
    ChartViewer viewer(Chart c) {
        return viewers.get(c);
    }

    /**
     * The chart model of a chart.
     *
     * @param c the chart
     * @return the JFreeChart
     */
    JFreeChart chart(Chart c) {
        return charts.get(c);
    }

    /**
     * Brings every chart up to date with the chosen runs.
     *
     * @param runs the runs to draw, overlaid
     */
    void sync(List<RunItem> runs) {
        boolean overlay = runs.size() > 1;
        for (Chart c : Chart.values()) {
            List<String> keys = new ArrayList<>();
            List<RunTrace.Series> series = new ArrayList<>();
            List<RunItem> owners = new ArrayList<>();
            for (RunItem run : runs) {
                for (RunTrace.Series s : run.trace().series(c)) {
                    if (overlay && (s.style() == RunTrace.Style.THIN
                            || (c == Chart.ACCURACY && s.style() == RunTrace.Style.DASHED))) {
                        continue; // per-block gates and training accuracy only for a single run
                    }
                    keys.add(run.job().id() + "|" + s.key() + "|" + overlay);
                    series.add(s);
                    owners.add(run);
                }
            }
            JFreeChart chart = charts.get(c);
            XYSeriesCollection d = data.get(c);
            chart.setNotify(false);
            try {
                if (!keys.equals(layout.get(c))) {
                    rebuild(c, d, keys, series, owners, overlay);
                } else {
                    for (int i = 0; i < series.size(); i++) {
                        append(d.getSeries(i), series.get(i), keys.get(i));
                    }
                }
            } finally {
                chart.setNotify(true);
            }
        }
    }

    private void rebuild(Chart c, XYSeriesCollection d, List<String> keys, List<RunTrace.Series> series,
            List<RunItem> owners, boolean overlay) {
        d.removeAllSeries();
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) charts.get(c).getXYPlot().getRenderer();
        for (int i = 0; i < series.size(); i++) {
            RunTrace.Series s = series.get(i);
            String name = overlay ? owners.get(i).label() + " · " + s.name() : s.name();
            XYSeries xy = new XYSeries(uniqueName(d, name), true, true);
            d.addSeries(xy);
            drawn.put(keys.get(i), 0);
            append(xy, s, keys.get(i));
            // one colour per run when runs overlay (domains then differ by marker), else per group
            String colourKey = overlay ? "run " + owners.get(i).job().id() : s.group();
            Color colour = ChartPalette.color(colours.computeIfAbsent(colourKey, k -> colours.size()));
            r.setSeriesPaint(i, s.style() == RunTrace.Style.THIN ? blend(colour) : colour);
            r.setSeriesStroke(i, s.style() == RunTrace.Style.SOLID ? SOLID
                    : s.style() == RunTrace.Style.DASHED ? DASHED : THIN);
            boolean points = c == Chart.ACCURACY && s.style() == RunTrace.Style.SOLID;
            r.setSeriesShapesVisible(i, points);
            r.setSeriesShape(i, overlay ? SHAPES[Math.floorMod(groupIndex(s.group()), SHAPES.length)]
                    : new Ellipse2D.Double(-3, -3, 6, 6));
            r.setSeriesVisibleInLegend(i, s.style() != RunTrace.Style.THIN);
        }
        layout.put(c, List.copyOf(keys));
    }

    private void append(XYSeries xy, RunTrace.Series s, String key) {
        int from = drawn.getOrDefault(key, 0);
        if (s.size() == from) {
            return;
        }
        if (s.size() > Thinning.MAX_DRAWN) {
            // a long series is drawn thinned, made again from all its points as they grow
            xy.clear();
            for (double[] p : Thinning.of(s)) {
                xy.add(p[0], p[1], false);
            }
        } else {
            for (int i = from; i < s.size(); i++) {
                xy.add(s.x(i), s.y(i), false);
            }
        }
        drawn.put(key, s.size());
        xy.fireSeriesChanged();
    }

    private int groupIndex(String group) {
        return groups.computeIfAbsent(group, k -> groups.size());
    }

    private static String uniqueName(XYSeriesCollection d, String name) {
        String n = name;
        for (int k = 2; d.getSeriesIndex(n) >= 0; k++) {
            n = name + " (" + k + ")";
        }
        return n;
    }

    private static Color blend(Color c) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), 110);
    }

    /**
     * The number of points a chart holds, over its series.
     *
     * @param c the chart
     * @return the count
     */
    int itemCount(Chart c) {
        XYSeriesCollection d = data.get(c);
        int n = 0;
        for (int i = 0; i < d.getSeriesCount(); i++) {
            n += d.getItemCount(i);
        }
        return n;
    }
}
