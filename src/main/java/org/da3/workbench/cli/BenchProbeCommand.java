package org.da3.workbench.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.memory.MemoryProbe;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.run.event.EventCodec;
import picocli.CommandLine.Command;

/**
 * {@code da3 bench probe}: the per-method worker of the benchmarks, started by {@code bench memory}
 * and {@code bench speed} in a fresh JVM per method. The caller drives the steps over stdin: the
 * first line is the probe request (JSON); the probe answers {@code {"ready":true}} once set up,
 * then runs one step per {@code step} line (answering {@code {"seconds":S}}) until a {@code done}
 * line, which it answers with the result (every step's time and peak). {@code bench speed} so
 * interleaves two probes step by step.
 */
@Command(name = "probe", hidden = true,
        description = "Measure one method (a benchmark's worker): a request line, then 'step' lines and 'done' on stdin.")
public final class BenchProbeCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String first = in.readLine();
        if (first == null) {
            throw new IllegalArgumentException("bench probe: no request on stdin");
        }
        try (MemoryProbe.Session s = new MemoryProbe.Session(EventCodec.JSON.readValue(first, ProbeRequest.class))) {
            out.println(EventCodec.JSON.writeValueAsString(Map.of("ready", true)));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                switch (line.strip()) {
                    case "step" -> out.println(EventCodec.JSON.writeValueAsString(Map.of("seconds", s.step())));
                    case "done" -> {
                        out.println(EventCodec.JSON.writeValueAsString(s.result()));
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("bench probe: '" + line
                            + "' is neither 'step' nor 'done'");
                }
            }
            throw new IllegalStateException("bench probe: stdin ended before 'done'");
        }
    }
}
