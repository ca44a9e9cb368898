package org.da3.workbench.run.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.SshTestServer;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs over SSH to a machine whose login shell and tools are BusyBox's: the test server runs
 * every command with {@code busybox sh -c} and a PATH of BusyBox applets only (the java check,
 * {@code run.sh}, {@code stop.sh}), and the real worker trains. {@code .ci/run} installs busybox;
 * without it these tests fail and say to install it.
 */
class SshTargetBusyBoxTest {
    @TempDir
    static Path tmp;

    static SshTestServer server;
    static Workspace ws;

    @BeforeAll
    static void start() throws Exception {
        Path busybox = RemoteScriptsBusyBoxTest.BusyBox.find();
        Path applets = RemoteScriptsBusyBoxTest.BusyBox.applets(busybox, tmp.resolve("bin"), Set.of());
        Files.createDirectories(tmp.resolve("keys"));
        server = SshTestServer.start(tmp.resolve("keys"));
        server.runCommandsWith(List.of(busybox.toString(), "sh", "-c"), Map.of("PATH", applets.toString()));
        ws = TestWorkspace.create(tmp.resolve("ws"), 48, 32);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static PlannedRun plan(String name, int epochs) throws IOException {
        Path f = ws.experimentsDir().resolve(name + ".yaml");
        Files.writeString(f, TestWorkspace.tinySpec(name, "linear", "tiny-shapes, tiny-textures")
                .replace("epochs: 1", "epochs: " + epochs));
        return ExperimentRunner.plan(new SpecLoader(ws.datasets().names()).load(f)).get(0);
    }

    private static Path runDir(RunRecord r) {
        return ws.runsDir(r.experiment()).resolve(r.runId());
    }

    private static long pidOf(Path remote, String runId) throws InterruptedException {
        Path f = remote.resolve("runs").resolve(RunDirectory.safe(runId)).resolve(RemoteScripts.PID);
        for (int i = 0; i < 100; i++) {
            try {
                String s = SshTestServer.readOrNull(f);
                if (s != null && !s.isBlank()) {
                    return Long.parseLong(s.trim());
                }
            } catch (IOException | NumberFormatException e) {
                // being written
            }
            Thread.sleep(50);
        }
        return -1;
    }

    private static void assertGone(long pid) throws InterruptedException {
        assertThat(pid).isPositive();
        for (int i = 0; i < 300 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("remote worker pid %d is gone", pid).isFalse();
    }

    @Test
    void aRunCompletesAndItsFilesComeBack() throws Exception {
        Path remote = tmp.resolve("remote-complete");
        RunRecord r;
        try (SshTarget t = new SshTarget(server.target("busybox", remote))) {
            r = new ExperimentRunner(ws).execute(plan("bb-complete", 1), t, new RunMonitor(), e -> { });
        }
        assertThat(r.status()).as(r.error()).isEqualTo("completed");
        assertThat(runDir(r).resolve("patches/tiny-shapes.safetensors")).isRegularFile();
        assertThat(runDir(r).resolve("patches/tiny-textures.safetensors")).isRegularFile();
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).contains("java on the machine: ");
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("0");
        assertThat(remoteRun.resolve(RemoteScripts.PID)).doesNotExist();
        assertThat(server.commands()).anyMatch(c -> c.startsWith("if timeout -k 1 5 true"))
                .contains(RemoteScripts.command(remoteRun.toString(), RemoteScripts.RUN));
    }

    @Test
    void stopKillsTheWorker() throws Exception {
        Path remote = tmp.resolve("remote-stop");
        AtomicLong pid = new AtomicLong(-1);
        RunMonitor monitor = new RunMonitor();
        RunRecord r;
        try (SshTarget t = new SshTarget(server.target("busybox", remote))) {
            r = new ExperimentRunner(ws).execute(plan("bb-stop", 40), t, monitor, e -> {
                if (pid.get() < 0) {
                    try {
                        pid.set(pidOf(remote, e.runId()));
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (e.event() instanceof org.da3.workbench.run.event.Progress) {
                    monitor.stop();
                }
            });
        }
        assertThat(r.status()).isEqualTo("cancelled");
        assertGone(pid.get());
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("143");
        assertThat(remoteRun.resolve(RemoteScripts.PID)).doesNotExist();
    }

    /** The session drops: the lifeline stops the worker, which the machine's own copy of its events records. */
    @Test
    void aLostConnectionStopsTheWorker() throws Exception {
        Path remote = tmp.resolve("remote-drop");
        AtomicLong pid = new AtomicLong(-1);
        server.dropAfterLines(4);
        RunRecord r;
        try (SshTarget t = new SshTarget(server.target("busybox", remote))) {
            r = new ExperimentRunner(ws).execute(plan("bb-drop", 40), t, new RunMonitor(), e -> {
                if (pid.get() < 0) {
                    try {
                        pid.set(pidOf(remote, e.runId()));
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        } finally {
            server.dropAfterLines(-1);
        }
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("lost the connection to the worker");
        assertGone(pid.get());
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        Path exit = remoteRun.resolve(RemoteScripts.EXIT);
        for (int i = 0; i < 100 && !Files.exists(exit); i++) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(exit).trim()).as("ended by TERM").isEqualTo("143");
        List<Envelope> written = EventLog.read(remoteRun.resolve(RemoteScripts.EVENTS));
        assertThat(written.get(written.size() - 1).event()).isInstanceOfSatisfying(RunFinished.class,
                f -> assertThat(f.status()).isEqualTo("cancelled"));
    }
}
