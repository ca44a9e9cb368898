package org.da3.workbench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.ResumeFrom;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EpochCheckpointSaved;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.run.event.Warning;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Epoch checkpoints with the real engine: a run stopped after an epoch of a domain and resumed from
 * its checkpoint ends with the patches and accuracies of a run that was never stopped, bit for bit.
 */
class EpochResumeTest {
    @TempDir
    static Path dir;
    static Workspace ws;

    @BeforeAll
    static void setUp() throws IOException {
        EngineSupport.start(2);
        ws = TestWorkspace.create(dir, 64, 32);
    }

    /** Two tiny domains, three epochs, random crops and flips: every stream an epoch draws from. */
    private static ExperimentSpec spec(String method) {
        String yaml = TestWorkspace.tinySpec("resume", method, "tiny-shapes, tiny-glyphs")
                .replace("epochs: 1", "epochs: 3")
                .replace("log_every: 5", "log_every: 2, augmentation: {random_crop: true, padding: 2, flip: true}");
        return ExperimentRunner.plan(new SpecLoader(ws.datasets().names()).parse("resume.yaml", yaml)).get(0).spec();
    }

    /** The uninterrupted runs, by method, for the tests that compare with them. */
    private static final Map<String, Outcome> WHOLE = new java.util.HashMap<>();

    private static Outcome whole(ExperimentSpec spec, String method) throws IOException {
        Outcome o = WHOLE.get(method);
        if (o == null) {
            o = run(spec, "whole-" + method.replaceAll("[^a-z0-9]", ""), null, null);
            WHOLE.put(method, o);
        }
        return o;
    }

    /**
     * A run's events and summary; {@code unlike} lists each epoch_checkpoint whose file was not on
     * disk with the event's SHA-256 when the event was sent.
     */
    private record Outcome(Path out, List<Event> events, Map<String, Object> summary, List<String> unlike) {
        <T extends Event> List<T> all(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** Runs in process; {@code stopAt} cancels the run when it sees an event it accepts. */
    private static Outcome run(ExperimentSpec spec, String name, ResumeFrom from, Predicate<Event> stopAt)
            throws IOException {
        Path out = dir.resolve(name);
        List<Event> events = new ArrayList<>();
        List<String> unlike = new ArrayList<>();
        MultiDomainRun[] self = new MultiDomainRun[1];
        RunContext ctx = new RunContext(name, (Envelope e) -> {
            events.add(e.event());
            if (e.event() instanceof EpochCheckpointSaved c) {
                try {
                    if (!MultiDomainRun.sha256(out.resolve(c.path())).equals(c.sha256())) {
                        unlike.add(c.toString());
                    }
                } catch (IOException ex) {
                    unlike.add(c + ": " + ex);
                }
            }
            if (stopAt != null && stopAt.test(e.event())) {
                self[0].cancel();
            }
        });
        Map<String, DatasetDescriptor> ds = new LinkedHashMap<>();
        spec.domains().forEach(d -> ds.put(d, ws.datasets().get(d)));
        self[0] = new MultiDomainRun(spec, ds, null, out, ctx);
        self[0].resuming(from);
        return new Outcome(out, events, self[0].execute(EngineSupport.start(2)), unlike);
    }

    private static Predicate<Event> afterEpoch(String domain, int epoch) {
        return e -> e instanceof EpochCheckpointSaved c && c.domain().equals(domain) && c.epoch() == epoch;
    }

    private static Path patch(Path out, String domain) {
        return out.resolve("patches").resolve(domain + ".safetensors");
    }

    private static Path checkpoint(Path out, String domain) {
        return out.resolve("checkpoints").resolve(domain + ".safetensors");
    }

    /**
     * The stopped run's folder copied into a new one as the workbench does, with the resume it
     * sends: the finished domain's patch taken over, the domain it stopped in continued.
     */
    private static ResumeFrom resumeFrom(Outcome cut, String name, int epochs) throws IOException {
        Path out = dir.resolve(name);
        Map<String, String> patches = new LinkedHashMap<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        for (CheckpointSaved c : cut.all(CheckpointSaved.class)) {
            patches.put(c.domain(), c.sha256());
            Files.createDirectories(patch(out, c.domain()).getParent());
            Files.copy(patch(cut.out(), c.domain()), patch(out, c.domain()));
        }
        cut.all(DomainStarted.class).forEach(d -> fingerprints.put(d.domain(), d.fingerprint()));
        List<EpochCheckpointSaved> cps = cut.all(EpochCheckpointSaved.class);
        EpochCheckpointSaved last = cps.get(cps.size() - 1);
        Files.createDirectories(checkpoint(out, last.domain()).getParent());
        Files.copy(checkpoint(cut.out(), last.domain()), checkpoint(out, last.domain()));
        return new ResumeFrom("cut-run", patches, fingerprints,
                new ResumeFrom.Checkpoint(last.domain(), last.epoch(), epochs, last.sha256()));
    }

    private static List<Evaluation> epochEvaluations(Outcome o, String domain) {
        return o.all(Evaluation.class).stream().filter(v -> !v.fromCheckpoint() && v.domain().equals(domain))
                .toList();
    }

    /**
     * DA3 (frozen path, SGD with momentum), fine-tune with drop-path (its own random draws, BN
     * running statistics), Piggyback (Adam, real-valued masks whose patch file holds only bits) and
     * BN+last: stopped after the first epoch of the second domain and resumed, each ends exactly as
     * the uninterrupted run does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"da3", "{name: finetune, options: {drop_path: 0.2}}", "piggyback", "bn+last"})
    void aRunResumedFromAnEpochCheckpointEndsBitIdenticalToOneNeverStopped(String method) throws IOException {
        ExperimentSpec spec = spec(method);
        String tag = method.replaceAll("[^a-z0-9]", "");
        Outcome whole = whole(spec, method);
        assertThat(whole.summary().get("status")).isEqualTo(RunFinished.COMPLETED);
        assertThat(whole.unlike()).isEmpty();

        Outcome cut = run(spec, "cut-" + tag, null, afterEpoch("tiny-glyphs", 1));
        assertThat(cut.summary().get("status")).isEqualTo(RunFinished.CANCELLED);
        assertThat(patch(cut.out(), "tiny-glyphs")).doesNotExist();
        assertThat(checkpoint(cut.out(), "tiny-glyphs")).isRegularFile();
        // the finished domain's checkpoint went with its patch
        assertThat(checkpoint(cut.out(), "tiny-shapes")).doesNotExist();

        ResumeFrom from = resumeFrom(cut, "resumed-" + tag, 3);
        Outcome resumed = run(spec, "resumed-" + tag, from, null);
        assertThat(resumed.summary().get("status")).isEqualTo(RunFinished.COMPLETED);
        for (String d : spec.domains()) {
            assertThat(Files.readAllBytes(patch(resumed.out(), d))).as(d).isEqualTo(Files.readAllBytes(
                    patch(whole.out(), d)));
        }
        assertThat(resumed.summary().get("final_accuracy")).isEqualTo(whole.summary().get("final_accuracy"));
        // the epochs it trained evaluate as the uninterrupted run's did
        assertThat(epochEvaluations(resumed, "tiny-glyphs")).extracting(Evaluation::epoch, Evaluation::correct)
                .containsExactlyElementsOf(epochEvaluations(whole, "tiny-glyphs").stream().skip(1)
                        .map(v -> org.assertj.core.groups.Tuple.tuple(v.epoch(), v.correct())).toList());

        DomainStarted glyphs = resumed.all(DomainStarted.class).get(1);
        assertThat(glyphs.continuedFrom()).isEqualTo("cut-run");
        assertThat(glyphs.startEpoch()).isEqualTo(2);
        assertThat(glyphs.steps()).isEqualTo(whole.all(DomainStarted.class).get(1).steps());
        // the checkpoint it continues from is its own latest of the domain, until the next epoch's
        EpochCheckpointSaved first = resumed.all(EpochCheckpointSaved.class).get(0);
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.sha256()).isEqualTo(from.checkpoint().sha256());
        // the step numbers (learning rate, budget ramp) continue; progress counts the steps left
        long per = glyphs.steps() / 3;
        List<TrainMetrics> metrics = resumed.all(TrainMetrics.class).stream()
                .filter(m -> m.domain().equals("tiny-glyphs")).toList();
        assertThat(metrics).isNotEmpty().allMatch(m -> m.epoch() >= 2 && m.step() > per);
        assertThat(metrics).extracting(TrainMetrics::learningRate).containsExactlyElementsOf(whole.all(
                TrainMetrics.class).stream().filter(m -> m.domain().equals("tiny-glyphs") && m.epoch() >= 2)
                .map(TrainMetrics::learningRate).toList());
        Progress last = resumed.all(Progress.class).get(resumed.all(Progress.class).size() - 1);
        assertThat(last.runSteps()).isEqualTo(2 * per);
        assertThat(last.runStep()).isEqualTo(2 * per);
        assertThat(last.step()).isEqualTo(3 * per);
        // done: no checkpoint is left in either run
        assertThat(resumed.out().resolve("checkpoints")).doesNotExist();
        assertThat(whole.out().resolve("checkpoints")).doesNotExist();
        assertThat(cut.unlike()).isEmpty();
        assertThat(resumed.unlike()).isEmpty();
    }

    /**
     * Every epoch but a domain's last writes a checkpoint, replacing the one before; saving the
     * domain's patch removes it.
     */
    @Test
    void checkpointsAreWrittenAfterEachEpochButTheLastAndRemovedWithThePatch() throws IOException {
        Outcome o = whole(spec("da3"), "da3");
        List<EpochCheckpointSaved> cps = o.all(EpochCheckpointSaved.class);
        assertThat(cps).extracting(EpochCheckpointSaved::domain, EpochCheckpointSaved::epoch).containsExactly(
                org.assertj.core.groups.Tuple.tuple("tiny-shapes", 1), org.assertj.core.groups.Tuple.tuple(
                        "tiny-shapes", 2), org.assertj.core.groups.Tuple.tuple("tiny-glyphs", 1),
                org.assertj.core.groups.Tuple.tuple("tiny-glyphs", 2));
        for (EpochCheckpointSaved c : cps) {
            assertThat(c.path()).isEqualTo("checkpoints/" + c.domain() + ".safetensors");
            assertThat(c.bytes()).isPositive();
            assertThat(c.sha256()).hasSize(64);
            assertThat(c.seconds()).isPositive();
            assertThat(c.step()).isEqualTo(c.epoch() * (cps.get(0).step()));
        }
        // each came after its epoch's evaluation, and the patch's checkpoint_saved after the last
        List<Event> ev = o.events();
        int firstCp = ev.indexOf(cps.get(0));
        assertThat(ev.subList(0, firstCp)).anyMatch(e -> e instanceof Evaluation v && v.epoch() == 1);
        assertThat(ev.subList(ev.indexOf(cps.get(1)), ev.size()).stream().filter(e -> e instanceof CheckpointSaved)
                .findFirst()).isPresent();
        // when its event was sent, the file was there with the event's hash
        assertThat(o.unlike()).isEmpty();
        assertThat(o.out().resolve("checkpoints")).doesNotExist();
    }

    /** A checkpoint that is missing or differs from the one its run saved is refused, naming the file. */
    @Test
    void aTamperedOrMissingCheckpointIsRefusedNamingTheFile() throws IOException {
        ExperimentSpec spec = spec("linear");
        Outcome cut = run(spec, "cut-tamper", null, afterEpoch("tiny-shapes", 2));
        ResumeFrom from = resumeFrom(cut, "tampered", 3);
        Path file = checkpoint(dir.resolve("tampered"), "tiny-shapes");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        Map<String, DatasetDescriptor> ds = new LinkedHashMap<>();
        spec.domains().forEach(d -> ds.put(d, ws.datasets().get(d)));
        MultiDomainRun r = new MultiDomainRun(spec, ds, null, dir.resolve("tampered"), new RunContext("t", e -> { }));
        assertThatThrownBy(() -> r.resuming(from)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the epoch checkpoint " + file + " of domain tiny-shapes has SHA-256 ")
                .hasMessageEndingWith(", but run cut-run saved one with " + from.checkpoint().sha256()
                        + "; run the experiment again without resuming");
        Files.delete(file);
        assertThatThrownBy(() -> r.resuming(from)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the epoch checkpoint of domain tiny-shapes to continue from run cut-run is not at " + file
                        + "; run the experiment again without resuming");
    }

    /** A domain whose data changed since its checkpoint was written trains from its first epoch, with a warning. */
    @Test
    void aDomainWhoseDataChangedTrainsFromItsFirstEpoch() throws IOException {
        ExperimentSpec spec = spec("linear");
        Outcome whole = whole(spec, "linear");
        Outcome cut = run(spec, "cut-changed", null, afterEpoch("tiny-shapes", 1));
        ResumeFrom from = resumeFrom(cut, "changed", 3);
        from = new ResumeFrom(from.run(), from.patches(), Map.of("tiny-shapes", "other"), from.checkpoint());
        Outcome o = run(spec, "changed", from, null);
        assertThat(o.all(Warning.class)).extracting(Warning::message).anyMatch(m -> m.startsWith("tiny-shapes: its"
                + " data changed since run cut-run saved its epoch 1 checkpoint (fingerprint other, now ")
                && m.endsWith("); training it from its first epoch"));
        assertThat(o.all(DomainStarted.class).get(0).continuedFrom()).isNull();
        assertThat(o.all(TrainMetrics.class).get(0).epoch()).isEqualTo(1);
        assertThat(Files.readAllBytes(patch(o.out(), "tiny-shapes"))).isEqualTo(Files.readAllBytes(
                patch(whole.out(), "tiny-shapes")));
        assertThat(o.out().resolve("checkpoints")).doesNotExist();
    }
}
