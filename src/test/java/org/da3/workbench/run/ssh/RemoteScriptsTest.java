package org.da3.workbench.run.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated wrapper and stop scripts, run directly with /bin/sh (no SSH). */
class RemoteScriptsTest {
    @TempDir
    Path dir;

    private Path fakeJava(String body) throws Exception {
        Path f = dir.resolve("java");
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    private Process startWrapper(Path java) throws Exception {
        return startWrapper(java, RemoteScripts.KILL_AFTER_SECONDS);
    }

    private Process startWrapper(Path java, int killAfter) throws Exception {
        return startWrapper(java, killAfter, RemoteScripts.SILENCE_SECONDS);
    }

    private Process startWrapper(Path java, int killAfter, int silence) throws Exception {
        RemoteScripts.Launch l = new RemoteScripts.Launch("r1", dir.toString(), java.toString(), List.of("-Xmx1g"),
                dir.resolve("w.jar").toString(), Map.of("DA3_TEST", "v"));
        Files.writeString(dir.resolve(RemoteScripts.RUN), RemoteScripts.run(l, silence));
        Files.writeString(dir.resolve(RemoteScripts.STOP), RemoteScripts.stop(dir.toString(), killAfter));
        return new ProcessBuilder("/bin/sh", dir.resolve(RemoteScripts.RUN).toString()).start();
    }

    @Test
    void theReuseAllocatorLeavesGlibcItsOwnThresholdEvenWhenTheLoginShellSetOne() throws Exception {
        Map<String, String> reuse = new org.da3.workbench.run.WorkerRequest("r", Map.of(
                "training", Map.of("allocator", "reuse")), null, null, "/o").allocatorEnvironment();
        Path fake = fakeJava("echo \"malloc=${MALLOC_MMAP_THRESHOLD_-unset} arenas=$MALLOC_ARENA_MAX\"");
        RemoteScripts.Launch l = new RemoteScripts.Launch("r1", dir.toString(), fake.toString(), List.of(),
                dir.resolve("w.jar").toString(), Map.of(), reuse);
        Files.writeString(dir.resolve(RemoteScripts.RUN), RemoteScripts.run(l));
        Files.writeString(dir.resolve(RemoteScripts.STOP), RemoteScripts.stop(dir.toString()));
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", dir.resolve(RemoteScripts.RUN).toString());
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "4096");
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("malloc=unset arenas=2");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theWorkerLeadsItsOwnProcessGroupAndItsExitCodeComesThrough() throws Exception {
        Files.writeString(dir.resolve(RemoteScripts.STOPPING), ""); // left by an earlier run in this folder
        Process p = startWrapper(fakeJava("echo \"pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$ env=$DA3_TEST"
                + " malloc=$MALLOC_MMAP_THRESHOLD_ args=$*\"\nexit 7"));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(7);
        assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("7");
        assertThat(dir.resolve(RemoteScripts.PID)).doesNotExist();
        assertThat(dir.resolve(RemoteScripts.STOPPING)).as("nothing stopped this worker").doesNotExist();
        String pid = line.replaceAll(".* pid=(\\d+) .*", "$1");
        assertThat(line).startsWith("pgid=" + pid + " pid=" + pid)
                .contains("env=v malloc=131072 args="
                        + String.join(" ", org.da3.workbench.run.LocalTarget.DEFAULT_JVM_FLAGS)
                        + " -Xmx1g -Dai.djl.offline=true -Djava.awt.headless=true -jar "
                        + dir.resolve("w.jar") + " worker --request request.json");
    }

    @Test
    void closingTheWrappersStdinStopsTheWorker() throws Exception {
        Process p = startWrapper(fakeJava("echo started\nexec sleep 60"));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        long pid = Long.parseLong(Files.readString(dir.resolve(RemoteScripts.PID)).trim());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        p.getOutputStream().close(); // what sshd does when the channel closes or the connection drops
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /**
     * No heartbeat on stdin for the silence allowed, stdin left open (sshd keeps a session the
     * network dropped without a word): the watchdog stops the worker and says why in worker.log.
     */
    @Test
    void silenceOnTheStdinStopsTheWorkerAndWorkerLogSaysWhy() throws Exception {
        Process p = startWrapper(fakeJava("echo started\nexec sleep 60"), RemoteScripts.KILL_AFTER_SECONDS, 2);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        long t0 = System.nanoTime();
        long pid = Long.parseLong(Files.readString(dir.resolve(RemoteScripts.PID)).trim());
        try {
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stopped by the watchdog").isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).as("after the 2 s allowed, checked each second").isBetween(1500L, 6000L);
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(Files.readString(dir.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("143");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(Files.readString(dir.resolve(RemoteScripts.LOG))).contains("da3 (on the machine): no heartbeat"
                    + " from the workbench for 2 s (the connection was lost without this machine noticing); stopping"
                    + " the worker with stop.sh");
            assertThat(dir.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        } finally {
            p.getOutputStream().close();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Heartbeats keep a worker that runs longer than the silence allowed; it ends as it likes. */
    @Test
    void heartbeatsKeepTheWorkerRunningPastTheSilenceAllowed() throws Exception {
        Process p = startWrapper(fakeJava("echo started\nsleep 5\necho done\nexit 0"), RemoteScripts.KILL_AFTER_SECONDS,
                2);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        java.io.OutputStream in = p.getOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                in.write('\n');
                in.flush();
            } catch (java.io.IOException e) {
                break; // it ended
            }
            Thread.sleep(400);
        }
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(out.readLine()).isEqualTo("done");
        assertThat(p.exitValue()).isZero();
        assertThat(dir.resolve(RemoteScripts.LOG)).doesNotExist();
        assertThat(dir.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        in.close();
    }

    @Test
    void theWatchdogChecksOftenEnoughAndRefusesNoLimit() {
        assertThat(RemoteScripts.checkSeconds(RemoteScripts.SILENCE_SECONDS)).isEqualTo(5);
        assertThat(RemoteScripts.checkSeconds(2)).isEqualTo(1);
        RemoteScripts.Launch l = new RemoteScripts.Launch("r", "/d", "java", List.of(), "/j.jar", Map.of());
        assertThat(RemoteScripts.run(l)).contains("while sleep 5; do").contains("-ge 60 ]");
        assertThatThrownBy(() -> RemoteScripts.run(l, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopScriptKillsWhatIgnoresTerm() throws Exception {
        Process p = startWrapper(fakeJava("trap '' TERM\necho started\nwhile :; do sleep 1; done"), 2);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        long t0 = System.nanoTime();
        Process stop = new ProcessBuilder("/bin/sh", dir.resolve(RemoteScripts.STOP).toString()).start();
        assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
        assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(dir.resolve(RemoteScripts.STOPPING)).as("stop.sh says it is stopping the worker").exists();
        p.getOutputStream().close();
    }

    @Test
    void badEnvironmentNamesAreRefused() {
        assertThatThrownBy(() -> new RemoteScripts.Launch("r", "/d", "java", List.of(), "/j.jar",
                Map.of("X; touch /tmp/p", "v"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an environment variable name");
    }

    @Test
    void theCommandLineQuotesThePath() {
        assertThat(RemoteScripts.command("/r/it's $(x)", RemoteScripts.RUN))
                .isEqualTo("/bin/sh '/r/it'\"'\"'s $(x)/run.sh'");
    }

    /** Runs a command line with /bin/sh and a PATH; returns its exit status and what it printed. */
    private static String[] shell(String commandLine, String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", commandLine).redirectErrorStream(true);
        pb.environment().put("PATH", path);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void theJavaCheckIsKilledOnTheMachineAfterItsLimitAndRunsWithoutATimeoutThatLacksK() throws Exception {
        String path = System.getenv("PATH");
        long t0 = System.nanoTime();
        String[] hung = shell(SshTarget.underTimeout("sleep 20", 1), path);
        assertThat(hung[0]).as("coreutils' timeout ends it (124)").isEqualTo("124");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(shell(SshTarget.underTimeout("echo 'openjdk version'", 5), path))
                .containsExactly("0", "openjdk version");
        // a timeout that does not take -k (BusyBox's) is not used: the command runs as it is
        Path bin = Files.createDirectories(dir.resolve("busybox-bin"));
        Path fake = Files.writeString(bin.resolve("timeout"), "#!/bin/sh\necho \"timeout: invalid option -- 'k'\" >&2\n"
                + "exit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(shell(SshTarget.underTimeout("echo 'openjdk version'", 5), bin + ":" + path))
                .containsExactly("0", "openjdk version");
    }
}
