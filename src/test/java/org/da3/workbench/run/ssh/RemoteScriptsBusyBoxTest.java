package org.da3.workbench.run.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote side on a small device whose shell and tools are all BusyBox's: the generated {@code
 * run.sh} and {@code stop.sh} and the java check's command line run under {@code busybox sh} with a
 * PATH of BusyBox applets only, and start a real JVM as the worker ({@link Probe}, which reports
 * where it runs and does what its {@code request.json} says). On such a device {@code /bin/sh} is
 * BusyBox too, so the {@code /bin/sh} the scripts name inside is replaced by {@code busybox sh}
 * here. {@link SshTargetBusyBoxTest} runs whole runs over SSH this way.
 *
 * <p>{@code .ci/run} installs busybox (Debian's package {@code busybox}); without it these tests
 * fail and say to install it.
 */
class RemoteScriptsBusyBoxTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static Path busybox;
    static Path applets;
    static Path probeJar;

    @BeforeAll
    static void busyboxAndTheProbe() throws Exception {
        busybox = BusyBox.find();
        applets = BusyBox.applets(busybox, shared.resolve("bin"), Set.of());
        probeJar = Probe.jar(shared.resolve("probe.jar"));
    }

    /** The JVM of this test, which the scripts start as the worker. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A script with the {@code /bin/sh} it runs inside replaced by {@code busybox sh}. */
    static String onBusyBox(String script) {
        String s = script.replace("/bin/sh ", Shell.quote(busybox.toString()) + " sh ");
        assertThat(s.lines().skip(1)).as("no /bin/sh left but the #! line").noneMatch(l -> l.contains("/bin/sh"));
        return s;
    }

    private Process startWrapper(String mode, int killAfter, int silence, Path path) throws Exception {
        Files.writeString(dir.resolve(RemoteScripts.REQUEST), mode);
        RemoteScripts.Launch l = new RemoteScripts.Launch("r1", dir.toString(), java(),
                List.of("-Xmx1g", "-Dda3.probe=two words"), probeJar.toString(), Map.of("DA3_TEST", "it's $HOME `x`"));
        Files.writeString(dir.resolve(RemoteScripts.RUN), onBusyBox(RemoteScripts.run(l, silence)));
        Files.writeString(dir.resolve(RemoteScripts.STOP), onBusyBox(RemoteScripts.stop(dir.toString(), killAfter)));
        return busyboxSh(path, dir.resolve(RemoteScripts.RUN).toString()).start();
    }

    private Process startWrapper(String mode) throws Exception {
        return startWrapper(mode, RemoteScripts.KILL_AFTER_SECONDS, RemoteScripts.SILENCE_SECONDS, applets);
    }

    /** {@code busybox sh ARGS} with only the applets of a folder on its PATH. */
    static ProcessBuilder busyboxSh(Path path, String... args) {
        List<String> cmd = new ArrayList<>(List.of(busybox.toString(), "sh"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PATH", path.toString());
        return pb;
    }

    /** What the probe says about itself, up to its line {@code ready}; what the wrapper printed if it never does. */
    private static Map<String, String> report(Process p, BufferedReader out) throws Exception {
        Map<String, String> m = new HashMap<>();
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            int eq = line.indexOf('=');
            m.put(eq < 0 ? line : line.substring(0, eq), eq < 0 ? "" : line.substring(eq + 1));
        }
        if (line == null) {
            p.waitFor(5, TimeUnit.SECONDS);
            String err = p.isAlive() ? "(still running)"
                    : new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(line).as("the probe worker did not start; the wrapper printed %s and on stderr: %s", m, err)
                    .isEqualTo("ready");
        }
        return m;
    }

    private static BufferedReader stdout(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void theWorkerLeadsItsOwnProcessGroupWithItsFlagsAndEnvironmentAndItsExitCodeComesThrough() throws Exception {
        Process p = startWrapper("exit 7");
        Map<String, String> r = report(p, stdout(p));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String pid = r.get("pid");
        assertThat(r).containsEntry("pidfile", pid).containsEntry("pgid", pid).containsEntry("sid", pid)
                .containsEntry("env", "it's $HOME `x`").containsEntry("malloc", "131072")
                .containsEntry("arenas", "2").containsEntry("args", "worker --request request.json");
        assertThat(r.get("jvm")).contains("-Xmx1g -Dda3.probe=two words -Dai.djl.offline=true");
        assertThat(p.exitValue()).isEqualTo(7);
        assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("7");
        assertThat(dir.resolve(RemoteScripts.PID)).doesNotExist();
        assertThat(dir.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        assertThat(dir.resolve(RemoteScripts.STOPPING)).doesNotExist();
    }

    @Test
    void closingTheWrappersStdinStopsTheWorker() throws Exception {
        Process p = startWrapper("hang");
        long pid = Long.parseLong(report(p, stdout(p)).get("pid"));
        assertThat(alive(pid)).isTrue();
        p.getOutputStream().close(); // what sshd does when the channel closes or the connection drops
        try {
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped by the lifeline").isTrue();
            assertThat(p.exitValue()).as("the JVM ended by TERM").isEqualTo(143);
            assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("143");
            assertThat(alive(pid)).isFalse();
            assertThat(dir.resolve(RemoteScripts.LOG)).doesNotExist();
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** No heartbeat for the silence allowed, stdin left open: the watchdog stops the worker and says why. */
    @Test
    void silenceOnTheStdinStopsTheWorkerAndWorkerLogSaysWhy() throws Exception {
        Process p = startWrapper("hang", RemoteScripts.KILL_AFTER_SECONDS, 2, applets);
        long pid = Long.parseLong(report(p, stdout(p)).get("pid"));
        long t0 = System.nanoTime();
        try {
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped by the watchdog").isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).as("after the 2 s allowed, checked each second").isBetween(500L, 8000L);
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("143");
            assertThat(alive(pid)).isFalse();
            assertThat(Files.readString(dir.resolve(RemoteScripts.LOG)))
                    .matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ] da3 \\(on the machine\\): no heartbeat from the"
                            + " workbench for 2 s \\(the connection was lost without this machine noticing\\); stopping"
                            + " the worker with stop.sh\n");
            assertThat(dir.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        } finally {
            p.getOutputStream().close();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Heartbeats keep a worker that runs longer than the silence allowed; it ends as it likes. */
    @Test
    void heartbeatsKeepTheWorkerRunningPastTheSilenceAllowed() throws Exception {
        Process p = startWrapper("sleep 5", RemoteScripts.KILL_AFTER_SECONDS, 2, applets);
        BufferedReader out = stdout(p);
        report(p, out);
        OutputStream in = p.getOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                in.write('\n');
                in.flush();
            } catch (IOException e) {
                break; // it ended
            }
            Thread.sleep(400);
        }
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(out.readLine()).isEqualTo("done");
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("0");
        assertThat(dir.resolve(RemoteScripts.LOG)).doesNotExist();
        assertThat(dir.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        in.close();
    }

    /**
     * stop.sh, as the workbench's second channel runs it: TERM to the group (the probe's shutdown
     * hook says it got it, then never ends), then KILL {@link RemoteScripts#KILL_AFTER_SECONDS} s later.
     */
    @Test
    void stopScriptSendsTermThenKillsTheGroupTenSecondsLater() throws Exception {
        Process p = startWrapper("hold");
        BufferedReader out = stdout(p);
        long pid = Long.parseLong(report(p, out).get("pid"));
        try {
            long t0 = System.nanoTime();
            Process stop = busyboxSh(applets, dir.resolve(RemoteScripts.STOP).toString()).start();
            assertThat(out.readLine()).as("TERM first: the JVM runs its shutdown hook").isEqualTo("terminating");
            assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(stop.exitValue()).isZero();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertThat(seconds).as("KILL after the 10 s TERM is given").isBetween(
                    (long) RemoteScripts.KILL_AFTER_SECONDS - 1, RemoteScripts.KILL_AFTER_SECONDS + 8L);
            assertThat(p.exitValue()).isEqualTo(137);
            assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("137");
            assertThat(dir.resolve(RemoteScripts.STOPPING)).exists();
            assertThat(alive(pid)).isFalse();
            // run again after the worker ended, as the lifeline does when stdin closes: nothing to do
            Process again = busyboxSh(applets, dir.resolve(RemoteScripts.STOP).toString()).start();
            assertThat(again.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).isZero();
        } finally {
            p.getOutputStream().close();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void withoutSetsidTheWrapperSaysSoAndStartsNothing() throws Exception {
        Path noSetsid = BusyBox.applets(busybox, dir.resolve("bin-without-setsid"), Set.of("setsid"));
        Process p = startWrapper("exit 0", RemoteScripts.KILL_AFTER_SECONDS, RemoteScripts.SILENCE_SECONDS, noSetsid);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(err).contains("da3: setsid (util-linux) is not installed on this machine");
        assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("3");
        assertThat(dir.resolve(RemoteScripts.PID)).doesNotExist();
    }

    /** Runs a command line with {@code busybox sh -c}; returns its exit status and what it printed. */
    private static String[] busyboxShC(String commandLine, Path path) throws Exception {
        Process p = busyboxSh(path, "-c", commandLine).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    /**
     * The java check's command line: BusyBox's timeout takes {@code -k}, so it is used; a java that
     * hangs is ended after the limit, one that ignores TERM is killed 2 s later; without a timeout
     * the command runs as it is.
     */
    @Test
    void theJavaCheckRunsUnderBusyBoxsTimeoutAndWithoutOne() throws Exception {
        String check = Shell.join(List.of("env", "DA3_TEST=v", java(), "-version"));
        String[] ok = busyboxShC(SshTarget.underTimeout(check, 30), applets);
        assertThat(ok[0]).isEqualTo("0");
        assertThat(SshTarget.javaMajor(ok[1])).isGreaterThanOrEqualTo(17);

        long t0 = System.nanoTime();
        String[] hung = busyboxShC(SshTarget.underTimeout("sleep 30", 1), applets);
        assertThat(hung[0]).as("BusyBox's timeout ends it with TERM (the status of the command, not 124)")
                .isEqualTo("143");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));

        t0 = System.nanoTime();
        String[] deaf = busyboxShC(SshTarget.underTimeout("sh -c 'trap \"\" TERM; exec sleep 30'", 1), applets);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(deaf[0]).as("KILL after -k 2").isEqualTo("137");
        assertThat(ms).isBetween(2500L, 10000L);

        Path noTimeout = BusyBox.applets(busybox, dir.resolve("bin-without-timeout"), Set.of("timeout"));
        assertThat(busyboxShC(SshTarget.underTimeout(check, 30), noTimeout)[0]).isEqualTo("0");
        assertThat(busyboxShC(SshTarget.underTimeout(check, 30), noTimeout)[1]).contains("version \"");
    }

    /** Finding BusyBox and making folders of its applets. */
    static final class BusyBox {
        private BusyBox() {}

        /** @return the busybox executable; fails, saying how to install it, when there is none */
        static Path find() {
            List<Path> candidates = new ArrayList<>();
            for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "busybox"));
                }
            }
            candidates.add(Path.of("/bin/busybox"));
            candidates.add(Path.of("/usr/bin/busybox"));
            Path found = candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
            assertThat(found).as("busybox is not installed: these tests run the remote scripts with BusyBox's shell"
                    + " and tools, as on a small device; install it with: sudo apt-get install busybox (.ci/run does)")
                    .isNotNull();
            return found;
        }

        /**
         * A folder of symlinks to busybox, one per applet (as {@code busybox --install -s} makes),
         * leaving some out.
         *
         * @param busybox the executable
         * @param dir the folder to make
         * @param without applets to leave out
         * @return the folder
         */
        static Path applets(Path busybox, Path dir, Set<String> without) throws Exception {
            Process p = new ProcessBuilder(busybox.toString(), "--list").start();
            List<String> names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(n -> !n.isEmpty()).toList();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(names).as("the applets this test needs").contains("sh", "setsid", "sleep", "date", "rm", "cat",
                    "kill", "env", "timeout");
            Files.createDirectories(dir);
            for (String n : names) {
                if (!without.contains(n) && !n.contains("/")) {
                    Files.createSymbolicLink(dir.resolve(n), busybox);
                }
            }
            return dir;
        }
    }

    /**
     * The worker the scripts start in these tests: a real JVM, run with {@code java -jar} as the
     * real worker is, that prints {@code key=value} lines about itself (its pid, what worker.pid
     * says, its process group and session, its environment and flags), then {@code ready}, and
     * then does what {@code request.json} (in its folder) says: {@code exit 7}, {@code hang},
     * {@code sleep 5} (then prints {@code done}), or {@code hold} (its shutdown hook prints {@code
     * terminating} and never ends, so only KILL ends it).
     */
    public static final class Probe {
        private Probe() {}

        /**
         * Runs the probe.
         *
         * @param args the worker's arguments
         * @throws Exception never expected
         */
        public static void main(String[] args) throws Exception {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String mode = Files.readString(Path.of("request.json")).strip();
            System.out.println("pid=" + ProcessHandle.current().pid());
            System.out.println("pidfile=" + Files.readString(Path.of("worker.pid")).strip());
            System.out.println("pgid=" + f[2]);
            System.out.println("sid=" + f[3]);
            System.out.println("env=" + System.getenv("DA3_TEST"));
            System.out.println("malloc=" + System.getenv("MALLOC_MMAP_THRESHOLD_"));
            System.out.println("arenas=" + System.getenv("MALLOC_ARENA_MAX"));
            System.out.println("jvm=" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
            System.out.println("args=" + String.join(" ", args));
            System.out.println("ready");
            System.out.flush();
            switch (mode) {
                case "exit 7":
                    System.exit(7);
                    break;
                case "sleep 5":
                    Thread.sleep(5000);
                    System.out.println("done");
                    System.exit(0);
                    break;
                case "hold":
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        System.out.println("terminating");
                        System.out.flush();
                        try {
                            Thread.sleep(120_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                    Thread.sleep(Long.MAX_VALUE);
                    break;
                default:
                    Thread.sleep(Long.MAX_VALUE);
            }
        }

        /**
         * Writes a jar that runs the probe with {@code java -jar}.
         *
         * @param file the jar to write
         * @return the jar
         */
        static Path jar(Path file) throws IOException {
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
            String entry = Probe.class.getName().replace('.', '/') + ".class";
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), m);
                    java.io.InputStream in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
                out.putNextEntry(new JarEntry(entry));
                in.transferTo(out);
                out.closeEntry();
            }
            return file;
        }
    }
}
