package org.da3.workbench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.memory.ProbeRequest;
import org.da3.workbench.memory.ProbeResult;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.event.EventCodec;

/** Starts benchmark probes ({@code da3 bench probe}), each in a fresh JVM, and drives their steps. */
final class ProbeRunner {
    private ProbeRunner() {}

    /** The probe JVM's flags: a fixed, pre-touched heap, so the Java heap adds nothing to the peaks. */
    static final List<String> PROBE_JVM_FLAGS = List.of("-Xms768m", "-Xmx768m", "-Xmn64m", "-XX:+AlwaysPreTouch",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * Runs one probe: its warm-up and measured steps, one after another.
     *
     * @param req the request
     * @param memorySettings true to run with the memory-measurement allocator settings
     *     ({@code MALLOC_MMAP_THRESHOLD_=131072}), false for glibc's defaults (speed)
     * @return the result
     * @throws IOException if the probe fails, with its log
     */
    static ProbeResult run(ProbeRequest req, boolean memorySettings) throws IOException {
        try (Stepwise p = new Stepwise(req, memorySettings)) {
            for (int i = 0; i < req.warmup() + req.steps(); i++) {
                p.step();
            }
            return p.finish();
        }
    }

    /** Starts a probe JVM, with the allocator settings for memory or for speed. */
    private static Process start(boolean memorySettings) throws IOException {
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
        return pb.start();
    }

    /**
     * A probe's failure in a line, for a table: a {@link ProbeFailure}'s summary without its log,
     * else the first line of the message.
     *
     * @param e the failure
     * @return one line
     */
    static String summary(Exception e) {
        if (e instanceof ProbeFailure f) {
            return f.summary();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    /** A probe that failed: what happened to it, then the end of its log. */
    static final class ProbeFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final String summary;

        ProbeFailure(String summary, String logTail) {
            super(summary + ": " + logTail);
            this.summary = summary;
        }

        /** @return what happened, without the log ("the probe for da3 ended (exit 137)") */
        String summary() {
            return summary;
        }
    }

    /**
     * A probe JVM whose steps the caller drives one at a time ({@code bench probe}). Two of them,
     * alive together but never stepping at the same time, give paired step times.
     */
    static final class Stepwise implements AutoCloseable {
        private final ProbeRequest req;
        private final Process process;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;
        private final StringBuilder log = new StringBuilder();
        private final Thread drain;

        /**
         * Starts a speed probe (glibc's default allocator) and waits until it is set up.
         *
         * @param req the request
         * @throws IOException if the probe fails, with its log
         */
        Stepwise(ProbeRequest req) throws IOException {
            this(req, false);
        }

        /**
         * Starts the probe and waits until it is set up (engine, backbone, patch, batch).
         *
         * @param req the request
         * @param memorySettings true for the memory-measurement allocator settings
         * @throws IOException if the probe fails, with its log
         */
        Stepwise(ProbeRequest req, boolean memorySettings) throws IOException {
            this.req = req;
            try {
                process = start(memorySettings);
            } catch (IOException e) {
                throw new ProbeFailure("the probe for " + req.label() + " could not start (" + e.getMessage() + ")", "");
            }
            drain = new Thread(() -> {
                try (java.io.BufferedReader e = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line = e.readLine(); line != null; line = e.readLine()) {
                        synchronized (log) {
                            log.append(line).append('\n');
                            if (log.length() > 8000) {
                                log.delete(0, log.length() - 4000);
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the probe ended
                }
            }, "probe-stderr");
            drain.setDaemon(true);
            drain.start();
            out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            try {
                send(EventCodec.JSON.writeValueAsString(req));
                if (!reply().path("ready").asBoolean()) {
                    throw failure("did not report ready");
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        private void send(String line) throws IOException {
            try {
                in.write(line);
                in.write('\n');
                in.flush();
            } catch (IOException e) {
                // the probe is gone: say so with its exit status and log, not as a broken pipe
                throw failure("did not take " + (line.startsWith("{") ? "its request" : "'" + line + "'") + " ("
                        + e.getMessage() + ")");
            }
        }

        private com.fasterxml.jackson.databind.JsonNode reply() throws IOException {
            String line = out.readLine();
            if (line == null) {
                throw failure("ended");
            }
            return EventCodec.JSON.readTree(line);
        }

        private ProbeFailure failure(String what) {
            try {
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                drain.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String tail;
            synchronized (log) {
                tail = log.substring(Math.max(0, log.length() - 2000));
            }
            // the probe's own error line, when it gave one, belongs in the one-line summary (the
            // CSV's and the table's): "ended (exit 1)" alone does not say what to change
            String said = null;
            for (String line : tail.split("\n")) {
                if (line.startsWith("da3: ")) {
                    said = line.substring(5).strip();
                }
            }
            return new ProbeFailure("the probe for " + req.label() + " " + what
                    + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")")
                    + (said == null || said.isEmpty() ? "" : ": " + said), tail);
        }

        /**
         * Runs one step (the first ones are the request's warm-up).
         *
         * @return its wall time, seconds
         * @throws IOException if the probe fails
         */
        double step() throws IOException {
            send("step");
            com.fasterxml.jackson.databind.JsonNode r = reply();
            if (!r.has("seconds")) {
                throw failure("answered " + r + " to a step");
            }
            return r.get("seconds").asDouble();
        }

        /**
         * Ends the probe.
         *
         * @return every step's measurements
         * @throws IOException if the probe fails
         */
        ProbeResult finish() throws IOException {
            send("done");
            ProbeResult r = EventCodec.JSON.treeToValue(reply(), ProbeResult.class);
            try {
                process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // the probe is gone already
            }
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
