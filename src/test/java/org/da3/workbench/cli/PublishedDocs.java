package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.da3.workbench.test.TestWorkspace;
import picocli.CommandLine;

/** Runs a bench command that must leave the project's docs/benchmarks.md as it is. */
final class PublishedDocs {
    private PublishedDocs() {}

    /** A command's exit code and what it printed. */
    record Printed(int code, String out) {}

    /**
     * Runs the command with stdout captured; fails if docs/benchmarks.md changed (and puts it back).
     *
     * @param command the command object
     * @param args its arguments
     * @return the exit code and the output
     * @throws Exception if the file cannot be read or restored
     */
    static Printed runKeeping(Object command, String... args) throws Exception {
        Path doc = TestWorkspace.projectDir().resolve("docs/benchmarks.md");
        byte[] before = Files.readAllBytes(doc);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(command).execute(args);
        } finally {
            System.setOut(old);
            byte[] after = Files.readAllBytes(doc);
            if (!Arrays.equals(before, after)) {
                Files.write(doc, before);
            }
            assertThat(after).as("docs/benchmarks.md is unchanged").isEqualTo(before);
        }
        return new Printed(code, buf.toString(StandardCharsets.UTF_8));
    }
}
