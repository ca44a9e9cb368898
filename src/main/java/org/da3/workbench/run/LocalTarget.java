package org.da3.workbench.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs each worker as a child JVM of the same jar (or classpath), with its own heap setting,
 * offline DJL and {@code MALLOC_MMAP_THRESHOLD_=131072} so freed tensors go back to the OS and
 * measured peaks track live tensors.
 */
public final class LocalTarget implements Target {

    /** The main class workers start with. */
    public static final String MAIN_CLASS = "org.da3.workbench.cli.Da3";

    private final String name;
    private final List<String> jvmFlags;
    private final Map<String, String> environment;
    private final int concurrentRuns;

    /**
     * The default worker JVM flags. The heap is pre-touched and its young generation fixed, so
     * the Java heap's pages are resident from the start and its churn does not show up as native
     * memory in the measured RSS peaks; the serial collector and C1-only JIT keep the JVM's own
     * transient memory (collector and compiler arenas) small.
     */
    public static final List<String> DEFAULT_JVM_FLAGS = List.of("-Xmx4g", "-Xms256m", "-Xmn64m",
            "-XX:+UseSerialGC", "-XX:+AlwaysPreTouch", "-XX:TieredStopAtLevel=1");

    /**
     * The environment every worker gets: freed tensors go back to the OS at once (glibc otherwise
     * keeps them in its heap and measured peaks drift from live tensors), and few malloc arenas.
     */
    public static final Map<String, String> MEMORY_ENVIRONMENT =
            Map.of("MALLOC_MMAP_THRESHOLD_", "131072", "MALLOC_ARENA_MAX", "2");

    /** A local target with the default flags. */
    public LocalTarget() {
        this(DEFAULT_JVM_FLAGS, Map.of());
    }

    /**
     * A local target with extra JVM flags and environment.
     *
     * @param jvmFlags flags for the worker JVM, for example {@code -Xmx2g}
     * @param environment extra environment variables
     */
    public LocalTarget(List<String> jvmFlags, Map<String, String> environment) {
        this(jvmFlags, environment, 1);
    }

    /**
     * A local target with extra JVM flags and environment that runs several runs at once.
     *
     * @param jvmFlags flags for the worker JVM, for example {@code -Xmx2g}
     * @param environment extra environment variables
     * @param concurrentRuns how many runs a {@link RunQueue} starts at once here (at least 1)
     */
    public LocalTarget(List<String> jvmFlags, Map<String, String> environment, int concurrentRuns) {
        this("local", jvmFlags, environment, concurrentRuns);
    }

    /**
     * A local target of a name from targets.yaml (an entry of kind local with its own flags).
     *
     * @param name the target's name, which messages and the Monitor show
     * @param jvmFlags flags for the worker JVM
     * @param environment extra environment variables
     * @param concurrentRuns how many runs start at once here (at least 1)
     */
    public LocalTarget(String name, List<String> jvmFlags, Map<String, String> environment, int concurrentRuns) {
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.jvmFlags = List.copyOf(jvmFlags);
        this.environment = Map.copyOf(environment);
        this.concurrentRuns = Math.max(1, concurrentRuns);
    }

    @Override
    public int maxConcurrentRuns() {
        return concurrentRuns;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return name + " (this machine, " + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    /**
     * The command line that starts a worker reading its request from stdin.
     *
     * @return the command
     */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(DEFAULT_JVM_FLAGS);
        cmd.addAll(jvmFlags); // later flags win
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN_CLASS);
        cmd.add("worker");
        cmd.add("--request");
        cmd.add("-");
        return cmd;
    }

    @Override
    public RunHandle launch(WorkerRequest request, RunDirectory dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command());
        pb.environment().keySet().removeAll(MEMORY_ENVIRONMENT.keySet());
        pb.environment().putAll(request.allocatorEnvironment());
        pb.environment().putAll(environment);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(org.da3.workbench.run.event.EventCodec.JSON.writeValueAsBytes(request));
        } catch (IOException e) {
            throw new IOException(endedAtOnce(p, e), e);
        }
        return new ProcessHandle(p);
    }

    /**
     * Why a worker took no request: a JVM that ended before reading it (a flag it does not know, too
     * little memory) said why on stderr, which "Stream closed" alone would lose.
     */
    private static String endedAtOnce(Process p, IOException writeError) {
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "cannot hand the worker its request: " + writeError.getMessage();
            }
            String said = new String(p.getErrorStream().readNBytes(4000), java.nio.charset.StandardCharsets.UTF_8)
                    .strip().replaceAll("\\s*\\R\\s*", " / ");
            return "the worker JVM ended at once with exit code " + p.exitValue()
                    + (said.isEmpty() ? "" : " (" + said + ")") + "; check the target's jvm_flags and environment in"
                    + " experiments/targets.yaml";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return "cannot hand the worker its request: " + writeError.getMessage();
        } catch (IOException e) {
            return "the worker JVM ended at once with exit code " + p.exitValue() + " (" + writeError.getMessage()
                    + ")";
        }
    }

    /** A child process as a run handle. */
    static final class ProcessHandle implements RunHandle {
        /** Seconds between Stop's SIGTERM and a SIGKILL to a worker that has not ended (as stop.sh). */
        static final int KILL_AFTER_SECONDS = 10;

        private final Process process;

        ProcessHandle(Process process) {
            this.process = process;
        }

        @Override
        public InputStream events() {
            return process.getInputStream();
        }

        @Override
        public InputStream log() {
            return process.getErrorStream();
        }

        /**
         * Sends SIGTERM to the worker (and its children) through its process handle: {@link
         * Process#destroy} would also close its stdout, and the events it writes as its run ends
         * (the last patch or epoch checkpoint saved, its cancelled end) would be lost. A worker
         * still there after {@link #KILL_AFTER_SECONDS} is killed.
         */
        @Override
        public void stop() {
            process.descendants().forEach(java.lang.ProcessHandle::destroy);
            process.toHandle().destroy();
            Thread killer = new Thread(() -> {
                try {
                    if (!process.waitFor(KILL_AFTER_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                        process.descendants().forEach(java.lang.ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "worker-kill " + process.pid());
            killer.setDaemon(true);
            killer.start();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public String describe() {
            return "local pid " + process.pid();
        }
    }
}
