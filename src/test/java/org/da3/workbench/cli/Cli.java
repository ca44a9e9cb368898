package org.da3.workbench.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code da3} commands in the test's JVM and keeps what they print. */
final class Cli {
    /** What the commands printed to standard output. */
    final StringWriter out = new StringWriter();
    /** What they printed to standard error. */
    final StringWriter err = new StringWriter();

    /**
     * Runs one command line.
     *
     * @param args the arguments after {@code da3}
     * @return the exit code
     */
    int run(String... args) {
        CommandLine cl = Da3.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Forgets what was printed so far. */
    void clear() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }
}
