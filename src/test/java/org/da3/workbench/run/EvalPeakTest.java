package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.da3.workbench.cli.Da3;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation after each epoch runs large batches without a graph; its peak is its own phase.
 * A real worker (exact allocator) trains two epochs of a linear probe on batches of 2 and
 * evaluates 96 images at once: the second epoch's training readings, and the run's training
 * peak, must not carry the evaluation's peak (they did, so real runs reported DA3's step at ten
 * times its size).
 */
class EvalPeakTest {
    @TempDir
    Path dir;

    @Test
    void theTrainingPeakLeavesOutTheEvaluations() throws Exception {
        TestWorkspace.create(dir, 16, 96);
        Path spec = dir.resolve("experiments/evalpeak.yaml");
        Files.writeString(spec, "name: evalpeak\ndomains: [tiny-shapes]\nmethods: [linear]\n"
                + "backbone: {name: resnet26, width: 32}\n"
                + "training: {epochs: 2, batch_size: 2, learning_rate: 0.05, image_size: 64, seed: 7,"
                + " eval_batch_size: 96, log_every: 4, threads: 1}\n");
        assertThat(Da3.commandLine().execute("run", "--quiet", spec.toString())).isZero();
        Path runs = dir.resolve("experiments/evalpeak/runs");
        Path run;
        try (Stream<Path> s = Files.list(runs)) {
            run = s.findFirst().orElseThrow();
        }
        List<MemorySample> train = new ArrayList<>();
        List<MemorySample> eval = new ArrayList<>();
        Number stepPeak = null;
        List<String> warnings = new ArrayList<>();
        for (Envelope e : EventLog.read(run.resolve("events.jsonl"))) {
            if (e.event() instanceof org.da3.workbench.run.event.Warning w) {
                warnings.add(w.message());
            } else if (e.event() instanceof MemorySample m && m.source().equals("rss")) {
                (m.phase().equals("eval") ? eval : m.phase().equals("train") ? train : new ArrayList<MemorySample>()).add(m);
            } else if (e.event() instanceof RunFinished f) {
                stepPeak = (Number) f.summary().get("peak_step_bytes");
            }
        }
        assertThat(eval).as("one evaluation reading per epoch").hasSize(2);
        long evalAbove = eval.get(0).peakBytes() - eval.get(0).baselineBytes();
        long trainAbove = train.stream().mapToLong(m -> m.peakBytes() - m.baselineBytes()).max().orElseThrow();
        // 96 images of 64 px through a width-32 network: tens of MB; two images' forward: a few
        assertThat(evalAbove).as("the evaluation's peak above the baseline").isGreaterThan(20_000_000L);
        assertThat(trainAbove).as("the largest training reading, second epoch included").isLessThan(evalAbove / 2);
        assertThat(stepPeak.longValue()).isEqualTo(trainAbove);
        // no weights and a frozen backbone: the run says what to expect
        assertThat(warnings).anyMatch(w -> w.startsWith("backbone.weights is not set: the backbone is randomly"
                + " initialised and stays frozen for linear"));
    }
}
