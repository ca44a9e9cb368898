package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker, as a monitor starts it (a child JVM), given a request or output it cannot use:
 * exit 2, one line on stderr naming what to fix, and on stdout the error and run_finished events
 * a monitor reads the outcome from. No engine is loaded for any of these.
 */
class WorkerBadInputTest {
    @TempDir
    Path tmp;

    private record Result(int code, List<String> eventTypes, String err) {}

    private Result worker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Da3.class.getName(), "worker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the worker ends").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> types = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                types.add(EventCodec.decode(line).type());
            }
        }
        return new Result(p.exitValue(), types, err);
    }

    @Test
    void aMissingOrFolderRequestIsBadInputWithEvents() throws Exception {
        Path missing = tmp.resolve("nosuch.json");
        Result r = worker("--request", missing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("da3 worker: --request " + missing + ": no such file");
        assertThat(r.eventTypes()).containsExactly("error", "run_finished");

        Result dir = worker("--request", tmp.toString());
        assertThat(dir.code()).isEqualTo(2);
        assertThat(dir.err()).contains(": is a folder; give the request's JSON file, or - for standard input");
    }

    @Test
    void aRequestWithoutItsRunIdOrNotJsonSaysWhich() throws Exception {
        Path noId = Files.writeString(tmp.resolve("noid.json"), "{\"spec\": {}, \"output_dir\": \"x\"}");
        Result r = worker("--request", noId.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--request " + noId + ": field run_id is missing");
        assertThat(r.eventTypes()).containsExactly("error", "run_finished");

        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"run_id\": \"a\",\n \"spec\": [}");
        Result b = worker("--request", bad.toString());
        assertThat(b.code()).isEqualTo(2);
        assertThat(b.err()).contains("--request " + bad + ": not a valid worker request (line 2, column").doesNotContain(
                "StreamReadFeature");
    }

    @Test
    void aDomainWithoutItsDescriptorIsNamedWithoutAStackTrace() throws Exception {
        Path req = Files.writeString(tmp.resolve("req.json"), "{\"run_id\": \"r1\", \"output_dir\": \""
                + tmp.resolve("out") + "\", \"datasets\": {}, \"spec\": {\"name\": \"e\", \"domains\": [\"shapes\"],"
                + " \"methods\": [\"linear\"], \"backbone\": {\"name\": \"resnet26\", \"width\": 8}}}");
        Result r = worker("--request", req.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("da3 worker: request r1: datasets: has no descriptor for domain 'shapes'")
                .doesNotContain("\tat org.da3");
        assertThat(r.eventTypes()).endsWith("error", "run_finished");
    }

    @Test
    void anOutputFolderHoldingARunIsNotOverwritten() throws Exception {
        Workspace ws = TestWorkspace.create(tmp.resolve("ws"), 8, 4);
        Path spec = Files.writeString(ws.experimentsDir().resolve("tiny.yaml"),
                TestWorkspace.tinySpec("tiny", "linear", "tiny-shapes"));
        Path old = Files.createDirectories(tmp.resolve("old/patches"));
        Files.writeString(old.resolve("../events.jsonl"), "{}\n");
        Files.writeString(old.resolve("tiny-shapes.safetensors"), "finished");
        Result r = worker(spec.toString(), "--output", tmp.resolve("old").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output " + tmp.resolve("old") + ": is not empty (it holds a run: events.jsonl);"
                + " give a new or empty folder");
        assertThat(Files.readString(old.resolve("tiny-shapes.safetensors"))).isEqualTo("finished");
    }

    @Test
    void aPatchToTakeOverThatIsMissingOrChangedIsNamedBeforeAnythingTrains() throws Exception {
        Workspace ws = TestWorkspace.create(tmp.resolve("ws"), 8, 4);
        Path spec = Files.writeString(ws.experimentsDir().resolve("tiny.yaml"),
                TestWorkspace.tinySpec("tiny", "linear", "tiny-shapes"));
        org.da3.workbench.run.ExperimentRunner runner = new org.da3.workbench.run.ExperimentRunner(ws);
        org.da3.workbench.run.PlannedRun run = org.da3.workbench.run.ExperimentRunner.plan(
                new org.da3.workbench.spec.SpecLoader(ws.datasets().names()).load(spec)).get(0);
        Path out = Files.createDirectories(tmp.resolve("out/patches")).getParent();
        Path patch = out.resolve("patches/tiny-shapes.safetensors");
        org.da3.workbench.run.WorkerRequest req = runner.request(run, org.da3.workbench.run.RunDirectory.open(out))
                .resuming(new org.da3.workbench.run.ResumeFrom("old-run", java.util.Map.of("tiny-shapes", "ab12")));
        Path file = tmp.resolve("req.json");
        Files.write(file, EventCodec.JSON.writeValueAsBytes(req));

        Result missing = worker("--request", file.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("the patch of domain tiny-shapes to reuse from run old-run is not at "
                + patch + "; run the experiment again without resuming").doesNotContain("\tat org.da3");
        assertThat(missing.eventTypes()).containsExactly("error", "run_finished");

        Files.writeString(patch, "not the saved patch");
        Result changed = worker("--request", file.toString());
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.err()).contains("the patch " + patch + " of domain tiny-shapes has SHA-256 ")
                .contains(", but run old-run saved one with ab12");
        assertThat(Files.readString(patch)).isEqualTo("not the saved patch");
    }

    /**
     * An epoch checkpoint to continue from that is missing or changed is named before anything
     * trains (exit 2), as a patch is; so is one that does not fit the spec's epochs.
     */
    @Test
    void anEpochCheckpointToContinueFromThatIsMissingOrChangedIsNamed() throws Exception {
        Workspace ws = TestWorkspace.create(tmp.resolve("ws"), 8, 4);
        Path spec = Files.writeString(ws.experimentsDir().resolve("tiny.yaml"),
                TestWorkspace.tinySpec("tiny", "linear", "tiny-shapes").replace("epochs: 1", "epochs: 3"));
        org.da3.workbench.run.ExperimentRunner runner = new org.da3.workbench.run.ExperimentRunner(ws);
        org.da3.workbench.run.PlannedRun run = org.da3.workbench.run.ExperimentRunner.plan(
                new org.da3.workbench.spec.SpecLoader(ws.datasets().names()).load(spec)).get(0);
        Path out = Files.createDirectories(tmp.resolve("out/checkpoints")).getParent();
        Path checkpoint = out.resolve("checkpoints/tiny-shapes.safetensors");
        org.da3.workbench.run.WorkerRequest req = runner.request(run, org.da3.workbench.run.RunDirectory.open(out))
                .resuming(new org.da3.workbench.run.ResumeFrom("old-run", java.util.Map.of(), java.util.Map.of(),
                        new org.da3.workbench.run.ResumeFrom.Checkpoint("tiny-shapes", 2, 3, "cd34")));
        Path file = tmp.resolve("req.json");
        Files.write(file, EventCodec.JSON.writeValueAsBytes(req));

        Result missing = worker("--request", file.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("the epoch checkpoint of domain tiny-shapes to continue from run old-run is"
                + " not at " + checkpoint + "; run the experiment again without resuming").doesNotContain("\tat org.da3");
        assertThat(missing.eventTypes()).containsExactly("error", "run_finished");

        Files.writeString(checkpoint, "not the saved checkpoint");
        Result changed = worker("--request", file.toString());
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.err()).contains("the epoch checkpoint " + checkpoint + " of domain tiny-shapes has SHA-256 ")
                .contains(", but run old-run saved one with cd34; run the experiment again without resuming");
        assertThat(Files.readString(checkpoint)).isEqualTo("not the saved checkpoint");

        // a checkpoint of the last epoch (or later) is not one to continue from
        Files.writeString(file, Files.readString(file).replace("\"epoch\":2", "\"epoch\":3"));
        Result last = worker("--request", file.toString());
        assertThat(last.code()).isEqualTo(2);
        assertThat(last.err()).contains("--request " + file + ": resume.checkpoint.epoch is 3 of 3; a checkpoint"
                + " holds 1 to epochs - 1 epochs");
    }
}
