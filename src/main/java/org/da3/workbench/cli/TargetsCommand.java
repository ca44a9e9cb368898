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
        description = "List the run targets of experiments/targets.yaml, test the connection to one, and copy back"
            + " what a remote run left on its machine.",
        subcommands = {TargetsCommand.ListCommand.class, TargetsCommand.TestCommand.class,
            TargetsCommand.CollectCommand.class})
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

    /** {@code da3 targets collect}. */
    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = {"Copy back what remote runs left on their machine when the connection was lost: their"
                + " patches, epoch checkpoint and the events that never came through (the worker is stopped first"
                + " if it still runs there); then results.csv is written again.",
                "Each run directory's remote.json names its target and remote folder; run this once the machine"
                + " answers again, before da3 run --resume."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every run's files came back", "1:a machine could not be reached (its files stay there)",
                "2:not a run directory, a run that ran on this machine, or an unknown target"})
    public static final class CollectCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption ws = new WorkspaceOption();

        @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories (experiments/<name>/runs/<id>)")
        private List<java.nio.file.Path> runs;

        @picocli.CommandLine.Option(names = "--target", paramLabel = "TARGET",
                description = "the target to collect from instead of the one remote.json names (a name from"
                    + " targets.yaml or ssh://user@host:port), for a machine that moved")
        private String target;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = WorkerExit.OK;
            for (java.nio.file.Path p : runs) {
                int c = collect(p, out, err);
                code = c == WorkerExit.BAD_INPUT || code == WorkerExit.BAD_INPUT ? WorkerExit.BAD_INPUT
                        : Math.max(code, c);
                out.flush();
                err.flush();
            }
            return code;
        }

        private int collect(java.nio.file.Path p, PrintWriter out, PrintWriter err) {
            org.da3.workbench.run.RunDirectory dir = org.da3.workbench.run.RunDirectory.open(p);
            if (!java.nio.file.Files.isRegularFile(dir.eventsFile())) {
                err.println("da3: " + p + ": " + (java.nio.file.Files.isDirectory(p) ? "not a run directory (no"
                        + " events.jsonl)" : "no such folder") + "; give run directories, experiments/<name>/runs/<id>");
                return WorkerExit.BAD_INPUT;
            }
            org.da3.workbench.run.RemoteRun remote;
            TargetSpec t;
            try {
                remote = org.da3.workbench.run.RemoteRun.read(dir);
                if (remote == null) {
                    err.println("da3: " + p + ": ran on this machine (no " + org.da3.workbench.run.RemoteRun.FILE
                            + "); its files are all here");
                    return WorkerExit.BAD_INPUT;
                }
                t = Targets.collectFrom(ws.dir != null ? ws.workspace() : Workspace.locate(dir.dir()), dir, remote,
                        target);
            } catch (SpecException | java.io.IOException e) {
                // an unknown target, a bad targets.yaml or remote.json: the message names the file
                err.println("da3: " + e.getMessage());
                return WorkerExit.BAD_INPUT;
            } catch (IllegalArgumentException e) {
                err.println("da3: " + p + ": " + e.getMessage());
                return WorkerExit.BAD_INPUT;
            }
            if (remote.collected()) {
                out.println(p + ": already copied back; checking again");
            }
            try {
                out.println(p + ": " + Targets.collect(t, dir));
                return WorkerExit.OK;
            } catch (java.io.IOException e) {
                err.println("da3: " + p + ": " + e.getMessage());
                return WorkerExit.RUN_FAILED;
            }
        }
    }
}
