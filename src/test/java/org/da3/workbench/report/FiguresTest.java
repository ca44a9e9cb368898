package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/** Figures from the recorded runs: the PNG decodes at the requested size, the SVG parses as XML. */
class FiguresTest {

    @ParameterizedTest
    @EnumSource(FigureKind.class)
    void pngDecodesAtTheRequestedSize(FigureKind kind) throws IOException {
        JFreeChart chart = kind.build(ReportFixtures.paperStore(), FigureOptions.DEFAULTS);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(ChartFiles.png(chart, 640, 360)));
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(640);
        assertThat(img.getHeight()).isEqualTo(360);
    }

    @ParameterizedTest
    @EnumSource(FigureKind.class)
    void svgParsesAsXml(FigureKind kind) throws Exception {
        JFreeChart chart = kind.build(ReportFixtures.paperStore(), FigureOptions.DEFAULTS.withTitle("T & <t>"));
        String svg = ChartFiles.svg(chart, 720, 450);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        assertThat(doc.getDocumentElement().getLocalName() == null ? doc.getDocumentElement().getTagName()
                : doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(doc.getDocumentElement().getAttribute("width")).startsWith("720");
        assertThat(doc.getDocumentElement().getAttribute("height")).startsWith("450");
        assertThat(doc.getElementsByTagName("text").getLength()).isGreaterThan(5);
        assertThat(svg).contains("T &amp; &lt;t&gt;");
    }

    @Test
    void paretoPlotsMethodMeansAndNamesTheRunsItCannotShow() throws IOException {
        JFreeChart chart = Figures.pareto(ReportFixtures.paperStore(), FigureOptions.DEFAULTS);
        XYDataset d = chart.getXYPlot().getDataset();
        assertThat(d.getSeriesCount()).isEqualTo(3);
        assertThat(List.of(d.getSeriesKey(0), d.getSeriesKey(1), d.getSeriesKey(2)))
                .containsExactly("linear (2 seeds)", "finetune (2 seeds)", "Pareto front");
        assertThat(subtitles(chart)).contains("finetune s3 (failed in tiny-shapes)")
                .contains("linear s3 (cancelled in tiny-textures)");
        // the label of the point furthest right sits left of it, inside the plot
        List<org.jfree.chart.annotations.XYTextAnnotation> labels = chart.getXYPlot().getAnnotations().stream()
                .map(a -> (org.jfree.chart.annotations.XYTextAnnotation) a).toList();
        org.jfree.chart.annotations.XYTextAnnotation rightmost = labels.stream()
                .max(java.util.Comparator.comparingDouble(org.jfree.chart.annotations.XYTextAnnotation::getX)).orElseThrow();
        assertThat(rightmost.getText().trim()).isEqualTo("finetune");
        assertThat(rightmost.getTextAnchor()).isEqualTo(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
        JFreeChart analytic = Figures.pareto(ReportFixtures.paperStore(),
                FigureOptions.DEFAULTS.withMemory(FigureOptions.Memory.ANALYTIC));
        assertThat(subtitles(analytic)).contains("linear (no analytic memory)");
    }

    @Test
    void paretoFrontKeepsUndominatedPoints() {
        List<double[]> front = Figures.paretoFront(List.of(new double[] {10, 50}, new double[] {20, 40},
                new double[] {30, 70}, new double[] {5, 20}));
        assertThat(front).extracting(p -> p[0]).containsExactly(5.0, 10.0, 30.0);
    }

    @Test
    void curvesIncludeRunsThatStopped() throws IOException {
        JFreeChart chart = Figures.accuracyCurves(ReportFixtures.paperStore(), FigureOptions.DEFAULTS);
        XYDataset d = chart.getXYPlot().getDataset();
        assertThat(d.getSeriesCount()).isEqualTo(4);
        assertThat(d.getSeriesKey(2)).isEqualTo("finetune s3 (failed)");
        assertThat(d.getSeriesKey(3)).isEqualTo("linear s3 (cancelled)");
    }

    @Test
    void gateCurvesSayWhenNoMethodHasGates() throws IOException {
        JFreeChart none = Figures.gateCurves(ReportFixtures.paperStore(), FigureOptions.DEFAULTS);
        assertThat(none.getXYPlot().getDataset().getSeriesCount()).isZero();
        assertThat(subtitles(none)).contains("linear (no gates)");
        JFreeChart gated = Figures.gateCurves(TableGoldenTest.decathlonStore(), FigureOptions.DEFAULTS);
        assertThat(gated.getXYPlot().getDataset().getSeriesCount()).isEqualTo(1);
        assertThat(gated.getXYPlot().getDataset().getSeriesKey(0)).isEqualTo("da3");
    }

    @Test
    void memoryBarsForEveryEntry() throws IOException {
        JFreeChart chart = Figures.memory(ReportFixtures.paperStore(), FigureOptions.DEFAULTS);
        assertThat(chart.getCategoryPlot().getDataset().getColumnCount()).isEqualTo(4);
        assertThat(chart.getCategoryPlot().getDataset().getRowKeys()).containsExactly("Measured");
        JFreeChart both = Figures.memory(TableGoldenTest.decathlonStore(), FigureOptions.DEFAULTS);
        assertThat(both.getCategoryPlot().getDataset().getRowKeys()).containsExactly("Analytic", "Measured");
    }

    private static String subtitles(JFreeChart chart) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            if (chart.getSubtitle(i) instanceof TextTitle) {
                sb.append(((TextTitle) chart.getSubtitle(i)).getText()).append('\n');
            }
        }
        return sb.toString();
    }
    /**
     * A curve of a long run (a gate sparsity logged every 10 steps for 200,000 steps) is drawn as
     * a line without a marker on every point, so the figure stays a figure and its SVG stays a few
     * hundred kB; a short curve keeps its markers.
     */
    @Test
    void aLongCurveIsDrawnAsALineWithoutMarkers() throws IOException {
        List<org.da3.workbench.run.event.Envelope> events = new java.util.ArrayList<>(ReportFixtures.syntheticEvents(
                "long", "r1", "da3", 1, java.util.Map.of("a", 0.8), 20_000_000, true, null));
        org.da3.workbench.run.event.Envelope last = events.remove(events.size() - 1);
        java.util.Random r = new java.util.Random(1);
        for (int i = 1; i <= 20_000; i++) {
            events.add(new org.da3.workbench.run.event.Envelope(1, "r1", events.size(), java.time.Instant.EPOCH,
                    new org.da3.workbench.run.event.GateStats("a", 10L * i, 10L + 10L * i, 0.7 + 0.05 * r.nextGaussian(),
                            List.of(0.7, 0.7), "train")));
        }
        events.add(last);
        ResultsStore store = ResultsStore.of(List.of(RunResult.fromEvents(null, "r1", events)));
        JFreeChart chart = Figures.gateCurves(store, FigureOptions.DEFAULTS);
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer line =
                (org.jfree.chart.renderer.xy.XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        assertThat(chart.getXYPlot().getDataset().getItemCount(0)).isGreaterThan(20_000);
        assertThat(line.getItemShapeVisible(0, 0)).isFalse();
        String svg = ChartFiles.svg(chart, 800, 500);
        assertThat(svg.length()).as("SVG characters").isLessThan(1_000_000);

        JFreeChart shortOne = Figures.gateCurves(TableGoldenTest.decathlonStore(), FigureOptions.DEFAULTS);
        assertThat(((org.jfree.chart.renderer.xy.XYLineAndShapeRenderer) shortOne.getXYPlot().getRenderer())
                .getItemShapeVisible(0, 0)).isTrue();
    }
}
