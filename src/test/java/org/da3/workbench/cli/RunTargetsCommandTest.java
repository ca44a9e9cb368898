package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.test.SshTestServer;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code da3 run --target}: names from experiments/targets.yaml, and runs spread over targets. */
class RunTargetsCommandTest {
    @TempDir
    Path dir;

    @Test
    void anUnknownTargetExitsWith2AndListsTheKnownOnes() throws Exception {
        TestWorkspace.create(dir, 16, 16);
        Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n  nano: {kind: jetson, host: nano.local,"
                + " user: nvidia}\n");
        Path spec = dir.resolve("experiments/t.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("t", "linear", "tiny-shapes"));
        CommandLine cl = Da3.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("run", spec.toString(), "--target", "nowhere");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("da3: --target: target: 'nowhere' is not a known target; known"
                + " targets (" + dir.resolve("experiments/targets.yaml") + "): local, nano; or give an address"
                + " ssh://user@host:port");
        assertThat(dir.resolve("experiments/t")).doesNotExist();
    }

    /** Runs {@code da3 run experiments/t.yaml ARGS} on a spec, expecting a refusal; returns what it printed. */
    private String refusedRun(String specText, String... args) throws Exception {
        TestWorkspace.create(dir, 16, 16);
        Path spec = dir.resolve("experiments/t.yaml");
        Files.writeString(spec, specText);
        CommandLine cl = Da3.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        String[] line = Stream.concat(Stream.of("run", spec.toString()), Stream.of(args)).toArray(String[]::new);
        assertThat(cl.execute(line)).isEqualTo(2);
        assertThat(dir.resolve("experiments/t")).as("no run directory").doesNotExist();
        return err.toString().strip();
    }

    @Test
    void anUnknownTargetFromTheSpecIsBlamedOnTheSpecsTargetField() throws Exception {
        String err = refusedRun(TestWorkspace.tinySpec("t", "linear", "tiny-shapes") + "target: nowhere\n");
        assertThat(err).isEqualTo("da3: " + dir.resolve("experiments/t.yaml") + ": target: 'nowhere' is not a known"
                + " target; known targets (" + dir.resolve("experiments/targets.yaml") + "): local; or give an address"
                + " ssh://user@host:port");
    }

    @Test
    void anSshPortOutOfRangeIsRefusedBeforeAnyRun() throws Exception {
        String err = refusedRun(TestWorkspace.tinySpec("t", "linear", "tiny-shapes"), "--target",
                "ssh://root@127.0.0.1:99999");
        assertThat(err).isEqualTo("da3: --target: target: port 99999 in ssh://root@127.0.0.1:99999 is out of range;"
                + " use a port from 1 to 65535");
    }

    @Test
    void spreadsTheRunsOverALocalAndAnSshTarget() throws Exception {
        TestWorkspace.create(dir, 48, 32);
        Path keys = Files.createDirectories(dir.resolve("keys"));
        try (SshTestServer server = SshTestServer.start(keys)) {
            Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n"
                    + "  here: {kind: local, jvm_flags: [-Xmx1g]}\n"
                    + server.targetsYamlEntry("box", "linux", server.knownHostsFile())
                    + "    remote_dir: " + dir.resolve("remote") + "\n"
                    + "    java: " + Path.of(System.getProperty("java.home"), "bin", "java") + "\n"
                    + "    jvm_flags: [-Xmx1g]\n");
            Path spec = dir.resolve("experiments/two.yaml");
            Files.writeString(spec, TestWorkspace.tinySpec("two", "linear", "tiny-shapes, tiny-glyphs")
                    + "seeds: [1, 2]\n");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream old = System.out;
            int code;
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            try {
                code = Da3.execute("run", spec.toString(), "--target", "here", "--target", "box");
            } finally {
                System.setOut(old);
            }
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(code).as(out).isZero();
            // a local-kind target is named by its own name
            assertThat(out).contains("Experiment two: 2 run(s) on here (this machine", "box (ssh ");
            assertThat(out).contains("@here] run directory: ", "@box] run directory: ");
            assertThat(out).contains("Results: two");
            List<Path> runs;
            try (Stream<Path> s = Files.list(dir.resolve("experiments/two/runs"))) {
                runs = s.sorted().toList();
            }
            assertThat(runs).hasSize(2);
            for (Path r : runs) {
                RunRecord rec = RunRecord.read(r);
                assertThat(rec.status()).isEqualTo("completed");
                assertThat(r.resolve("patches/tiny-glyphs.safetensors")).isRegularFile();
                assertThat(r.resolve("manifest.json")).content().contains("\"target\"");
            }
        }
    }
}
