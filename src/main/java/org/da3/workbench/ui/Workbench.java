package org.da3.workbench.ui;

import atlantafx.base.theme.PrimerLight;
import java.nio.file.Files;
import java.util.Objects;
import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.ui.memory.MemoryViewModel;
import org.da3.workbench.ui.monitor.MonitorViewModel;
import org.da3.workbench.ui.monitor.RunLauncher;
import org.da3.workbench.ui.monitor.TargetPoolLauncher;
import org.da3.workbench.ui.results.ResultsViewModel;
import org.da3.workbench.ui.setup.SetupViewModel;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The composition root of the GUI: builds the view models and views for a workspace, puts them in
 * a stage, restores the remembered window state and loads the first spec. Used by {@link
 * WorkbenchApp} and by the GUI tests, which pass their own stage.
 */
public final class Workbench {
    /** The smallest remembered window size taken as one; a smaller one (0, negative) opens the default. */
    private static final double MIN_WIDTH = 400;
    private static final double MIN_HEIGHT = 300;
    private static final String[] SPLITS = {"split", "horizontalSplit", "verticalSplit", "memorySplit", "resultsSplit"};

    private final Stage stage;
    private final TaskExecutor executor;
    private final WindowState state;
    private final MainViewModel vm;
    private final MainView view;
    private final RunLauncher launcher;
    private boolean closed;

    private Workbench(Stage stage, GuiOptions options, TaskExecutor executor, TargetProvider targets,
            RunLauncher launcher) {
        this.stage = stage;
        this.executor = executor;
        this.state = new WindowState(options.stateFile());
        this.launcher = launcher;
        SetupViewModel setup = new SetupViewModel(options.workspace(), executor, targets);
        MonitorViewModel monitor = new MonitorViewModel(executor, launcher);
        ResultsViewModel results = new ResultsViewModel(options.workspace(), executor);
        MemoryViewModel memory = new MemoryViewModel(executor, () -> setup.domains().stream()
                .filter(d -> d.isSelected() && d.classes() > 0).mapToInt(d -> d.classes()).findFirst().orElse(10));
        this.vm = new MainViewModel(setup, monitor, results, memory);
        this.view = new MainView(vm);
    }

    /**
     * Opens the workbench in a stage with the standard parts: the targets of the workspace's
     * {@code experiments/targets.yaml}, runs through {@link TargetPoolLauncher}.
     *
     * @param stage the stage
     * @param options the options
     * @param executor the UI executor
     * @return the workbench, shown
     */
    public static Workbench open(Stage stage, GuiOptions options, TaskExecutor executor) {
        TargetProvider targets = new WorkspaceTargetProvider(options.workspace());
        RunLauncher launcher = new TargetPoolLauncher(new ExperimentRunner(options.workspace()), targets);
        return open(stage, options, executor, targets, launcher);
    }

    /**
     * Opens the workbench in a stage with given parts.
     *
     * @param stage the stage
     * @param options the options
     * @param executor the UI executor
     * @param targets the targets offered
     * @param launcher runs the jobs
     * @return the workbench, shown
     */
    public static Workbench open(Stage stage, GuiOptions options, TaskExecutor executor, TargetProvider targets,
            RunLauncher launcher) {
        Objects.requireNonNull(stage);
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        Workbench wb = new Workbench(stage, options, executor, targets, launcher);
        wb.show(options);
        return wb;
    }

    private void show(GuiOptions options) {
        // the remembered size, if it is one, made to fit the largest screen
        Rectangle2D screen = Screen.getScreens().stream().map(Screen::getVisualBounds)
                .max(java.util.Comparator.comparingDouble(b -> b.getWidth() * b.getHeight()))
                .orElse(new Rectangle2D(0, 0, 1500, 940));
        Scene scene = new Scene(view.root(), state.length("window.width", 1500, MIN_WIDTH, screen.getWidth()),
                state.length("window.height", 940, MIN_HEIGHT, screen.getHeight()));
        stage.setScene(scene);
        stage.titleProperty().bind(vm.titleProperty());
        restoreBounds();
        try {
            vm.setPage(MainViewModel.Page.valueOf(state.text("page") == null ? "SETUP" : state.text("page")));
        } catch (IllegalArgumentException e) {
            vm.setPage(MainViewModel.Page.SETUP);
        }
        vm.setup().refreshDomains();
        if (options.spec() != null && Files.isRegularFile(options.spec())) {
            try {
                vm.setup().load(options.spec());
            } catch (RuntimeException e) {
                vm.setup().setSpecFile(null);
                vm.setPage(MainViewModel.Page.SETUP);
                showLoadError(e);
            }
        }
        stage.setOnHidden(e -> close());
        stage.setOnCloseRequest(e -> {
            if (vm.monitor().isRunning() && !confirmStop()) {
                e.consume();
            }
        });
        stage.show();
        for (String id : SPLITS) {
            Node n = scene.lookup("#" + id);
            double pos = state.number("split." + id, -1);
            if (n instanceof SplitPane && pos > 0 && pos < 1) {
                ((SplitPane) n).setDividerPositions(pos);
            }
        }
        // the state is kept as it changes, so a JVM that ends without the window closing (Ctrl-C,
        // a kill) writes it without the UI thread (saveStateBeforeExit)
        javafx.beans.InvalidationListener remember = o -> remember();
        stage.xProperty().addListener(remember);
        stage.yProperty().addListener(remember);
        scene.widthProperty().addListener(remember);
        scene.heightProperty().addListener(remember);
        stage.maximizedProperty().addListener(remember);
        vm.pageProperty().addListener(remember);
        vm.setup().specFileProperty().addListener(remember);
        for (String id : SPLITS) {
            if (scene.lookup("#" + id) instanceof SplitPane sp) {
                sp.getDividers().forEach(d -> d.positionProperty().addListener(remember));
            }
        }
        remember();
    }

    private boolean confirmStop() {
        javafx.scene.control.Alert a = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.CONFIRMATION,
                "Closing the workbench stops them; their run folders keep what they reached.",
                javafx.scene.control.ButtonType.OK, javafx.scene.control.ButtonType.CANCEL);
        a.setHeaderText("Runs are still in progress");
        a.initOwner(stage);
        return a.showAndWait().filter(b -> b == javafx.scene.control.ButtonType.OK).isPresent();
    }

    private void showLoadError(RuntimeException e) {
        javafx.application.Platform.runLater(() -> {
            javafx.scene.control.Alert a = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.ERROR,
                    e.getMessage());
            a.setHeaderText("Cannot open the spec");
            a.initOwner(stage);
            a.show();
        });
    }

    private void restoreBounds() {
        double x = state.number("window.x", Double.NaN);
        double y = state.number("window.y", Double.NaN);
        if (!Double.isNaN(x) && !Double.isNaN(y)) {
            Rectangle2D r = new Rectangle2D(x, y, 50, 50);
            boolean visible = Screen.getScreens().stream().anyMatch(s -> s.getVisualBounds().intersects(r));
            if (visible) {
                stage.setX(x);
                stage.setY(y);
            }
        }
        if ("true".equals(state.text("window.maximized"))) {
            stage.setMaximized(true);
        }
    }

    /** Remembers the window state and the spec file, stops runs and background work. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        saveState();
        vm.dispose();
    }

    /**
     * Writes the window state and the spec file as they were last seen, from any thread: for a JVM
     * that exits without the window being closed (Ctrl-C at the terminal, a kill), so the next
     * start opens as this one was left.
     */
    public void saveStateBeforeExit() {
        if (!closed) {
            state.save();
        }
    }

    /** Writes the window's size, place, page and dividers, and the spec file, to the state file. */
    private void saveState() {
        remember();
        state.save();
    }

    /** Takes the window's size, place, page and dividers, and the spec file, into the state (not written). */
    private void remember() {
        if (!stage.isMaximized() && stage.getScene() != null) {
            state.setNumber("window.x", stage.getX());
            state.setNumber("window.y", stage.getY());
            state.setNumber("window.width", stage.getScene().getWidth());
            state.setNumber("window.height", stage.getScene().getHeight());
        }
        state.setText("window.maximized", Boolean.toString(stage.isMaximized()));
        state.setText("page", vm.getPage().name());
        if (stage.getScene() != null) {
            for (String id : SPLITS) {
                Node n = stage.getScene().lookup("#" + id);
                if (n instanceof SplitPane && ((SplitPane) n).getDividerPositions().length > 0) {
                    state.setNumber("split." + id, ((SplitPane) n).getDividerPositions()[0]);
                }
            }
        }
        if (vm.setup().getSpecFile() != null) {
            state.setLastSpec(vm.setup().getSpecFile());
        }
    }

    /**
     * Stops every run and waits, a bounded time, until the runs under way are recorded as stopped
     * (see {@link RunLauncher#shutdown()}). Safe from any thread: for a JVM that exits without the
     * window being closed (Ctrl-C at the terminal, a kill).
     */
    public void stopRuns() {
        launcher.shutdown();
    }

    /** @return the main view model */
    public MainViewModel viewModel() {
        return vm;
    }

    /** @return the main view */
    public MainView view() {
        return view;
    }

    /** @return the stage */
    public Stage stage() {
        return stage;
    }

    /** @return the executor the views use */
    public TaskExecutor executor() {
        return executor;
    }
}
