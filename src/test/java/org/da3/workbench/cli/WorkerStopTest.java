package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EpochCheckpointSaved;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.test.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker stopped with SIGTERM (Stop) ends its run after the current step, as a cancelled run:
 * its end carries the run's summary, and the epoch checkpoint it leaves is the one its last
 * event records, so {@code --resume} can take it over.
 */
class WorkerStopTest {
    @TempDir
    Path tmp;

    @Test
    void aStoppedWorkerEndsItsRunAfterTheCurrentStepWithItsFilesRecorded() throws Exception {
        org.da3.workbench.run.WorkerRequest req = WorkerProcess.tinyRequest(tmp, 64, 500);
        Path out = Path.of(req.outputDir());
        Process p = WorkerProcess.start(req, tmp.resolve("err.txt"));
        List<Envelope> events = new ArrayList<>();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int checkpoints = 0;
            while ((line = r.readLine()) != null) {
                Envelope e = EventCodec.decode(line);
                events.add(e);
                if (e.event() instanceof EpochCheckpointSaved && ++checkpoints == 3) {
                    p.toHandle().destroy(); // SIGTERM, as Stop sends (Process.destroy would also close stdout)
                }
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("ended by TERM").isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
        RunFinished end = (RunFinished) events.get(events.size() - 1).event();
        assertThat(end.status()).isEqualTo(RunFinished.CANCELLED);
        assertThat(end.summary()).as("written by the run as it ended, not by the hook in its place")
                .containsEntry("status", RunFinished.CANCELLED).containsKey("step_seconds");
        assertThat(events.stream().filter(e -> e.event() instanceof RunFinished)).hasSize(1);
        EpochCheckpointSaved last = events.stream().map(Envelope::event)
                .filter(EpochCheckpointSaved.class::isInstance).map(EpochCheckpointSaved.class::cast)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(last.epoch()).isGreaterThanOrEqualTo(3);
        assertThat(RunDirectory.changedSince(out.resolve(last.path()), last.sha256()))
                .as("the checkpoint left is the one the last event records").isNull();
    }
}
