package org.da3.workbench.ui.results;

import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.da3.workbench.run.AtomicFiles;
import org.da3.workbench.ui.ChartPalette;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Exports the comparison table as CSV, Markdown or LaTeX, and a grouped bar chart of accuracy per
 * domain and method as PNG or SVG (JFreeChart, drawn off screen).
 */
public final class BasicResultsExporter implements ResultsExporter {
    /** Figure size in pixels. */
    static final int WIDTH = 900;
    /** Figure size in pixels. */
    static final int HEIGHT = 500;

    @Override
    public void export(String title, List<String> domains, List<ResultRow> rows, ExportFormat format, Path file)
            throws IOException {
        rows = qualified(rows);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        switch (format) {
            case CSV:
                AtomicFiles.writeString(file, csv(domains, rows));
                break;
            case MARKDOWN:
                AtomicFiles.writeString(file, markdown(domains, rows));
                break;
            case LATEX:
                AtomicFiles.writeString(file, latex(title, domains, rows));
                break;
            case PNG:
                ChartUtils.saveChartAsPNG(file.toFile(), figure(title, domains, rows), WIDTH, HEIGHT);
                break;
            case SVG:
            default:
                SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
                figure(title, domains, rows).draw(g, new Rectangle(WIDTH, HEIGHT));
                SVGUtils.writeToSVG(file.toFile(), g.getSVGElement());
                break;
        }
    }

    /**
     * Prefixes each label with its experiment when the rows come from more than one, so rows
     * (and figure series) stay apart.
     *
     * @param rows the rows
     * @return the rows, relabelled if needed
     */
    static List<ResultRow> qualified(List<ResultRow> rows) {
        if (rows.stream().map(ResultRow::experiment).distinct().count() < 2) {
            return rows;
        }
        List<ResultRow> out = new ArrayList<>();
        for (ResultRow r : rows) {
            out.add(new ResultRow(r.experiment(), r.experiment() + "/" + r.label(), r.method(), r.seeds(), r.domains(),
                    r.accuracy(), r.accuracyStd(), r.meanAccuracy(), r.peakTrainBytes(), r.stepSeconds(),
                    r.trainableParams(), r.patchBytes(), r.gateSparsity(), r.flops(), r.status(), r.runIds()));
        }
        return out;
    }

    /**
     * The header of the text tables.
     *
     * @param domains the domain columns
     * @return the column names
     */
    static List<String> header(List<String> domains) {
        List<String> h = new ArrayList<>();
        h.add("method");
        h.add("seeds");
        h.addAll(domains);
        h.add("mean");
        h.add("peak train MB");
        h.add("step ms");
        h.add("trainable/domain");
        h.add("patch kB/domain");
        h.add("gate sparsity");
        h.add("GFLOPs/img");
        return h;
    }

    /**
     * A row's cells as text, accuracy in percent.
     *
     * @param domains the domain columns
     * @param r the row
     * @return the cells
     */
    static List<String> cells(List<String> domains, ResultRow r) {
        List<String> c = new ArrayList<>();
        c.add(r.label());
        c.add(Integer.toString(r.seeds()));
        for (String d : domains) {
            c.add(pct(r.accuracy(d)));
        }
        c.add(pct(r.meanAccuracy()));
        c.add(r.peakTrainBytes() < 0 ? "-" : fmt("%.1f", r.peakTrainBytes() / 1e6));
        c.add(Double.isNaN(r.stepSeconds()) ? "-" : fmt("%.1f", r.stepSeconds() * 1000));
        c.add(Double.isNaN(r.trainableParams()) ? "-" : fmt("%.0f", r.trainableParams()));
        c.add(Double.isNaN(r.patchBytes()) ? "-" : fmt("%.1f", r.patchBytes() / 1e3));
        c.add(Double.isNaN(r.gateSparsity()) ? "-" : fmt("%.2f", r.gateSparsity()));
        c.add(Double.isNaN(r.flops()) ? "-" : fmt("%.3f", r.flops() / 1e9));
        return c;
    }

    static String csv(List<String> domains, List<ResultRow> rows) {
        StringBuilder sb = new StringBuilder();
        List<String> h = new ArrayList<>();
        h.add("experiment");
        h.add("method");
        h.add("label");
        h.add("seeds");
        for (String d : domains) {
            h.add("acc_" + d);
        }
        h.addAll(List.of("acc_mean", "peak_train_bytes", "step_seconds", "trainable_params", "patch_bytes",
                "gate_sparsity", "flops", "status"));
        sb.append(String.join(",", h)).append('\n');
        for (ResultRow r : rows) {
            List<String> c = new ArrayList<>();
            c.add(quote(r.experiment()));
            c.add(quote(r.method()));
            c.add(quote(r.label()));
            c.add(Integer.toString(r.seeds()));
            for (String d : domains) {
                c.add(num(r.accuracy(d), "%.6f"));
            }
            c.add(num(r.meanAccuracy(), "%.6f"));
            c.add(r.peakTrainBytes() < 0 ? "" : Long.toString(r.peakTrainBytes()));
            c.add(num(r.stepSeconds(), "%.6f"));
            c.add(num(r.trainableParams(), "%.0f"));
            c.add(num(r.patchBytes(), "%.0f"));
            c.add(num(r.gateSparsity(), "%.4f"));
            c.add(num(r.flops(), "%.0f"));
            c.add(quote(r.status()));
            sb.append(String.join(",", c)).append('\n');
        }
        return sb.toString();
    }

    static String markdown(List<String> domains, List<ResultRow> rows) {
        List<String> h = header(domains);
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", h)).append(" |\n|");
        for (int i = 0; i < h.size(); i++) {
            sb.append(i == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (ResultRow r : rows) {
            sb.append("| ").append(String.join(" | ", cells(domains, r))).append(" |\n");
        }
        return sb.toString();
    }

    static String latex(String title, List<String> domains, List<ResultRow> rows) {
        List<String> h = header(domains);
        StringBuilder sb = new StringBuilder();
        sb.append("% Generated by the DA3 Workbench; needs \\usepackage{booktabs}\n");
        sb.append("\\begin{table}[t]\n\\centering\n\\small\n");
        sb.append("\\caption{").append(tex(title)).append(": final test accuracy (\\%) per domain and costs per method}\n");
        sb.append("\\begin{tabular}{l").append("r".repeat(h.size() - 1)).append("}\n\\toprule\n");
        List<String> th = new ArrayList<>();
        for (String s : h) {
            th.add(tex(s));
        }
        sb.append(String.join(" & ", th)).append(" \\\\\n\\midrule\n");
        for (ResultRow r : rows) {
            List<String> c = new ArrayList<>();
            for (String s : cells(domains, r)) {
                c.add(tex(s.endsWith("%") ? s.substring(0, s.length() - 1) : s));
            }
            sb.append(String.join(" & ", c)).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return sb.toString();
    }

    /**
     * The accuracy figure: a bar per method in each domain's group.
     *
     * @param title the title
     * @param domains the domains
     * @param rows the methods
     * @return the chart
     */
    static JFreeChart figure(String title, List<String> domains, List<ResultRow> rows) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ResultRow r : rows) {
            for (String d : domains) {
                double a = r.accuracy(d);
                if (!Double.isNaN(a)) {
                    data.addValue(100 * a, r.label(), d);
                }
            }
            if (!Double.isNaN(r.meanAccuracy())) {
                data.addValue(100 * r.meanAccuracy(), r.label(), "mean");
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "domain", "test accuracy (%)", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xD0D7DE));
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 100);
        BarRenderer br = (BarRenderer) plot.getRenderer();
        br.setBarPainter(new StandardBarPainter());
        br.setShadowVisible(false);
        br.setItemMargin(0.05);
        for (int i = 0; i < rows.size(); i++) {
            br.setSeriesPaint(i, ChartPalette.color(i));
        }
        return chart;
    }

    private static String pct(double a) {
        return Double.isNaN(a) ? "-" : fmt("%.1f", 100 * a) + "%";
    }

    private static String num(double v, String f) {
        return Double.isNaN(v) ? "" : fmt(f, v);
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    private static String quote(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String tex(String s) {
        return s.replace("\\", "\\textbackslash{}").replace("_", "\\_").replace("%", "\\%").replace("&", "\\&")
                .replace("#", "\\#").replace("[", "{[}").replace("]", "{]}");
    }
}
