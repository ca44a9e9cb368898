package org.da3.workbench.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.ui.GuiOptions;
import org.da3.workbench.ui.WindowState;
import org.da3.workbench.ui.WorkbenchApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code da3 gui [SPEC]}: opens the workbench window with a spec loaded. Training runs in worker
 * JVMs, never in the GUI's process.
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = {"Open the workbench: set up experiments, watch runs live, compare results.",
            "Without SPEC it reopens the last spec, else experiments/quickstart.yaml."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the window was closed", "1:--screenshots could not take every screenshot",
            "2:the spec file does not exist", "3:no display (run under xvfb-run or on a desktop)"})
public final class GuiCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", arity = "0..1",
            description = "the experiment spec to open (default: the last one, else experiments/quickstart.yaml)")
    private Path spec;

    @Option(names = "--screenshots", paramLabel = "DIR",
            description = "launch the spec, take a screenshot of every view during the run into DIR, then quit")
    private Path screenshots;

    @Override
    public Integer call() {
        if (spec != null && !Files.isRegularFile(spec)) {
            throw new SpecException(spec.toString(), "SPEC", "no such file; give an experiment spec (YAML),"
                    + " for example experiments/quickstart.yaml");
        }
        Workspace ws = Workspace.locate(spec);
        Path stateFile = WindowState.defaultFile();
        Path file = spec;
        if (file == null && screenshots == null) {
            file = new WindowState(stateFile).lastSpec();
        }
        if (file == null) {
            Path quick = ws.experimentsDir().resolve("quickstart.yaml");
            file = Files.isRegularFile(quick) ? quick : null;
        }
        if (screenshots != null && file == null) {
            throw new SpecException("--screenshots", "SPEC", "no spec to run; give one, for example experiments/quickstart.yaml");
        }
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("linux") && System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null
                && !"Monocle".equals(System.getProperty("glass.platform"))) {
            System.err.println("da3: no display for the workbench window (DISPLAY is not set); run it on a desktop,"
                    + " or under Xvfb: xvfb-run -a da3 gui");
            return WorkerExit.ENVIRONMENT;
        }
        return WorkbenchApp.launch(new GuiOptions(ws, file == null ? null : file.toAbsolutePath().normalize(),
                stateFile, screenshots == null ? null : screenshots.toAbsolutePath().normalize()));
    }
}
