package org.da3.workbench.ui.monitor;

import atlantafx.base.theme.Styles;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import org.da3.workbench.ui.StyleClasses;
import org.da3.workbench.ui.ViewLoader;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.jfree.chart.fx.ChartViewer;

/**
 * The Monitor view: binds {@code Monitor.fxml} to a {@link MonitorViewModel}. The table's
 * selection is the view model's chosen runs; the charts redraw when its charts version changes.
 */
public final class MonitorView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final MonitorViewModel vm;
    private final Parent root;
    private final LiveCharts charts = new LiveCharts();
    private boolean syncingSelection;

    @FXML private Button stopSelectedButton;
    @FXML private Button stopAllButton;
    @FXML private Label summaryLabel;
    @FXML private TableView<RunItem> runTable;
    @FXML private TableColumn<RunItem, String> runLabelColumn;
    @FXML private TableColumn<RunItem, RunStatus> runStatusColumn;
    @FXML private TableColumn<RunItem, RunItem> runProgressColumn;
    @FXML private Label detailLabel;
    @FXML private StackPane accuracyPane;
    @FXML private StackPane lossPane;
    @FXML private StackPane memoryPane;
    @FXML private StackPane gatesPane;
    @FXML private ListView<LogLine> logList;

    /**
     * Loads the view.
     *
     * @param vm its view model
     */
    public MonitorView(MonitorViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(this, "Monitor.fxml");
    }

    /** @return the view's root node */
    public Parent root() {
        return root;
    }

    /**
     * A chart's viewer, for tests and screenshots.
     *
     * @param c the chart
     * @return its viewer
     */
    public ChartViewer viewer(Chart c) {
        return charts.viewer(c);
    }

    /**
     * The number of points a chart shows.
     *
     * @param c the chart
     * @return the count over its series
     */
    public int pointCount(Chart c) {
        return charts.itemCount(c);
    }

    @FXML
    private void initialize() {
        accuracyPane.getChildren().add(charts.viewer(Chart.ACCURACY));
        lossPane.getChildren().add(charts.viewer(Chart.LOSS));
        memoryPane.getChildren().add(charts.viewer(Chart.MEMORY));
        gatesPane.getChildren().add(charts.viewer(Chart.GATES));
        stopSelectedButton.setId("stop-selected");
        stopAllButton.setId("stop-all");
        stopAllButton.getStyleClass().add(Styles.DANGER);
        stopAllButton.disableProperty().bind(vm.runningProperty().not());
        stopSelectedButton.disableProperty().bind(vm.canStopSelectedProperty().not());
        summaryLabel.setId("run-summary");
        summaryLabel.textProperty().bind(vm.summaryProperty());

        runTable.setId("runs");
        runTable.setItems(vm.runs());
        runTable.setPlaceholder(new Label("No runs yet: launch an experiment from Setup"));
        runTable.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        runTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        runLabelColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().label()));
        runLabelColumn.setCellFactory(col -> new TableCell<>() {
            {
                // a sweep's variants differ at the end of their labels (da3[learning_rate=0.02] s7):
                // cut in the middle, so the end that tells them apart stays in view
                setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
            }

            @Override
            protected void updateItem(String label, boolean empty) {
                super.updateItem(label, empty);
                setText(empty ? null : label);
                setTooltip(empty || label == null ? null : new javafx.scene.control.Tooltip(label));
            }
        });
        runStatusColumn.setCellValueFactory(c -> c.getValue().statusProperty());
        runStatusColumn.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(RunStatus s, boolean empty) {
                super.updateItem(s, empty);
                getStyleClass().removeIf(k -> k.startsWith(StyleClasses.RUN_STATUS + "-"));
                if (empty || s == null) {
                    setText(null);
                } else {
                    setText(s.text());
                    getStyleClass().add(StyleClasses.runStatus(s.text()));
                }
            }
        });
        runProgressColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        runProgressColumn.setCellFactory(col -> new ProgressCell());

        runTable.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunItem>) c -> {
            if (!syncingSelection) {
                syncingSelection = true;
                vm.selected().setAll(List.copyOf(runTable.getSelectionModel().getSelectedItems()));
                syncingSelection = false;
            }
            showDetail();
        });
        vm.selected().addListener((ListChangeListener<RunItem>) c -> {
            if (!syncingSelection) {
                syncingSelection = true;
                runTable.getSelectionModel().clearSelection();
                for (RunItem r : vm.selected()) {
                    runTable.getSelectionModel().select(r);
                }
                syncingSelection = false;
            }
        });
        vm.chartsVersionProperty().addListener((o, a, b) -> {
            charts.sync(vm.selected());
            showDetail();
        });

        logList.setId("log");
        logList.setItems(vm.log());
        logList.getStyleClass().addAll(Styles.DENSE, Styles.STRIPED);
        logList.setPlaceholder(new Label("Nothing yet"));
        logList.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(LogLine line, boolean empty) {
                super.updateItem(line, empty);
                getStyleClass().removeAll(StyleClasses.LOG_WARNING, StyleClasses.LOG_ERROR);
                if (empty || line == null) {
                    setText(null);
                    return;
                }
                setText(TIME.format(line.time()) + "  " + pad(line.level().name(), 7) + " "
                        + (line.run().isEmpty() ? "" : "[" + line.run() + "] ") + line.message());
                if (line.level() == LogLine.Level.WARNING) {
                    getStyleClass().add(StyleClasses.LOG_WARNING);
                } else if (line.level() == LogLine.Level.ERROR) {
                    getStyleClass().add(StyleClasses.LOG_ERROR);
                }
            }
        });
        vm.log().addListener((ListChangeListener<LogLine>) c -> {
            if (!vm.log().isEmpty()) {
                logList.scrollTo(vm.log().size() - 1);
            }
        });
    }

    private void showDetail() {
        RunItem r = runTable.getSelectionModel().getSelectedItem();
        if (r == null) {
            detailLabel.setText("");
            return;
        }
        detailLabel.setText(r.label() + ": " + r.getDetail() + (r.getRunDir() == null ? "" : "\n" + r.getRunDir()));
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }

    @FXML
    private void onStopSelected() {
        vm.stopSelected();
    }

    @FXML
    private void onStopAll() {
        vm.stopAll();
    }

    @FXML
    private void onClearFinished() {
        vm.clearFinished();
    }

    /** A progress bar with the ETA beside it, bound to the row's run. */
    private static final class ProgressCell extends TableCell<RunItem, RunItem> {
        private final ProgressBar bar = new ProgressBar();
        private final Label eta = new Label();
        private final HBox box = new HBox(6, bar, eta);

        ProgressCell() {
            bar.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(bar, Priority.ALWAYS);
            box.setAlignment(Pos.CENTER_LEFT);
            eta.getStyleClass().add(StyleClasses.HINT);
            eta.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }

        @Override
        protected void updateItem(RunItem r, boolean empty) {
            super.updateItem(r, empty);
            bar.progressProperty().unbind();
            eta.textProperty().unbind();
            if (empty || r == null) {
                setGraphic(null);
                return;
            }
            bar.progressProperty().bind(r.progressProperty());
            eta.textProperty().bind(r.etaProperty());
            setGraphic(box);
        }
    }
}
