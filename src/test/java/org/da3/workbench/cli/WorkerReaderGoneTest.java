package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose workbench is gone (killed with SIGKILL, crashed: nobody reads its events) stops
 * instead of training on unobserved.
 */
class WorkerReaderGoneTest {
    @TempDir
    Path tmp;

    @Test
    void aWorkerStopsWhenNobodyReadsItsEvents() throws Exception {
        Workspace ws = TestWorkspace.create(tmp.resolve("ws"), 256, 16);
        Path spec = Files.writeString(ws.experimentsDir().resolve("long.yaml"),
                TestWorkspace.tinySpec("long", "linear", "tiny-shapes").replace("epochs: 1", "epochs: 500"));
        PlannedRun run = ExperimentRunner.plan(new SpecLoader(ws.datasets().names()).load(spec)).get(0);
        Path out = Files.createDirectories(tmp.resolve("out/patches")).getParent();
        byte[] request = EventCodec.JSON.writeValueAsBytes(new ExperimentRunner(ws).request(run,
                RunDirectory.open(out)));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Da3.class.getName(), "worker", "--request", "-").redirectError(tmp.resolve("err.txt").toFile())
                .start();
        try {
            p.getOutputStream().write(request);
            p.getOutputStream().close();
            BufferedReader events = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            do {
                line = events.readLine();
            } while (line != null && !line.contains("\"type\":\"train_metrics\""));
            assertThat(line).as("the worker trains").isNotNull();
            // the reader goes away, as when the workbench is killed
            p.getInputStream().close();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the worker stops by itself").isTrue();
            assertThat(p.exitValue()).isEqualTo(WorkerExit.CANCELLED);
            assertThat(Files.readString(tmp.resolve("err.txt"))).contains("nobody reads the events any more");
            assertThat(List.of(out.resolve("patches").toFile().list())).as("no patch of the unfinished domain")
                    .isEmpty();
        } finally {
            p.destroyForcibly();
        }
    }
}
