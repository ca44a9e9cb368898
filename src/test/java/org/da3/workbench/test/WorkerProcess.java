package org.da3.workbench.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.Workspace;
import org.da3.workbench.cli.Da3;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.spec.SpecLoader;

/** A real worker JVM started by a test with a request on its stdin, as a local target starts one. */
public final class WorkerProcess {
    private WorkerProcess() {}

    /**
     * The request of a linear probe on tiny-shapes in a fresh test workspace, writing into {@code
     * tmp/out}.
     *
     * @param tmp the test's folder
     * @param images images per class of the tiny domains
     * @param epochs epochs to train
     * @return the request
     * @throws IOException if the workspace cannot be made
     */
    public static WorkerRequest tinyRequest(Path tmp, int images, int epochs) throws IOException {
        Workspace ws = TestWorkspace.create(tmp.resolve("ws"), images, 16);
        Path spec = Files.writeString(ws.experimentsDir().resolve("tiny.yaml"),
                TestWorkspace.tinySpec("tiny", "linear", "tiny-shapes").replace("epochs: 1", "epochs: " + epochs));
        PlannedRun run = ExperimentRunner.plan(new SpecLoader(ws.datasets().names()).load(spec)).get(0);
        Path out = Files.createDirectories(tmp.resolve("out/patches")).getParent();
        return new ExperimentRunner(ws).request(run, RunDirectory.open(out));
    }

    /**
     * Starts {@code da3 worker --request -} in a JVM of this test's classpath and hands it the
     * request; its stderr goes to a file.
     *
     * @param request the request
     * @param stderr the file for its stderr
     * @return the process, whose stdout carries the events
     * @throws IOException if it cannot be started
     */
    public static Process start(WorkerRequest request, Path stderr) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Da3.class.getName(), "worker", "--request", "-").redirectError(stderr.toFile()).start();
        p.getOutputStream().write(EventCodec.JSON.writeValueAsBytes(request));
        p.getOutputStream().close();
        return p;
    }
}
