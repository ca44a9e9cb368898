package org.da3.workbench.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.da3.workbench.Workspace;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.monitor.RunItem;
import org.da3.workbench.ui.monitor.RunStatus;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.da3.workbench.ui.results.ResultRow;
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
 * inline error for a bad value with Launch disabled, chooses a second method, launches two real
 * runs in local worker JVMs, and sees the charts receive points and the results table fill.
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
                TestWorkspace.tinySpec("gui", "linear", "tiny-shapes, tiny-textures").replace("log_every: 5", "log_every: 1"));
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

    @Test
    void setUpLaunchWatchAndCompare(FxRobot robot) throws Exception {
        // the spec is loaded and the workspace's domains are described
        waitFor(20, () -> workbench.viewModel().setup().domains().size() == 4
                && workbench.viewModel().setup().domains().get(0).usable());
        TableView<?> domains = robot.lookup("#domains").queryTableView();
        assertThat(domains.getItems()).hasSize(4);
        Button launch = robot.lookup("#launch").queryButton();
        assertThat(launch.isDisabled()).isFalse();

        // a bad value: inline error, Launch disabled
        TextField epochs = robot.lookup("#training-epochs").queryAs(TextField.class);
        Label epochsError = robot.lookup("#training-epochs-error").queryAs(Label.class);
        assertThat(epochsError.isVisible()).isFalse();
        robot.clickOn(epochs);
        robot.interact(epochs::selectAll);
        robot.write("0");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(epochs.getText()).isEqualTo("0");
        assertThat(epochsError.isVisible()).isTrue();
        assertThat(epochsError.getText()).contains("out of range");
        assertThat(launch.isDisabled()).isTrue();
        assertThat(robot.lookup("#setup-problem").queryAs(Label.class).getText()).contains("training.epochs");
        robot.interact(epochs::selectAll);
        robot.write("1");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(epochsError.isVisible()).isFalse();
        assertThat(launch.isDisabled()).isFalse();

        // choose a second method; its options validate as typed
        CheckBox finetune = robot.lookup("#method-finetune").queryAs(CheckBox.class);
        assertThat(finetune.isSelected()).isFalse();
        robot.clickOn(finetune);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(finetune.isSelected()).isTrue();
        TextField lr = robot.lookup("#method-finetune-learning-rate").queryAs(TextField.class);
        robot.clickOn(lr).write("fast");
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
        assertThat(runs.getItems()).hasSize(2);
        assertThat(robot.lookup("#stop").queryButton().isDisabled()).isFalse();

        // the charts receive points while the first run trains
        var monitorView = workbench.view().monitorView();
        waitFor(120, () -> monitorView.pointCount(Chart.LOSS) > 0 && monitorView.pointCount(Chart.MEMORY) > 0);
        waitFor(120, () -> monitorView.pointCount(Chart.ACCURACY) > 0);

        // both runs complete; overlaying them puts both in the charts
        waitFor(240, () -> workbench.viewModel().monitor().runs().stream()
                .allMatch(r -> r.getStatus().isDone()));
        assertThat(workbench.viewModel().monitor().runs()).extracting(RunItem::getStatus)
                .containsOnly(RunStatus.COMPLETED);
        robot.interact(() -> runs.getSelectionModel().selectAll());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(monitorView.viewer(Chart.LOSS).getChart().getXYPlot().getDataset().getSeriesCount()).isEqualTo(2);
        assertThat(launch.isDisabled()).as("Launch is back once nothing runs").isFalse();

        // the results table fills, one row per method, with the domains as columns
        robot.clickOn("#tab-results");
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> results = robot.lookup("#results").queryTableView();
        assertThat(results.getItems()).hasSize(2);
        assertThat(results.getItems()).extracting(r -> ((ResultRow) r).label())
                .containsExactlyInAnyOrder("linear", "finetune[learning_rate=0.02]");
        ResultRow row = (ResultRow) results.getItems().get(0);
        assertThat(row.domains()).containsExactly("tiny-shapes", "tiny-textures");
        assertThat(row.accuracy("tiny-textures")).isBetween(0.0, 1.0);
        assertThat(row.status()).isEqualTo("completed");
        assertThat(Files.list(dir.resolve("ws/experiments/gui/runs")).count()).isEqualTo(2);
    }
}
