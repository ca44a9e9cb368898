package org.da3.workbench.cli;

import java.io.PrintWriter;
import org.da3.workbench.Versions;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code da3} command: the workbench's entry point. Subcommands are listed here, in one place.
 *
 * <p>Exit codes: 0 done; 1 a run failed; 2 bad input (spec, descriptor, option), with one line
 * naming the file, field and allowed values; 3 the engine or environment is unusable; 130
 * interrupted.
 */
@Command(
        name = "da3",
        mixinStandardHelpOptions = true,
        versionProvider = Da3.Version.class,
        description = "DA3 Workbench: memory-efficient multi-domain learning on a frozen, shared backbone.",
        subcommands = {
            RunCommand.class,
            WorkerCommand.class,
            DatasetsCommand.class,
            TargetsCommand.class,
            PretrainCommand.class,
            ProfileCommand.class,
            BenchCommand.class,
            ExportCommand.class,
            GuiCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:a run failed (see its events.jsonl and worker.log)",
            "2:bad input: spec, descriptor or option (the message names the field)",
            "3:the engine or environment is unusable",
            "130:interrupted"
        })
public final class Da3 implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the CLI.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the CLI without exiting (for tests).
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** @return the configured command line */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Da3());
        cl.setExecutionExceptionHandler(Da3::handle);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("da3: " + ex.getMessage());
            // the full path of the command that refused it: 'da3 datasets check --help'
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return WorkerExit.BAD_INPUT;
        });
        return cl;
    }

    /**
     * Maps errors to one-line messages and exit codes.
     *
     * @param ex the exception
     * @param cl the command line
     * @param parsed the parse result
     * @return the exit code
     */
    static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = System.getenv("DA3_DEBUG") != null;
        Throwable t = ex;
        if (t instanceof SpecException || t instanceof DatasetException || t instanceof IllegalArgumentException) {
            err.println("da3: " + t.getMessage());
            if (debug) {
                t.printStackTrace(err);
            }
            return WorkerExit.BAD_INPUT;
        }
        if (t.getClass().getSimpleName().equals("EngineUnavailableException")) {
            err.println("da3: " + t.getMessage());
            return WorkerExit.ENVIRONMENT;
        }
        err.println("da3: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
        if (debug) {
            t.printStackTrace(err);
        } else {
            err.println("(set DA3_DEBUG=1 for the stack trace)");
        }
        return WorkerExit.RUN_FAILED;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints the workbench and platform versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"DA3 Workbench " + Versions.workbench(),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch")};
        }
    }
}
