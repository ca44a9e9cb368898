package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker asked for the tegrastats probe streams its samples in the run's own event sequence. */
class WorkerProbesTest {

    @Test
    void tegrastatsSamplesShareTheRunsSequenceNumbers(@TempDir Path dir) throws Exception {
        Workspace ws = TestWorkspace.create(dir.resolve("ws"), 48, 32);
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path fake = bin.resolve("tegrastats");
        Files.writeString(fake, "#!/bin/sh\n# a stand-in for the Jetson's tegrastats\nwhile :; do\n"
                + "  echo 'RAM 2208/3964MB (lfb 2x4MB) SWAP 12/1982MB (cached 1MB) CPU [88%@1479,91%@1479,off,off]"
                + " EMC_FREQ 41%@1600 GR3D_FREQ 99%@921 GPU@36C POM_5V_IN 6231/4572'\n  sleep 0.2\ndone\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        Path specFile = ws.experimentsDir().resolve("probe.yaml");
        Files.writeString(specFile, TestWorkspace.tinySpec("probe", "linear", "tiny-shapes"));
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        PlannedRun run = ExperimentRunner.plan(spec).get(0);
        RunDirectory rd = RunDirectory.create(ws, run.spec());
        WorkerRequest req = new ExperimentRunner(ws).request(run, rd).withProbes(List.of("tegrastats"));

        LocalTarget target = new LocalTarget(List.of("-Xmx1g"),
                Map.of("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
        RunMonitor.Outcome o = new RunMonitor().watch(target.launch(req, rd), rd, e -> { });

        assertThat(o.ok()).as(o.message()).isTrue();
        List<Envelope> events = EventLog.read(rd.eventsFile());
        assertThat(events.get(0).event()).isInstanceOf(RunStarted.class);
        assertThat(events.get(events.size() - 1).event()).isInstanceOf(RunFinished.class);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).seq()).isEqualTo(i);
        }
        List<MemorySample> samples = events.stream().map(Envelope::event)
                .filter(e -> e instanceof MemorySample && ((MemorySample) e).source().equals("tegrastats"))
                .map(e -> (MemorySample) e).toList();
        assertThat(samples).isNotEmpty();
        assertThat(samples.get(0).phase()).isEqualTo("sample");
        assertThat(samples.get(0).currentBytes()).isEqualTo(2208L * 1024 * 1024);
        assertThat(samples.get(0).details()).containsEntry("gpuPercent", 99);
    }
}
