package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EpochCheckpointSaved;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pretraining stopped after an epoch continues from its epoch checkpoint ({@code da3 pretrain
 * --resume}, and a spec's first use of its weights), and writes the weights an uninterrupted
 * pretraining writes, byte for byte.
 */
class PretrainResumeTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedPretrainingContinuesFromItsLastEpochAndWritesTheSameWeights() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 64, 16);
        Path recipe = Files.writeString(dir.resolve("pretrained/p.yaml"), "name: p\ndomains: [tiny-shapes]\n"
                + "methods: [finetune]\nbackbone: {name: resnet26, width: 8}\n"
                + "training: {epochs: 3, batch_size: 16, image_size: 16, log_every: 1, threads: 1}\n");
        Pretrainer pre = new Pretrainer(ws);
        assertThat(pre.stoppedPretraining(recipe, w -> { })).as("nothing stopped yet").isNull();
        try (Target t = new LocalTarget(List.of("-Xmx1g"), Map.of())) {
            // stopped as soon as its first epoch checkpoint is written
            RunMonitor monitor = new RunMonitor();
            assertThatThrownBy(() -> pre.pretrain(recipe, dir.resolve("stopped.safetensors"), t, monitor,
                    new RunMonitor.Listener() {
                        @Override
                        public void onEvent(Envelope e) {
                            if (e.event() instanceof EpochCheckpointSaved) {
                                monitor.stop();
                            }
                        }
                    }, null)).hasMessageContaining("cancelled");
            assertThat(dir.resolve("stopped.safetensors")).doesNotExist();

            List<String> warnings = new ArrayList<>();
            ResumeFrom from = pre.stoppedPretraining(recipe, warnings::add);
            assertThat(warnings).isEmpty();
            assertThat(from).isNotNull();
            assertThat(from.checkpoint().domain()).isEqualTo("tiny-shapes");
            // the last checkpoint the stopped run recorded: Stop lets the step under way end, and an
            // epoch whose evaluation had begun writes its checkpoint too
            int saved = org.da3.workbench.run.EventLog.read(ws.runsDir("p").resolve(from.run()).resolve("events.jsonl"))
                    .stream().map(Envelope::event).filter(EpochCheckpointSaved.class::isInstance)
                    .mapToInt(e -> ((EpochCheckpointSaved) e).epoch()).max().orElseThrow();
            assertThat(saved).isBetween(1, 2);
            assertThat(from.checkpoint().epoch()).isEqualTo(saved);
            assertThat(from.describe(List.of("tiny-shapes"))).startsWith("resumes tiny-shapes at epoch " + (saved + 1)
                    + " of 3 from ");

            Path resumed = dir.resolve("resumed.safetensors");
            RunRecord r = pre.pretrain(recipe, resumed, t, new RunMonitor(), e -> { }, from);
            assertThat(r.status()).isEqualTo("completed");
            String events = Files.readString(ws.runsDir("p").resolve(r.runId()).resolve("events.jsonl"));
            assertThat(events).contains("\"continuedFrom\":\"" + from.run() + "\"")
                    .contains("\"startEpoch\":" + (saved + 1));
            // the same recipe from a random initialisation, uninterrupted
            Path fresh = dir.resolve("fresh.safetensors");
            pre.pretrain(recipe, fresh, t, new RunMonitor(), e -> { });
            assertThat(Files.readAllBytes(resumed)).as("the weights of an uninterrupted pretraining")
                    .isEqualTo(Files.readAllBytes(fresh));
        }
        // a completed pretraining is the latest: nothing to resume any more
        assertThat(pre.stoppedPretraining(recipe, w -> { })).isNull();
    }
}
