package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C at the terminal of {@code da3 gui} (SIGINT to it and its workers together) while a run
 * trains: the window is never closed, yet the run is recorded as cancelled before the JVM exits, as
 * {@code da3 run} records it, no worker is left behind, and the window state is remembered. The
 * workbench runs in its own JVM on Monocle; {@code --screenshots} launches the spec by itself.
 */
class GuiInterruptTest {
    @TempDir
    Path dir;

    @Test
    void ctrlCRecordsTheRunUnderWayAsCancelled() throws Exception {
        TestWorkspace.create(dir, 256, 64);
        Path spec = Files.writeString(dir.resolve("experiments/long.yaml"), TestWorkspace.tinySpec("long",
                "linear, bn+last", "tiny-shapes").replace("epochs: 1", "epochs: 500"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dglass.platform=Monocle", "-Dmonocle.platform=Headless", "-Dprism.order=sw", "-Dprism.text=t2k",
                "-Djava.awt.headless=true", "-Dai.djl.offline=true", "-Dda3.gui.config=" + dir.resolve("gui.properties"),
                "-cp", System.getProperty("java.class.path"), Da3.class.getName(), "gui", spec.toString(),
                "--screenshots", dir.resolve("shots").toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            Path events = null;
            for (int i = 0; i < 1200 && events == null; i++) {
                Thread.sleep(100);
                Path runs = dir.resolve("experiments/long/runs");
                if (Files.isDirectory(runs)) {
                    try (Stream<Path> s = Files.list(runs)) {
                        Path e = s.map(r -> r.resolve("events.jsonl")).filter(Files::isRegularFile).findFirst().orElse(null);
                        if (e != null && Files.readString(e).contains("\"type\":\"progress\"")) {
                            events = e;
                        }
                    }
                }
            }
            assertThat(events).as("the run started training; the workbench said: %s",
                    Files.exists(dir.resolve("out.txt")) ? Files.readString(dir.resolve("out.txt")) : "").isNotNull();
            List<String> kill = new ArrayList<>(List.of("kill", "-INT", Long.toString(p.pid())));
            p.descendants().forEach(d -> kill.add(Long.toString(d.pid())));
            assertThat(new ProcessBuilder(kill).start().waitFor()).isZero();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("da3 gui ends").isTrue();
            List<Envelope> log = EventLog.read(events);
            assertThat(log.get(log.size() - 1).event()).as("the last event of the run").isInstanceOf(RunFinished.class);
            assertThat(((RunFinished) log.get(log.size() - 1).event()).status()).isEqualTo("cancelled");
            assertThat(p.descendants().filter(ProcessHandle::isAlive)).as("no worker left behind").isEmpty();
            // and the window state is remembered, as closing the window remembers it
            assertThat(dir.resolve("gui.properties")).isRegularFile();
            assertThat(Files.readString(dir.resolve("gui.properties"))).contains("window.width=").contains("page=")
                    .contains(spec.getFileName().toString());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
