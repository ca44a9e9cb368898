package org.da3.workbench.ui;

import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import org.da3.workbench.ui.memory.MemoryView;
import org.da3.workbench.ui.monitor.MonitorView;
import org.da3.workbench.ui.results.ResultsView;
import org.da3.workbench.ui.setup.SetupView;

/** The main window's content: binds {@code Main.fxml} to a {@link MainViewModel} and holds the four views. */
public final class MainView {
    private final MainViewModel vm;
    private final Parent root;
    private final SetupView setupView;
    private final MonitorView monitorView;
    private final ResultsView resultsView;
    private final MemoryView memoryView;

    @FXML private TabPane tabs;
    @FXML private Tab setupTab;
    @FXML private Tab monitorTab;
    @FXML private Tab resultsTab;
    @FXML private Tab memoryTab;
    @FXML private Label statusLabel;
    @FXML private Label runsLabel;
    @FXML private Label workspaceLabel;

    /**
     * Loads the main view and its three views.
     *
     * @param vm the main view model
     */
    public MainView(MainViewModel vm) {
        this.vm = vm;
        this.setupView = new SetupView(vm.setup());
        this.monitorView = new MonitorView(vm.monitor());
        this.resultsView = new ResultsView(vm.results());
        this.memoryView = new MemoryView(vm.memory());
        this.root = ViewLoader.load(this, "Main.fxml");
    }

    @FXML
    private void initialize() {
        setupTab.setContent(setupView.root());
        monitorTab.setContent(monitorView.root());
        resultsTab.setContent(resultsView.root());
        memoryTab.setContent(memoryView.root());
        memoryTab.setId("tab-memory");
        setupTab.setId("tab-setup");
        monitorTab.setId("tab-monitor");
        resultsTab.setId("tab-results");
        tabs.getSelectionModel().select(tabOf(vm.getPage()));
        vm.pageProperty().addListener((o, a, p) -> tabs.getSelectionModel().select(tabOf(p)));
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, t) -> vm.setPage(pageOf(t)));
        statusLabel.setId("status");
        statusLabel.textProperty().bind(vm.statusProperty());
        runsLabel.textProperty().bind(vm.monitor().summaryProperty());
        workspaceLabel.setText("workspace " + vm.setup().workspace().root());
    }

    private Tab tabOf(MainViewModel.Page p) {
        switch (p) {
            case MONITOR:
                return monitorTab;
            case RESULTS:
                return resultsTab;
            case MEMORY:
                return memoryTab;
            case SETUP:
            default:
                return setupTab;
        }
    }

    private MainViewModel.Page pageOf(Tab t) {
        if (t == monitorTab) {
            return MainViewModel.Page.MONITOR;
        }
        if (t == resultsTab) {
            return MainViewModel.Page.RESULTS;
        }
        if (t == memoryTab) {
            return MainViewModel.Page.MEMORY;
        }
        return MainViewModel.Page.SETUP;
    }

    /** @return the root node */
    public Parent root() {
        return root;
    }

    /** @return the Setup view */
    public SetupView setupView() {
        return setupView;
    }

    /** @return the Monitor view */
    public MonitorView monitorView() {
        return monitorView;
    }

    /** @return the Memory view */
    public MemoryView memoryView() {
        return memoryView;
    }

    /** @return the Results view */
    public ResultsView resultsView() {
        return resultsView;
    }
}
