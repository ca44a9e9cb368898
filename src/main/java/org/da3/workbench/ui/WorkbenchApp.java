package org.da3.workbench.ui;

import java.util.Objects;
import javafx.application.Application;
import javafx.stage.Stage;
import org.da3.workbench.ui.task.FxTaskExecutor;

/**
 * The JavaFX application. Started by {@code da3 gui} through {@link #launch(GuiOptions)} (the
 * jar's main class is the CLI, not this class, so the shaded jar starts JavaFX from the class
 * path).
 */
public final class WorkbenchApp extends Application {
    private static volatile GuiOptions options;
    private static volatile int exitCode;

    /**
     * JavaFX warns "Unsupported JavaFX configuration: classes were loaded from 'unnamed module'" on
     * every start from the class path (logger "javafx"), which is how the one runnable jar starts it;
     * the warning reads as a fault to a user, so that logger only reports errors. Held here: a
     * logger whose level was set can otherwise be collected and lose it.
     */
    private static final java.util.logging.Logger FX_START = java.util.logging.Logger.getLogger(
            "javafx");

    private FxTaskExecutor executor;
    private Workbench workbench;
    /** Stops the runs when the JVM exits without the window closing (Ctrl-C at the terminal, a kill). */
    private Thread onExit;

    /**
     * Opens the workbench and blocks until its window closes.
     *
     * @param opts how to start
     * @return the exit code: 0, or 1 when a screenshot tour failed
     */
    public static int launch(GuiOptions opts) {
        options = Objects.requireNonNull(opts);
        exitCode = 0;
        FX_START.setLevel(java.util.logging.Level.SEVERE);
        Application.launch(WorkbenchApp.class);
        return exitCode;
    }

    /**
     * Sets the exit code {@link #launch} returns.
     *
     * @param code the code
     */
    static void setExitCode(int code) {
        exitCode = code;
    }

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor();
        workbench = Workbench.open(stage, options, executor);
        // Ctrl-C ends the JVM without stop(): the window state is remembered and the runs under way
        // are recorded as cancelled first, as closing the window does (and as da3 run does on Ctrl-C)
        Workbench w = workbench;
        onExit = new Thread(() -> {
            w.saveStateBeforeExit();
            w.stopRuns();
        }, "da3-gui-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        if (options.screenshots() != null) {
            new ScreenshotTour(workbench, options.screenshots()).start();
        }
    }

    @Override
    public void stop() {
        if (workbench != null) {
            workbench.close();
        }
        if (onExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is already exiting: the hook stops the runs
            }
        }
        if (executor != null) {
            executor.shutdown();
        }
    }
}
