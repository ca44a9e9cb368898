package org.da3.workbench.ui;

import java.util.Objects;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.ui.memory.MemoryViewModel;
import org.da3.workbench.ui.monitor.MonitorViewModel;
import org.da3.workbench.ui.results.ResultsViewModel;
import org.da3.workbench.ui.setup.SetupViewModel;

/**
 * The main window's state: the four views' models wired together (Launch in Setup queues runs
 * in the Monitor; finished runs go to Results; the valid spec is profiled in Memory), the visible page, the window title and the status
 * line.
 */
public final class MainViewModel {

    /** The pages of the main window. */
    public enum Page {
        /** Set up an experiment. */
        SETUP,
        /** Watch runs. */
        MONITOR,
        /** See where training memory goes. */
        MEMORY,
        /** Compare results. */
        RESULTS
    }

    private final SetupViewModel setup;
    private final MonitorViewModel monitor;
    private final ResultsViewModel results;
    private final MemoryViewModel memory;
    private final ObjectProperty<Page> page = new SimpleObjectProperty<>(this, "page", Page.SETUP);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title", "DA3 Workbench");

    /**
     * Wires the views' models.
     *
     * @param setup the Setup view model
     * @param monitor the Monitor view model
     * @param results the Results view model
     * @param memory the Memory view model (profiles the Setup view's valid spec)
     */
    public MainViewModel(SetupViewModel setup, MonitorViewModel monitor, ResultsViewModel results,
            MemoryViewModel memory) {
        this.setup = Objects.requireNonNull(setup);
        this.monitor = Objects.requireNonNull(monitor);
        this.results = Objects.requireNonNull(results);
        this.memory = Objects.requireNonNull(memory);
        // null while Setup has errors: the Memory view keeps the last valid profile and says so
        setup.specProperty().addListener((o, a, s) -> memory.setSpec(s));
        if (setup.getSpec() != null) {
            memory.setSpec(setup.getSpec());
        }
        setup.setOnLaunch(this::launch);
        setup.setOnStop(monitor::stopAll);
        setup.runningProperty().bind(monitor.runningProperty());
        monitor.setOnRunsFinished(results::addRuns);
        setup.statusProperty().addListener((o, a, b) -> status.set(b));
        results.statusProperty().addListener((o, a, b) -> status.set(b));
        setup.name().textProperty().addListener((o, a, b) -> updateTitle());
        setup.specFileProperty().addListener((o, a, b) -> updateTitle());
        updateTitle();
    }

    private void launch(ExperimentSpec spec) {
        try {
            int n = spec.methods().size() * spec.seeds().size();
            monitor.launch(spec, setup.resumeProperty().get(), skipped -> status.set("launched " + spec.name()
                    + ": " + (n - skipped) + " run(s) on " + spec.target()
                    + (skipped > 0 ? "; " + skipped + " already completed with this spec" : "")));
            page.set(Page.MONITOR);
        } catch (RuntimeException e) {
            status.set("cannot launch: " + e.getMessage());
        }
    }

    private void updateTitle() {
        String file = setup.getSpecFile() == null ? "unsaved" : setup.getSpecFile().getFileName().toString();
        title.set("DA3 Workbench - " + setup.name().getText() + " (" + file + ")");
    }

    /** @return the Setup view model */
    public SetupViewModel setup() {
        return setup;
    }

    /** @return the Monitor view model */
    public MonitorViewModel monitor() {
        return monitor;
    }

    /** @return the Results view model */
    public ResultsViewModel results() {
        return results;
    }

    /** @return the Memory view model */
    public MemoryViewModel memory() {
        return memory;
    }

    /** @return the visible page */
    public ObjectProperty<Page> pageProperty() {
        return page;
    }

    /** @return the visible page */
    public Page getPage() {
        return page.get();
    }

    /** @param p the page to show */
    public void setPage(Page p) {
        page.set(p);
    }

    /** @return the last message for the status line */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** @return the window title */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** Stops runs and background work; for window close. */
    public void dispose() {
        monitor.dispose();
    }
}
