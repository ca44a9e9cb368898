package org.da3.workbench.ui.results;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.da3.workbench.ui.StyleClasses;
import org.da3.workbench.ui.ViewLoader;

/**
 * The Results view: binds {@code Results.fxml} to a {@link ResultsViewModel}. The table's columns
 * follow the view model's domains; every column sorts, numbers with NaN last.
 */
public final class ResultsView {
    private final ResultsViewModel vm;
    private final Parent root;

    @FXML private TableView<ResultRow> table;
    @FXML private MenuButton exportButton;
    @FXML private Label statusLabel;

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
        SortedList<ResultRow> sorted = new SortedList<>(vm.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setPlaceholder(new Label("No results yet: finished runs appear here; or open a run folder"));
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        statusLabel.setId("results-status");
        statusLabel.textProperty().bind(vm.statusProperty());
        exportButton.setId("export");
        for (ExportFormat f : ExportFormat.values()) {
            MenuItem item = new MenuItem(f.title() + " (." + f.extension() + ")");
            item.setId("export-" + f.extension());
            item.setOnAction(e -> export(f));
            exportButton.getItems().add(item);
        }
        exportButton.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.rows()));
        vm.domains().addListener((ListChangeListener<String>) c -> buildColumns());
        buildColumns();
    }

    private void buildColumns() {
        table.getColumns().clear();
        TableColumn<ResultRow, String> method = new TableColumn<>("Method");
        method.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().label()));
        method.setPrefWidth(150);
        TableColumn<ResultRow, String> experiment = new TableColumn<>("Experiment");
        experiment.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().experiment()));
        experiment.setPrefWidth(110);
        table.getColumns().add(method);
        table.getColumns().add(experiment);
        table.getColumns().add(number("Seeds", r -> r.seeds(), v -> String.format(Locale.ROOT, "%.0f", v), 0, 64));
        TableColumn<ResultRow, Number> accuracy = new TableColumn<>("Test accuracy");
        for (String d : vm.domains()) {
            accuracy.getColumns().add(number(d, r -> r.accuracy(d), ResultsView::pct, 1, Math.max(90, 9 * d.length() + 24)));
        }
        accuracy.getColumns().add(number("mean", ResultRow::meanAccuracy, ResultsView::pct, 1, 80));
        table.getColumns().add(accuracy);
        table.getColumns().add(number("Peak MB", r -> r.peakTrainBytes() < 0 ? Double.NaN : r.peakTrainBytes() / 1e6,
                v -> String.format(Locale.ROOT, "%.1f", v), -1, 90));
        table.getColumns().add(number("Step ms", r -> r.stepSeconds() * 1000, v -> String.format(Locale.ROOT, "%.1f", v),
                -1, 84));
        table.getColumns().add(number("Trainable / domain", ResultRow::trainableParams, ResultsView::human, -1, 150));
        table.getColumns().add(number("Patch / domain", ResultRow::patchBytes, v -> human(v) + "B", -1, 124));
        table.getColumns().add(number("Gate sparsity", ResultRow::gateSparsity, v -> String.format(Locale.ROOT, "%.2f", v),
                0, 116));
        table.getColumns().add(number("GFLOPs / img", r -> r.flops() / 1e9, v -> String.format(Locale.ROOT, "%.3f", v),
                -1, 116));
        TableColumn<ResultRow, String> status = new TableColumn<>("Status");
        status.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().status()));
        status.setPrefWidth(120);
        table.getColumns().add(status);
    }

    /**
     * A sortable numeric column.
     *
     * @param title the header
     * @param value the row's value
     * @param format how to show it
     * @param better +1 when higher is better, -1 when lower is, 0 for neither (no bold)
     * @param width the preferred width
     * @return the column
     */
    private TableColumn<ResultRow, Number> number(String title, ToDoubleFunction<ResultRow> value,
            DoubleFunction<String> format, int better, double width) {
        TableColumn<ResultRow, Number> col = new TableColumn<>(title);
        col.setId("col-" + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));
        col.setPrefWidth(width);
        col.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.applyAsDouble(c.getValue())));
        col.setComparator(Comparator.comparingDouble((Number n) -> Double.isNaN(n.doubleValue())
                ? Double.NEGATIVE_INFINITY : n.doubleValue()));
        col.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                getStyleClass().remove(StyleClasses.BEST);
                if (!getStyleClass().contains(StyleClasses.NUMERIC)) {
                    getStyleClass().add(StyleClasses.NUMERIC);
                }
                if (empty || n == null) {
                    setText(null);
                    return;
                }
                double v = n.doubleValue();
                setText(Double.isNaN(v) ? "–" : format.apply(v));
                if (better != 0 && !Double.isNaN(v) && vm.rows().size() > 1 && v == best(value, better)) {
                    getStyleClass().add(StyleClasses.BEST);
                }
            }
        });
        return col;
    }

    private double best(ToDoubleFunction<ResultRow> value, int better) {
        double b = Double.NaN;
        for (ResultRow r : vm.rows()) {
            double v = value.applyAsDouble(r);
            if (!Double.isNaN(v) && (Double.isNaN(b) || (better > 0 ? v > b : v < b))) {
                b = v;
            }
        }
        return b;
    }

    private static String pct(double a) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * a);
    }

    private static String human(double v) {
        String[] s = {"", "k", "M", "G"};
        int i = 0;
        while (Math.abs(v) >= 1000 && i < s.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f%s" : "%.1f%s", v, s[i]);
    }

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    private void export(ExportFormat f) {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export " + f.title());
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(f.title(), "*." + f.extension()));
        Path def = vm.defaultExportFile(f);
        if (def.getParent() != null && Files.isDirectory(def.getParent())) {
            fc.setInitialDirectory(def.getParent().toFile());
        }
        fc.setInitialFileName(def.getFileName().toString());
        File file = fc.showSaveDialog(window());
        if (file != null) {
            vm.export(f, file.toPath(), table.getItems());
        }
    }

    @FXML
    private void onReopen() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open a run folder (or an experiment's runs folder)");
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
}
