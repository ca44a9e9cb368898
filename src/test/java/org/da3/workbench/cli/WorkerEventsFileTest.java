package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.test.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request's events file: the worker writes every event line there as on stdout, and one it
 * cannot write does not stop the run.
 */
class WorkerEventsFileTest {
    @TempDir
    Path tmp;

    /** Runs a worker on a one-epoch linear probe with the given events file; returns its stdout lines. */
    private List<String> runWorker(String eventsFile) throws Exception {
        WorkerRequest req = WorkerProcess.tinyRequest(tmp, 32, 1).withEventsFile(eventsFile);
        Process p = WorkerProcess.start(req, tmp.resolve("err.txt"));
        try {
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(tmp.resolve("err.txt"))).isEqualTo(WorkerExit.OK);
            return stdout.lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theEventsFileHoldsExactlyTheLinesOfStdout() throws Exception {
        Path copy = tmp.resolve("remote/run/events.jsonl");
        List<String> stdout = runWorker(copy.toString());
        assertThat(stdout).hasSizeGreaterThan(5).last().asString().contains("\"type\":\"run_finished\"")
                .contains("\"status\":\"completed\"");
        assertThat(Files.readAllLines(copy)).isEqualTo(stdout);
    }

    @Test
    void anEventsFileThatCannotBeWrittenIsSaidAndTheRunGoesOn() throws Exception {
        Path notAFolder = Files.writeString(tmp.resolve("a-file"), "x");
        List<String> stdout = runWorker(notAFolder.resolve("events.jsonl").toString());
        assertThat(stdout.get(stdout.size() - 1)).contains("\"status\":\"completed\"");
        assertThat(Files.readString(tmp.resolve("err.txt"))).contains("cannot write the events file "
                + notAFolder.resolve("events.jsonl")).contains("the events go to stdout only");
    }
}
