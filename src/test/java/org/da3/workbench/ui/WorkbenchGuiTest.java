package org.da3.workbench.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.da3.workbench.Workspace;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.monitor.RunItem;
import org.da3.workbench.ui.monitor.RunStatus;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.da3.workbench.report.ComparisonTable;
import org.da3.workbench.ui.task.FxTaskExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Drives the real workbench window headless (TestFX on Monocle): loads a tiny spec, shows an
 * inline error for a bad value with Launch disabled, chooses a third method, launches three real
 * runs (linear, DA3, fine-tune) in local worker JVMs, and sees the charts (gate sparsity included)
 * receive points and the results table fill.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchGuiTest {
    @TempDir
    static Path dir;

    private Workbench workbench;
    private FxTaskExecutor executor;

    @Start
    void start(Stage stage) throws Exception {
        Workspace ws = TestWorkspace.create(dir.resolve("ws"), 48, 32);
        Path spec = Files.writeString(ws.experimentsDir().resolve("gui.yaml"),
                TestWorkspace.tinySpec("gui", "linear, da3", "tiny-shapes, tiny-textures").replace("log_every: 5", "log_every: 1"));
        executor = new FxTaskExecutor();
        workbench = Workbench.open(stage, new GuiOptions(ws, spec, dir.resolve("state.properties"), null), executor);
        stage.setWidth(1400);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (workbench != null) {
            WaitForAsyncUtils.asyncFx(() -> workbench.viewModel().monitor().stopAll()).get();
        }
        executor.shutdown();
    }

    private static void waitFor(int seconds, Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Types into a field with key events, as a user would (the field may be scrolled out of view). */
    private static void typeInto(FxRobot robot, TextField field, String text) {
        robot.interact(() -> {
            field.requestFocus();
            field.selectAll();
        });
        robot.write(text);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Scrolls the form so a node can be clicked, as a user would with the scroll bar. */
    private static void scrollTo(FxRobot robot, javafx.scene.Node node) {
        robot.interact(() -> {
            javafx.scene.Node p = node.getParent();
            while (p != null && !(p instanceof javafx.scene.control.ScrollPane)) {
                p = p.getParent();
            }
            if (p != null) {
                javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) p;
                javafx.scene.Node content = sp.getContent();
                double y = content.sceneToLocal(node.localToScene(node.getBoundsInLocal())).getMinY();
                double range = content.getBoundsInLocal().getHeight() - sp.getViewportBounds().getHeight();
                sp.setVvalue(range <= 0 ? 0 : Math.min(1, Math.max(0, (y - 40) / range)));
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void setUpLaunchWatchAndCompare(FxRobot robot) throws Exception {
        // the spec is loaded and the workspace's domains are described
        waitFor(20, () -> workbench.viewModel().setup().domains().size() == 4
                && workbench.viewModel().setup().domains().get(0).usable());
        TableView<?> domains = robot.lookup("#domains").queryTableView();
        assertThat(domains.getItems()).hasSize(4);
        Button launch = robot.lookup("#launch").queryButton();
        assertThat(launch.isDisabled()).isFalse();

        // Test connection reports beside the target, whole in the tooltip however long it is
        Label targetStatus = robot.lookup("#target-status").queryAs(Label.class);
        Button testConnection = robot.lookup("#test-connection").queryButton();
        scrollTo(robot, testConnection);
        robot.clickOn(testConnection);
        waitFor(20, () -> targetStatus.getText().startsWith("OK: local"));
        assertThat(targetStatus.isWrapText()).isTrue();
        assertThat(targetStatus.getTooltip().getText()).isEqualTo(targetStatus.getText());

        // "Skip completed runs" beside Launch sets what Launch does
        CheckBox skip = robot.lookup("#resume").queryAs(CheckBox.class);
        assertThat(skip.isSelected()).isFalse();
        robot.clickOn(skip);
        assertThat(workbench.viewModel().setup().resumeProperty().get()).isTrue();
        robot.clickOn(skip);
        assertThat(workbench.viewModel().setup().resumeProperty().get()).isFalse();

        // a bad value: inline error, Launch disabled
        TextField epochs = robot.lookup("#training-epochs").queryAs(TextField.class);
        Label epochsError = robot.lookup("#training-epochs-error").queryAs(Label.class);
        assertThat(epochsError.isVisible()).isFalse();
        typeInto(robot, epochs, "0");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(epochs.getText()).isEqualTo("0");
        assertThat(epochsError.isVisible()).isTrue();
        assertThat(epochsError.getText()).contains("out of range");
        assertThat(launch.isDisabled()).isTrue();
        assertThat(robot.lookup("#setup-problem").queryAs(Label.class).getText()).contains("training.epochs");
        typeInto(robot, epochs, "1");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(epochsError.isVisible()).isFalse();
        assertThat(launch.isDisabled()).isFalse();

        // choose a second method; its options validate as typed
        CheckBox finetune = robot.lookup("#method-finetune").queryAs(CheckBox.class);
        assertThat(finetune.isSelected()).isFalse();
        scrollTo(robot, finetune);
        robot.clickOn(finetune);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(finetune.isSelected()).isTrue();
        TextField lr = robot.lookup("#method-finetune-learning-rate").queryAs(TextField.class);
        typeInto(robot, lr, "fast");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#method-finetune-learning-rate-error").queryAs(Label.class).getText())
                .contains("'fast' is not a number");
        assertThat(launch.isDisabled()).isTrue();
        robot.interact(() -> lr.setText("0.02"));
        assertThat(launch.isDisabled()).isFalse();

        // launch two real runs in worker JVMs; the Monitor shows them
        robot.clickOn(launch);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.viewModel().getPage()).isEqualTo(MainViewModel.Page.MONITOR);
        TableView<?> runs = robot.lookup("#runs").queryTableView();
        assertThat(runs.getItems()).hasSize(3);
        assertThat(robot.lookup("#stop").queryButton().isDisabled()).isFalse();

        // the charts receive points while the first run trains
        var monitorView = workbench.view().monitorView();
        waitFor(120, () -> monitorView.pointCount(Chart.LOSS) > 0 && monitorView.pointCount(Chart.MEMORY) > 0);
        waitFor(120, () -> monitorView.pointCount(Chart.ACCURACY) > 0);
        // DA3 (second in the queue) reports gate sparsity when it is shown
        waitFor(240, () -> workbench.viewModel().monitor().runs().get(1).trace().pointCount(Chart.GATES) > 0);
        robot.interact(() -> runs.getSelectionModel().select(1));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(monitorView.pointCount(Chart.GATES)).isPositive();

        // both runs complete; overlaying them puts both in the charts
        waitFor(240, () -> workbench.viewModel().monitor().runs().stream()
                .allMatch(r -> r.getStatus().isDone()));
        assertThat(workbench.viewModel().monitor().runs()).extracting(RunItem::getStatus)
                .containsOnly(RunStatus.COMPLETED);
        robot.interact(() -> runs.getSelectionModel().selectAll());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(monitorView.viewer(Chart.LOSS).getChart().getXYPlot().getDataset().getSeriesCount()).isEqualTo(3);
        assertThat(launch.isDisabled()).as("Launch is back once nothing runs").isFalse();

        // the Memory view profiles the three methods of the spec
        robot.clickOn("#tab-memory");
        waitFor(20, () -> workbench.viewModel().memory().profiles().size() == 3);
        var totals = workbench.view().memoryView().totalsViewer().getChart().getCategoryPlot().getDataset();
        assertThat(totals.getColumnCount()).isEqualTo(3);
        assertThat(robot.lookup("#memory-layers").queryTableView().getItems()).isNotEmpty();

        // the results table fills: one row per method, the domains and the costs as columns
        robot.clickOn("#tab-results");
        waitFor(20, () -> workbench.view().resultsView().shownRows().size() == 3);
        ComparisonTable table = workbench.viewModel().results().getTable();
        // (labels carry the defaults the worker resolved, e.g. linear[engine=...]: reported to the lead)
        assertThat(table.rows()).extracting(r -> r.cells().get(0).text())
                .anyMatch(m -> m.startsWith("da3")).anyMatch(m -> m.startsWith("linear"))
                .contains("finetune[learning_rate=0.02]");
        assertThat(table.columns()).extracting(ComparisonTable.Column::header)
                .startsWith("Method", "tiny-shapes", "tiny-textures", "Mean").contains("Gate sparsity")
                .anyMatch(h -> h.startsWith("MACs/image"));
        int gates = table.columns().stream().map(ComparisonTable.Column::header).toList().indexOf("Gate sparsity");
        assertThat(table.rows()).anyMatch(r -> r.cells().get(gates).stats().present());
        TableView<?> resultsTable = robot.lookup("#results").queryTableView();
        assertThat(resultsTable.getVisibleLeafColumns()).extracting(c -> c.getText())
                .contains("Method", "tiny-shapes", "tiny-textures", "Gate sparsity");
        assertThat(resultsTable.getItems()).hasSize(3);
        // the method column is wide enough for its longest label (a sweep's variants differ at the end)
        javafx.scene.text.Text longest = new javafx.scene.text.Text("finetune[learning_rate=0.02]");
        assertThat(resultsTable.getVisibleLeafColumns().get(0).getWidth()).as("the method column")
                .isGreaterThan(longest.getLayoutBounds().getWidth());
        // and the run queue cuts a long label in the middle, keeping the end that tells variants apart
        @SuppressWarnings("unchecked")
        TableColumn<RunItem, String> runColumn = (TableColumn<RunItem, String>) runs.getColumns().get(0);
        assertThat(runColumn.getCellFactory().call(runColumn).getTextOverrun())
                .isEqualTo(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
        // under the table, the Pareto figure of the same runs; the box switches it to the gate curves
        var results = workbench.view().resultsView();
        waitFor(20, () -> results.shownFigure() != null
                && results.shownFigure().getXYPlot().getDataset().getSeriesCount() >= 3);
        assertThat(robot.lookup("#figure-chart").tryQuery()).isPresent();
        robot.interact(() -> robot.lookup("#figure-kind").<javafx.scene.control.ChoiceBox<
                org.da3.workbench.report.FigureKind>>query().setValue(org.da3.workbench.report.FigureKind.GATES));
        waitFor(20, () -> results.shownFigure() == workbench.viewModel().results().getFigure()
                && workbench.viewModel().results().figureKindProperty().get()
                        == org.da3.workbench.report.FigureKind.GATES);
        assertThat(results.shownFigure().getTitle().getText()).isEqualTo(org.da3.workbench.report.FigureKind.GATES
                .build(workbench.viewModel().results().storeProperty().get(),
                        org.da3.workbench.report.FigureOptions.DEFAULTS).getTitle().getText());
        try (var runDirs = Files.list(dir.resolve("ws/experiments/gui/runs"))) {
            assertThat(runDirs.count()).isEqualTo(3);
        }
    }
}
