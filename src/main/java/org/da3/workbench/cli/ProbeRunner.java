package org.da3.workbench.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.memory.ProbeResult;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.event.EventCodec;

/** Starts a benchmark probe ({@code da3 bench probe}) in a fresh JVM and reads its result. */
final class ProbeRunner {
    private ProbeRunner() {}

    /** The probe JVM's flags: a fixed, pre-touched heap, so the Java heap adds nothing to the peaks. */
    static final List<String> PROBE_JVM_FLAGS = List.of("-Xms768m", "-Xmx768m", "-Xmn64m", "-XX:+AlwaysPreTouch",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * Runs one probe.
     *
     * @param req the request
     * @param memorySettings true to run with the memory-measurement allocator settings
     *     ({@code MALLOC_MMAP_THRESHOLD_=131072}), false for glibc's defaults (speed)
     * @return the result
     * @throws IOException if the probe fails, with its log
     */
    static ProbeResult run(ProbeRequest req, boolean memorySettings) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(PROBE_JVM_FLAGS);
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LocalTarget.MAIN_CLASS);
        cmd.add("bench");
        cmd.add("probe");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (memorySettings) {
            pb.environment().putAll(LocalTarget.MEMORY_ENVIRONMENT);
        } else {
            pb.environment().remove("MALLOC_MMAP_THRESHOLD_");
            pb.environment().remove("MALLOC_ARENA_MAX");
        }
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(EventCodec.JSON.writeValueAsBytes(req));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // the probe ended
            }
        });
        t.start();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        try {
            int code = p.waitFor();
            t.join();
            if (code != 0) {
                String log = err.toString(StandardCharsets.UTF_8);
                throw new IOException("the probe for " + req.label() + " failed (exit " + code + "): "
                        + log.substring(Math.max(0, log.length() - 2000)));
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return EventCodec.JSON.readValue(out, ProbeResult.class);
    }
}
