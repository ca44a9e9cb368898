package org.da3.workbench.ui.memory;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.da3.workbench.memory.MemoryProfile;
import org.da3.workbench.ui.ChartPalette;
import org.da3.workbench.ui.FieldControls;
import org.da3.workbench.ui.StyleClasses;
import org.da3.workbench.ui.ViewLoader;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The Memory view: binds {@code Memory.fxml} to a {@link MemoryViewModel}. Left, each method's
 * training-step memory stacked by kind (gradients, optimizer state, kept for the backward,
 * workspace); right, what each residual block keeps for the backward pass, per method; below, the
 * chosen method's layers. Click a method's bar to list its layers.
 */
public final class MemoryView {
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final String[] PARTS = {"gradients", "optimizer", "kept for backward", "workspace"};

    private final MemoryViewModel vm;
    private final Parent root;
    private final DefaultCategoryDataset totals = new DefaultCategoryDataset();
    private final DefaultCategoryDataset blocks = new DefaultCategoryDataset();
    private final ChartViewer totalsViewer;
    private final ChartViewer blocksViewer;

    @FXML private VBox openRatioBox;
    @FXML private Label statusLabel;
    @FXML private StackPane totalsPane;
    @FXML private StackPane blocksPane;
    @FXML private Label layersTitle;
    @FXML private TableView<MemoryProfile.Layer> layerTable;

    /**
     * Loads the view.
     *
     * @param vm its view model
     */
    public MemoryView(MemoryViewModel vm) {
        this.vm = vm;
        this.totalsViewer = new ChartViewer(totalsChart());
        this.blocksViewer = new ChartViewer(blocksChart());
        this.root = ViewLoader.load(this, "Memory.fxml");
    }

    /** @return the view's root node */
    public Parent root() {
        return root;
    }

    /** @return the per-method chart's viewer, for tests */
    public ChartViewer totalsViewer() {
        return totalsViewer;
    }

    /** @return the per-block chart's viewer, for tests */
    public ChartViewer blocksViewer() {
        return blocksViewer;
    }

    @FXML
    private void initialize() {
        openRatioBox.getChildren().add(FieldControls.create(vm.openRatio(), "1.0"));
        statusLabel.setId("memory-status");
        statusLabel.textProperty().bind(vm.statusProperty());
        totalsViewer.setId("chart-memory-totals");
        blocksViewer.setId("chart-memory-blocks");
        totalsPane.getChildren().add(totalsViewer);
        blocksPane.getChildren().add(blocksViewer);
        totalsViewer.addChartMouseListener(new ChartMouseListenerFX() {
            @Override
            public void chartMouseClicked(ChartMouseEventFX e) {
                if (e.getEntity() instanceof CategoryItemEntity) {
                    Object method = ((CategoryItemEntity) e.getEntity()).getColumnKey();
                    vm.profiles().stream().filter(p -> p.label().equals(method)).findFirst().ifPresent(vm::setSelected);
                }
            }

            @Override
            public void chartMouseMoved(ChartMouseEventFX e) {}
        });
        setUpTable();
        vm.profiles().addListener((ListChangeListener<MemoryProfile>) c -> refresh());
        vm.selectedProperty().addListener((o, a, p) -> showLayers(p));
        refresh();
        showLayers(vm.getSelected());
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(TITLE);
        chart.getTitle().setPaint(new Color(0x24292F));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setRangeGridlinePaint(new Color(0xE1E4E8));
        plot.setNoDataMessage("no valid spec in Setup yet");
        plot.setNoDataMessageFont(LABEL);
        plot.getDomainAxis().setTickLabelFont(LABEL);
        plot.getDomainAxis().setLabelFont(LABEL);
        plot.getRangeAxis().setTickLabelFont(LABEL);
        plot.getRangeAxis().setLabelFont(LABEL);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        for (int i = 0; i < 12; i++) {
            r.setSeriesPaint(i, ChartPalette.color(i));
        }
        LegendTitle legend = chart.getLegend();
        legend.setItemFont(LABEL);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        return chart;
    }

    private JFreeChart totalsChart() {
        JFreeChart c = ChartFactory.createStackedBarChart("Training step memory per method (analytic)", null, "MB",
                totals, PlotOrientation.VERTICAL, true, true, false);
        ((BarRenderer) c.getCategoryPlot().getRenderer()).setMaximumBarWidth(0.12);
        // a sweep's labels differ at their end (da3[learning_rate=0.02], ...): wrapped, not cut
        c.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelLines(3);
        return style(c);
    }

    private JFreeChart blocksChart() {
        JFreeChart c = ChartFactory.createBarChart("Kept for the backward pass, per block", null, "MB", blocks,
                PlotOrientation.VERTICAL, true, true, false);
        CategoryAxis x = c.getCategoryPlot().getDomainAxis();
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ((BarRenderer) c.getCategoryPlot().getRenderer()).setItemMargin(0.02);
        return style(c);
    }

    private void refresh() {
        totals.clear();
        blocks.clear();
        for (MemoryProfile p : vm.profiles()) {
            long[] parts = {p.gradientBytes(), p.optimizerBytes(), p.keptBytes(), p.workspaceBytes()};
            for (int i = 0; i < parts.length; i++) {
                totals.addValue(parts[i] / 1e6, PARTS[i], p.label());
            }
            for (Map.Entry<String, Long> b : MemoryViewModel.keptPerBlock(p).entrySet()) {
                blocks.addValue(b.getValue() / 1e6, p.label(), b.getKey());
            }
        }
    }

    private void setUpTable() {
        layerTable.setId("memory-layers");
        layerTable.setPlaceholder(new Label("Click a method's bar to list its layers"));
        layerTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        layerTable.getColumns().add(text("Layer", MemoryProfile.Layer::name, 150));
        layerTable.getColumns().add(text("Kind", MemoryProfile.Layer::kind, 70));
        layerTable.getColumns().add(text("Output (C x H x W)", MemoryProfile.Layer::shape, 120));
        layerTable.getColumns().add(number("Params", l -> (double) l.params(), v -> String.format(Locale.ROOT, "%,.0f", v)));
        layerTable.getColumns().add(number("Trainable", l -> (double) l.trainable(), v -> String.format(Locale.ROOT, "%,.0f", v)));
        layerTable.getColumns().add(number("Kept (MB)", l -> l.keptBytes() / 1e6, v -> String.format(Locale.ROOT, "%.3f", v)));
        layerTable.getColumns().add(number("Peak (MB)", l -> l.peakBytes() / 1e6, v -> String.format(Locale.ROOT, "%.3f", v)));
        layerTable.getColumns().add(text("What is kept, and why", MemoryProfile.Layer::note, 360));
    }

    private static TableColumn<MemoryProfile.Layer, String> text(String title,
            Function<MemoryProfile.Layer, String> f, double width) {
        TableColumn<MemoryProfile.Layer, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(f.apply(x.getValue())));
        c.setPrefWidth(width);
        c.setCellFactory(x -> new TableCell<>() {
            @Override
            protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                setText(empty ? null : s);
                setTooltip(empty || s == null || s.isEmpty() ? null : new Tooltip(s));
            }
        });
        return c;
    }

    private static TableColumn<MemoryProfile.Layer, Number> number(String title,
            Function<MemoryProfile.Layer, Double> f, Function<Double, String> format) {
        TableColumn<MemoryProfile.Layer, Number> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyObjectWrapper<>(f.apply(x.getValue())));
        c.setPrefWidth(96);
        c.setCellFactory(x -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                getStyleClass().remove(StyleClasses.NUMERIC);
                if (empty || n == null) {
                    setText(null);
                } else {
                    getStyleClass().add(StyleClasses.NUMERIC);
                    setText(format.apply(n.doubleValue()));
                }
            }
        });
        return c;
    }

    private void showLayers(MemoryProfile p) {
        if (p == null) {
            layerTable.getItems().clear();
            layersTitle.setText("Layers");
            return;
        }
        layersTitle.setText(String.format(Locale.ROOT, "Layers of %s (%s engine): step %.2f MB = gradients %.2f"
                + " + optimizer %.2f + kept %.2f + workspace %.2f; baseline: weights %.2f, patch %.2f MB",
                p.label(), p.engine(), p.stepBytes() / 1e6, p.gradientBytes() / 1e6, p.optimizerBytes() / 1e6,
                p.keptBytes() / 1e6, p.workspaceBytes() / 1e6, p.weightBytes() / 1e6, p.patchBytes() / 1e6));
        layerTable.getItems().setAll(List.copyOf(p.layers()));
    }
}
