package org.da3.workbench.ui.results;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.da3.workbench.report.ComparisonTable;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;
import org.da3.workbench.report.ExportFormat;
import org.da3.workbench.report.FigureKind;
import org.da3.workbench.report.TableKind;
import org.da3.workbench.ui.StyleClasses;
import org.da3.workbench.ui.ViewLoader;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;

/**
 * The Results view: binds {@code Results.fxml} to a {@link ResultsViewModel}. It draws whatever
 * {@link ComparisonTable} the view model holds: one column per table column (grouped headers
 * nest), values formatted and ranked as the report package decides, every column sortable with
 * missing values last. Under it, one of the export's figures of the same runs (the Pareto front of
 * accuracy and training memory first), chosen in a box.
 */
public final class ResultsView {
    private final ResultsViewModel vm;
    private final Parent root;
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final Map<Row, Integer> rowIndex = new IdentityHashMap<>();

    @FXML private TableView<Row> table;
    @FXML private MenuButton exportButton;
    @FXML private Label statusLabel;
    @FXML private Label notesLabel;
    @FXML private ChoiceBox<FigureKind> figureChoice;
    @FXML private Label figureHint;
    @FXML private StackPane figurePane;
    private ChartViewer figureViewer;
    private final Label noFigure = new Label("The figure of the runs above appears here");

    /**
     * Loads the view.
     *
     * @param vm its view model
     */
    public ResultsView(ResultsViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(this, "Results.fxml");
    }

    /** @return the view's root node */
    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        table.setId("results");
        SortedList<Row> sorted = new SortedList<>(rows);
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setPlaceholder(new Label("No results yet: finished runs appear here; or open a run folder"));
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        statusLabel.setId("results-status");
        statusLabel.textProperty().bind(vm.statusProperty());
        // the status line counts the warnings of the runs opened and names the first; its tooltip lists them all
        Tooltip warningsTip = new Tooltip();
        warningsTip.textProperty().bind(vm.warningsProperty());
        statusLabel.tooltipProperty().bind(javafx.beans.binding.Bindings.when(vm.warningsProperty().isEmpty())
                .then((Tooltip) null).otherwise(warningsTip));
        notesLabel.setId("results-notes");
        exportButton.setId("export");
        buildExportMenu();
        exportButton.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(rows));
        vm.tableProperty().addListener((o, a, t) -> show(t));
        show(vm.getTable());
        figureChoice.setId("figure-kind");
        figureChoice.getItems().setAll(FigureKind.values());
        figureChoice.setConverter(new StringConverter<>() {
            @Override
            public String toString(FigureKind k) {
                return k == null ? "" : figureTitle(k);
            }

            @Override
            public FigureKind fromString(String text) {
                return null;
            }
        });
        figureChoice.valueProperty().bindBidirectional(vm.figureKindProperty());
        figureHint.setText("drawn as Export writes it; right-click the figure to zoom, copy or save it");
        figurePane.setId("figure");
        noFigure.getStyleClass().add("hint");
        vm.figureProperty().addListener((o, a, c) -> showFigure(c));
        showFigure(vm.getFigure());
    }

    /** What the figure choice calls each figure. */
    static String figureTitle(FigureKind k) {
        switch (k) {
            case PARETO:
                return "Accuracy against training memory (Pareto front)";
            case MEMORY:
                return "Training memory per method, analytic and measured";
            case ACCURACY:
                return "Test accuracy during training";
            default:
                return "Gate sparsity during training";
        }
    }

    private void showFigure(JFreeChart chart) {
        if (chart == null) {
            figurePane.getChildren().setAll(noFigure);
            return;
        }
        if (figureViewer == null) {
            figureViewer = new ChartViewer(chart);
            figureViewer.setId("figure-chart");
        } else {
            figureViewer.setChart(chart);
        }
        figurePane.getChildren().setAll(figureViewer);
    }

    private void buildExportMenu() {
        for (TableKind k : TableKind.values()) {
            Menu m = new Menu(capital(k.id()) + " table");
            for (ExportFormat f : ExportFormat.values()) {
                if (!f.figure()) {
                    MenuItem item = new MenuItem(formatName(f) + " (." + f.extension() + ")");
                    item.setId("export-" + k.id() + "-" + f.id());
                    item.setOnAction(e -> chooseFile(k.id(), f, file -> vm.exportTable(k, f, file)));
                    m.getItems().add(item);
                }
            }
            exportButton.getItems().add(m);
        }
        for (FigureKind k : FigureKind.values()) {
            Menu m = new Menu(capital(k.id()) + " figure");
            for (ExportFormat f : ExportFormat.values()) {
                if (f.figure()) {
                    MenuItem item = new MenuItem(formatName(f) + " (." + f.extension() + ")");
                    item.setId("export-" + k.id() + "-" + f.id());
                    item.setOnAction(e -> chooseFile(k.id(), f, file -> vm.exportFigure(k, f, file)));
                    m.getItems().add(item);
                }
            }
            exportButton.getItems().add(m);
        }
    }

    private static String formatName(ExportFormat f) {
        switch (f) {
            case LATEX:
                return "LaTeX";
            case MD:
                return "Markdown";
            default:
                return f.id().toUpperCase(Locale.ROOT);
        }
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private void show(ComparisonTable t) {
        table.getColumns().clear();
        rowIndex.clear();
        if (t == null) {
            rows.clear();
            notesLabel.setText("");
            return;
        }
        Map<String, TableColumn<Row, ?>> groups = new LinkedHashMap<>();
        for (int c = 0; c < t.columns().size(); c++) {
            Column col = t.columns().get(c);
            TableColumn<Row, Cell> tc = column(t, c);
            if (col.group().isEmpty()) {
                table.getColumns().add(tc);
            } else {
                TableColumn<Row, ?> g = groups.get(col.group());
                if (g == null) {
                    g = new TableColumn<Row, Object>(col.group());
                    groups.put(col.group(), g);
                    table.getColumns().add(g);
                }
                g.getColumns().add(tc);
            }
        }
        for (int r = 0; r < t.rows().size(); r++) {
            rowIndex.put(t.rows().get(r), r);
        }
        rows.setAll(t.rows());
        notesLabel.setText(String.join("  ", t.notes()));
    }

    /** The widest a text column (method, status) is made to fit its entries, in pixels. */
    private static final double MAX_TEXT_WIDTH = 420;

    private TableColumn<Row, Cell> column(ComparisonTable t, int c) {
        Column col = t.columns().get(c);
        TableColumn<Row, Cell> tc = new TableColumn<>(col.header());
        tc.setId("col-" + (col.group().isEmpty() ? "" : slug(col.group()) + "-") + slug(col.header()));
        tc.setCellValueFactory(x -> new ReadOnlyObjectWrapper<>(x.getValue().cells().get(c)));
        // headers wrap at spaces (Results.css): a column is as wide as its longest word
        int longest = 0;
        for (String w : col.header().split("\\s+")) {
            longest = Math.max(longest, w.length());
        }
        // a text column fits its longest entry (a sweep's variants differ only at the end of their
        // labels), up to a limit; the cell's tooltip shows what is cut
        int longestText = 0;
        for (Row row : t.rows()) {
            String text = row.cells().get(c).text();
            longestText = Math.max(longestText, text == null ? 0 : text.length());
        }
        tc.setPrefWidth(col.text() ? Math.min(MAX_TEXT_WIDTH, Math.max(c == 0 ? 160 : 150, 7.6 * longestText + 24))
                : Math.max(68, 8.8 * longest + 26));
        Set<Integer> best = t.best(c);
        if (col.text()) {
            tc.setComparator(Comparator.comparing((Cell x) -> x.text() == null ? "" : x.text()));
        } else {
            tc.setComparator(Comparator.comparingDouble((Cell x) -> x.stats().present() ? x.stats().mean()
                    : Double.NEGATIVE_INFINITY));
        }
        tc.setCellFactory(x -> new TableCell<>() {
            @Override
            protected void updateItem(Cell cell, boolean empty) {
                super.updateItem(cell, empty);
                getStyleClass().removeAll(StyleClasses.BEST, StyleClasses.NUMERIC);
                setTooltip(null);
                if (empty || cell == null) {
                    setText(null);
                    return;
                }
                if (col.text()) {
                    setText(cell.text());
                    if (cell.text() != null && !cell.text().isEmpty()) {
                        setTooltip(new Tooltip(cell.text()));
                    }
                    return;
                }
                getStyleClass().add(StyleClasses.NUMERIC);
                String text = col.format(cell.stats().mean());
                if (cell.stats().hasSpread()) {
                    text += " ± " + col.format(cell.stats().std());
                    setTooltip(new Tooltip("mean ± standard deviation over " + cell.stats().n() + " runs"));
                }
                setText(cell.provisional() ? text + "*" : text);
                Row row = getTableRow() == null ? null : getTableRow().getItem();
                Integer r = row == null ? null : rowIndex.get(row);
                if (r != null && best.contains(r)) {
                    getStyleClass().add(StyleClasses.BEST);
                }
            }
        });
        return tc;
    }

    private static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    private void chooseFile(String name, ExportFormat f, java.util.function.Consumer<Path> then) {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export " + name + " (" + formatName(f) + ")");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(formatName(f), "*." + f.extension()));
        Path def = vm.defaultExportFile(name, f);
        if (def.getParent() != null && Files.isDirectory(def.getParent())) {
            fc.setInitialDirectory(def.getParent().toFile());
        }
        fc.setInitialFileName(def.getFileName().toString());
        File file = fc.showSaveDialog(window());
        if (file != null) {
            then.accept(file.toPath());
        }
    }

    @FXML
    private void onReopen() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open a run folder, an experiment folder, or the experiments folder");
        if (Files.isDirectory(vm.runsFolder())) {
            dc.setInitialDirectory(vm.runsFolder().toFile());
        }
        File dir = dc.showDialog(window());
        if (dir != null) {
            vm.reopen(dir.toPath());
        }
    }

    @FXML
    private void onClear() {
        vm.clear();
    }

    /** @return the chart drawn under the table, or null when none is, for tests */
    public JFreeChart shownFigure() {
        return figurePane.getChildren().contains(figureViewer) ? figureViewer.getChart() : null;
    }

    /** @return the rows as drawn (in the table's sort order), for tests */
    public List<Row> shownRows() {
        return List.copyOf(table.getItems());
    }
}
