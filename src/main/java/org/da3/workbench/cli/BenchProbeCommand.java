package org.da3.workbench.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.da3.workbench.memory.MemoryProbe;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.memory.ProbeResult;
import org.da3.workbench.run.event.EventCodec;
import picocli.CommandLine.Command;

/**
 * {@code da3 bench probe}: the per-method worker of the benchmarks. Reads a probe request (JSON)
 * on stdin, measures, and writes one JSON result line on stdout. Started by {@code bench memory}
 * and {@code bench speed}, each probe in a fresh JVM.
 */
@Command(name = "probe", hidden = true, description = "Measure one method (a benchmark's worker): request JSON on stdin.")
public final class BenchProbeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        ProbeRequest req;
        try (InputStream in = System.in) {
            req = EventCodec.JSON.readValue(in.readAllBytes(), ProbeRequest.class);
        }
        ProbeResult r = MemoryProbe.run(req);
        out.println(EventCodec.JSON.writeValueAsString(r));
        return 0;
    }
}
