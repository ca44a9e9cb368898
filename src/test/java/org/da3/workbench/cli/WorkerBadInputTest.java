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

}
