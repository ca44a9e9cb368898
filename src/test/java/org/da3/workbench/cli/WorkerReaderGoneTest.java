package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.test.WorkerProcess;
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
        org.da3.workbench.run.WorkerRequest req = WorkerProcess.tinyRequest(tmp, 256, 500);
        Path out = Path.of(req.outputDir());
        Process p = WorkerProcess.start(req, tmp.resolve("err.txt"));
        try {
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
