package org.da3.workbench.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.Targets;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.TargetsFile;
import org.da3.workbench.spec.TargetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code da3 targets}: the run targets of experiments/targets.yaml, as the GUI's Setup view offers them. */
@Command(name = "targets", mixinStandardHelpOptions = true,
        description = "List the run targets of experiments/targets.yaml and test the connection to one.",
        subcommands = {TargetsCommand.ListCommand.class, TargetsCommand.TestCommand.class})
public final class TargetsCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code da3 targets list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every target: name, kind, address, runs at once, and its description.")
    public static final class ListCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption ws = new WorkspaceOption();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Workspace w = ws.workspace();
            Map<String, TargetSpec> targets = Targets.list(w);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"name", "kind", "address", "runs at once", "description"});
            for (TargetSpec t : targets.values()) {
                rows.add(new String[] {t.name(), t.kind(), t.isLocal() ? "this machine" : t.address(),
                    Integer.toString(t.concurrentRuns()), t.description() == null ? "" : t.description().strip()});
            }
            TextTable.print(out, rows);
            if (!java.nio.file.Files.exists(Targets.file(w))) {
                out.println("(no " + w.root().relativize(Targets.file(w)) + ": only this machine; see docs/targets.md)");
            }
            out.flush();
            return WorkerExit.OK;
        }
    }

    /** {@code da3 targets test}. */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Connect to a target, log in and check that its java can run the worker (java -version,"
                + " as the GUI's Test connection does); nothing is uploaded.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:it answered", "1:it could not be reached or logged into",
                "2:no target of that name, targets.yaml is invalid, or no key here to log in with",
                "3:it answered, but its java is missing, fails, hangs or is older than 17"})
    public static final class TestCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption ws = new WorkspaceOption();

        @Parameters(paramLabel = "TARGET", description = "a name from targets.yaml, local, or ssh://user@host:port")
        private String target;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Workspace w = ws.workspace();
            try {
                // a bad name is blamed on this command, not on --target
                out.println("OK: " + Targets.test(TargetsFile.resolve(Targets.file(w), target, "targets test")));
                out.flush();
                return WorkerExit.OK;
            } catch (SpecException | IllegalArgumentException e) {
                err.println("da3: " + e.getMessage());
                err.flush();
                return WorkerExit.BAD_INPUT;
            } catch (org.da3.workbench.run.ssh.LoginSetupException e) {
                // nothing was tried over the network: the key set-up here is what to fix
                err.println("da3: cannot log in to " + target + ": " + e.getMessage());
                err.flush();
                return WorkerExit.BAD_INPUT;
            } catch (org.da3.workbench.run.ssh.RemoteJavaException e) {
                // it answered: the machine's java is what to fix
                err.println("da3: " + target + " answered, but cannot run the worker: " + e.getMessage());
                err.flush();
                return WorkerExit.ENVIRONMENT;
            } catch (Exception e) {
                err.println("da3: " + target + " did not answer: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                err.flush();
                return WorkerExit.RUN_FAILED;
            }
        }
    }
}
