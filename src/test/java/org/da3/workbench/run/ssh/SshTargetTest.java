package org.da3.workbench.run.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.spec.TargetSpec;
import org.da3.workbench.test.SshTestServer;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh target against a real SSH server on 127.0.0.1 (Apache MINA SSHD embedded in the test,
 * running commands on this machine): same results as a local run, refused host keys and user
 * keys, a closed port, a dropped connection, Stop, and shell injection.
 */
class SshTargetTest {

    @TempDir
    static Path tmp;

    static SshTestServer server;
    static Workspace ws;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(tmp.resolve("keys"));
        server = SshTestServer.start(tmp.resolve("keys"));
        ws = TestWorkspace.create(tmp.resolve("ws"), 48, 32);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static PlannedRun plan(String name, String yamlChanges) throws IOException {
        String yaml = TestWorkspace.tinySpec(name, "linear", "tiny-shapes, tiny-textures");
        if (yamlChanges != null) {
            yaml = yaml.replace("epochs: 1", yamlChanges);
        }
        Path f = ws.experimentsDir().resolve(name + ".yaml");
        Files.writeString(f, yaml);
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(f);
        return ExperimentRunner.plan(spec).get(0);
    }

    /** Runs a planned run; returns its record and the events it received. */
    private static RunRecord execute(PlannedRun run, Target t, RunMonitor monitor, RunMonitor.Listener l)
            throws IOException {
        return new ExperimentRunner(ws).execute(run, t, monitor, l);
    }

    private static RunMonitor.Listener quiet() {
        return e -> { };
    }

    private static Path runDir(RunRecord r) {
        return ws.runsDir(r.experiment()).resolve(r.runId());
    }

    /** Splits a CSV line, keeping quoted cells (labels such as "linear[a=1,b=2]") whole. */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
                continue;
            }
            cell.append(ch);
        }
        out.add(cell.toString());
        return out;
    }

    /** results.csv without the columns that differ between two runs of the same seed. */
    private static List<String> comparable(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = cells(lines.get(0));
        List<Integer> drop = List.of(header.indexOf("run_id"), header.indexOf("step_seconds"),
                header.indexOf("peak_step_bytes"));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = cells(line);
            assertThat(cells).hasSameSizeAs(header);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                if (!drop.contains(i)) {
                    sb.append(cells.get(i)).append(',');
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void runOverSshGivesTheSameResultsAsALocalRun() throws Exception {
        PlannedRun run = plan("same", null);
        RunRecord local;
        try (Target t = new LocalTarget(List.of("-Xmx1g"), Map.of())) {
            local = execute(run, t, new RunMonitor(), quiet());
        }
        Path remote = tmp.resolve("remote-same");
        RunRecord viaSsh;
        try (SshTarget t = new SshTarget(server.target("test", remote))) {
            viaSsh = execute(run, t, new RunMonitor(), quiet());
        }
        assertThat(local.status()).isEqualTo("completed");
        assertThat(viaSsh.status()).as(viaSsh.error()).isEqualTo("completed");
        assertThat(comparable(runDir(viaSsh).resolve("results.csv")))
                .isEqualTo(comparable(runDir(local).resolve("results.csv")));
        assertThat(viaSsh.finalAccuracy(0)).isEqualTo(local.finalAccuracy(0));

        // the patches came back over SFTP, byte for byte what the remote worker reported
        List<Envelope> events = EventLog.read(runDir(viaSsh).resolve("events.jsonl"));
        List<CheckpointSaved> saved = events.stream().map(Envelope::event).filter(e -> e instanceof CheckpointSaved)
                .map(e -> (CheckpointSaved) e).toList();
        assertThat(saved).hasSize(2);
        for (CheckpointSaved c : saved) {
            Path p = runDir(viaSsh).resolve(c.path());
            assertThat(p).exists();
            assertThat(org.da3.workbench.run.WorkerJar.sha256(p)).isEqualTo(c.sha256());
        }
        // the worker ran from the uploaded jar, named by its hash, with the relocated request
        try (Stream<Path> jars = Files.list(remote.resolve("jars"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).toList()).singleElement()
                    .matches(n -> n.matches("[0-9a-f]{64}\\.jar"));
        }
        Path remoteRun = remote.resolve("runs").resolve(viaSsh.runId());
        assertThat(Files.readString(remoteRun.resolve("request.json"))).contains("\"output_dir\":\"" + remoteRun + "\"");
        assertThat(Files.readString(remoteRun.resolve("worker.exit")).trim()).isEqualTo("0");
        assertThat(server.commands()).contains("/bin/sh " + Shell.quote(remoteRun + "/run.sh"));
    }

    /**
     * A run that stopped after its first domain picks up on the machine: the patch it takes over is
     * uploaded into the remote run folder, checked there by the worker, and only the second domain
     * trains.
     */
    @Test
    void aResumedRunUploadsThePatchesItTakesOver() throws Exception {
        PlannedRun run = plan("resumed", null);
        RunRecord stopped;
        try (Target t = new LocalTarget(List.of("-Xmx1g"), Map.of())) {
            stopped = execute(run, t, new RunMonitor(), quiet());
        }
        Path first = runDir(stopped);
        TestWorkspace.cutAfterFirstDomain(first, "tiny-textures");
        ExperimentRunner runner = new ExperimentRunner(ws);
        Map<PlannedRun, org.da3.workbench.run.ResumeFrom> from = runner.resumable(List.of(run));
        assertThat(from.get(run).patches()).containsOnlyKeys("tiny-shapes");

        Path remote = tmp.resolve("remote-resumed");
        RunRecord resumed;
        try (SshTarget t = new SshTarget(server.target("test", remote))) {
            resumed = runner.execute(run.resuming(from.get(run)), t, new RunMonitor(), quiet());
        }
        assertThat(resumed.status()).as(resumed.error()).isEqualTo("completed");
        byte[] taken = Files.readAllBytes(first.resolve("patches/tiny-shapes.safetensors"));
        Path remoteRun = remote.resolve("runs").resolve(resumed.runId());
        assertThat(Files.readAllBytes(remoteRun.resolve("patches/tiny-shapes.safetensors"))).isEqualTo(taken);
        assertThat(Files.readAllBytes(runDir(resumed).resolve("patches/tiny-shapes.safetensors"))).isEqualTo(taken);
        assertThat(runDir(resumed).resolve("patches/tiny-textures.safetensors")).isRegularFile();
        List<Envelope> events = EventLog.read(runDir(resumed).resolve("events.jsonl"));
        assertThat(events.stream().map(Envelope::event).filter(e -> e instanceof TrainMetrics)
                .map(e -> ((TrainMetrics) e).domain())).isNotEmpty()
                .allMatch("tiny-textures"::equals);
        assertThat(Files.readString(runDir(resumed).resolve("worker.log")))
                .contains("uploaded the 1 patch(es) reused from run " + stopped.runId());
    }

    /**
     * A run killed after an epoch checkpoint of its second domain continues on the machine: the
     * checkpoint is uploaded into the remote run's checkpoints/, the worker continues the domain
     * from the epoch after it and removes it with the domain's patch, the local copy goes too, and
     * the patch is the one a run never stopped trains.
     */
    @Test
    void aResumedRunUploadsTheEpochCheckpointItContinuesFrom() throws Exception {
        // 16 steps an epoch: the worker is killed long before its next checkpoint
        Workspace big = TestWorkspace.create(tmp.resolve("ws-epochs"), 256, 32);
        String yaml = TestWorkspace.tinySpec("NAME", "linear", "tiny-shapes, tiny-textures").replace("epochs: 1",
                "epochs: 3");
        Path f = Files.writeString(big.experimentsDir().resolve("epochs.yaml"), yaml.replace("NAME", "epochs"));
        PlannedRun run = ExperimentRunner.plan(new SpecLoader(big.datasets().names()).load(f)).get(0);
        ExperimentRunner runner = new ExperimentRunner(big);
        RunRecord stopped = TestWorkspace.killedAfterEpochCheckpoint(runner, run, "tiny-textures");
        org.da3.workbench.run.ResumeFrom from = runner.resumable(List.of(run)).get(run);
        assertThat(from.run()).isEqualTo(stopped.runId());
        assertThat(from.patches()).containsOnlyKeys("tiny-shapes");
        assertThat(from.checkpoint().domain()).isEqualTo("tiny-textures");
        int epoch = from.checkpoint().epoch();

        Path remote = tmp.resolve("remote-epochs");
        RunRecord resumed;
        try (SshTarget t = new SshTarget(server.target("test", remote))) {
            resumed = runner.execute(run.resuming(from), t, new RunMonitor(), quiet());
        }
        assertThat(resumed.status()).as(resumed.error()).isEqualTo("completed");
        Path local = big.runsDir("epochs").resolve(resumed.runId());
        assertThat(Files.readString(local.resolve("worker.log"))).contains("uploaded the epoch " + epoch
                + " checkpoint of tiny-textures (").contains(") from run " + stopped.runId());
        org.da3.workbench.run.event.DomainStarted textures = EventLog.read(local.resolve("events.jsonl")).stream()
                .map(Envelope::event).filter(e -> e instanceof org.da3.workbench.run.event.DomainStarted)
                .map(e -> (org.da3.workbench.run.event.DomainStarted) e)
                .filter(d -> d.domain().equals("tiny-textures")).findFirst().orElseThrow();
        assertThat(textures.continuedFrom()).isEqualTo(stopped.runId());
        assertThat(textures.startEpoch()).isEqualTo(epoch + 1);
        Path remoteRun = remote.resolve("runs").resolve(resumed.runId());
        assertThat(remoteRun.resolve("checkpoints")).doesNotExist();
        assertThat(local.resolve("checkpoints")).doesNotExist();

        Path g = Files.writeString(big.experimentsDir().resolve("never.yaml"), yaml.replace("NAME", "never"));
        PlannedRun never = ExperimentRunner.plan(new SpecLoader(big.datasets().names()).load(g)).get(0);
        RunRecord whole;
        try (Target t = new LocalTarget(List.of("-Xmx1g"), Map.of())) {
            whole = runner.execute(never, t, new RunMonitor(), quiet());
        }
        assertThat(Files.readAllBytes(local.resolve("patches/tiny-textures.safetensors"))).isEqualTo(
                Files.readAllBytes(big.runsDir("never").resolve(whole.runId()).resolve(
                        "patches/tiny-textures.safetensors")));
    }

    /** A run that cannot start: its events.jsonl gets the error and a failed run_finished. */
    private static String failedStart(TargetSpec spec) throws IOException {
        PlannedRun run = plan("refused", null);
        RunMonitor monitor = new RunMonitor();
        RunRecord r;
        long t0 = System.nanoTime();
        try (SshTarget t = new SshTarget(spec)) {
            r = execute(run, t, monitor, quiet());
        }
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
        assertThat(r.status()).isEqualTo("failed");
        List<Envelope> events = EventLog.read(ws.runsDir("refused").resolve(r.runId()).resolve("events.jsonl"));
        assertThat(events).hasSize(2);
        assertThat(events.get(1).event()).isInstanceOf(RunFinished.class);
        assertThat(((RunFinished) events.get(1).event()).status()).isEqualTo("failed");
        assertThat(events.get(0).event()).isInstanceOf(RunError.class);
        String msg = ((RunError) events.get(0).event()).message();
        assertThat(msg).startsWith("could not start the worker on ");
        assertThat(r.error()).isEqualTo(msg);
        return msg;
    }

    @Test
    void unknownHostKeyIsRefused() throws Exception {
        Path kh = tmp.resolve("known_hosts_empty");
        Files.writeString(kh, "# nothing known\n");
        TargetSpec spec = server.target("unknown", tmp.resolve("remote-x").toString(), server.clientKeyFile(), kh,
                Map.of(), List.of(), "java");
        String msg = failedStart(spec);
        assertThat(msg).contains("is not in the known_hosts file " + kh).contains("refused")
                .contains("ssh-keyscan -p " + server.port() + " 127.0.0.1");
        assertThat(Files.readString(kh)).isEqualTo("# nothing known\n"); // never added silently
        assertThat(tmp.resolve("remote-x")).doesNotExist();
    }

    @Test
    void changedHostKeyIsRefused() throws Exception {
        KeyPair other = SshTestServer.newKey();
        Path kh = tmp.resolve("known_hosts_other");
        Files.writeString(kh, server.knownHostsLine(other) + "\n");
        TargetSpec spec = server.target("changed", tmp.resolve("remote-y").toString(), server.clientKeyFile(), kh,
                Map.of(), List.of(), "java");
        String msg = failedStart(spec);
        assertThat(msg).contains("REFUSED").contains("CHANGED")
                .contains(org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(other.getPublic()));
        assertThat(tmp.resolve("remote-y")).doesNotExist();
    }

    /**
     * known_hosts as OpenSSH's ssh leaves it after a first login: the host's ed25519 key only. The
     * workbench cannot check ed25519 host keys, so the server shows it its ECDSA key, which the file
     * does not list: an unknown key, as OpenSSH calls a key of a type it has not seen for a known
     * host, not a changed one (no false alarm of someone in between), with the line to add.
     */
    @Test
    void aHostKnownOnlyByItsEd25519KeyIsAskedForTheKeyTheWorkbenchChecksNotCalledChanged() throws Exception {
        String ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMBpAg9T1Vr9Z2iE7J8bM0gckcassr+vKFPDRHzGnUrN";
        Path kh = tmp.resolve("known_hosts_ed25519");
        Files.writeString(kh, "[127.0.0.1]:" + server.port() + " " + ed25519 + "\n");
        String msg = failedStart(server.target("ed", tmp.resolve("remote-ed").toString(), server.clientKeyFile(), kh,
                Map.of(), List.of(), "java"));
        String fp = org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(server.hostKey().getPublic());
        assertThat(msg).doesNotContain("CHANGED").contains("the host key of [127.0.0.1]:" + server.port()
                + " that the server showed (ecdsa-sha2-nistp256 " + fp + ") is not in the known_hosts file " + kh
                + ", which lists only its ssh-ed25519 key (the workbench cannot check ed25519 host keys")
                .contains("ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub")
                .contains("ssh-keyscan -t ecdsa -p " + server.port() + " 127.0.0.1 >> " + kh);
        // with an ECDSA key of its own that differs too, it is a change, and the ECDSA key is the one named
        KeyPair other = SshTestServer.newKey();
        Files.writeString(kh, "[127.0.0.1]:" + server.port() + " " + ed25519 + "\n" + server.knownHostsLine(other)
                + "\n");
        msg = failedStart(server.target("ed2", tmp.resolve("remote-ed2").toString(), server.clientKeyFile(), kh,
                Map.of(), List.of(), "java"));
        assertThat(msg).contains("has CHANGED").contains("has ecdsa-sha2-nistp256 "
                + org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(other.getPublic()));
        // and with the ECDSA line added as the message says, it connects
        Files.writeString(kh, "[127.0.0.1]:" + server.port() + " " + ed25519 + "\n"
                + server.knownHostsLine(server.hostKey()) + "\n");
        try (SshTarget t = new SshTarget(server.target("ed3", tmp.resolve("remote-ed3").toString(),
                server.clientKeyFile(), kh, Map.of(), List.of(), "java"))) {
            assertThat(t.check()).isEqualTo(tmp.resolve("remote-ed3").toString());
        }
    }

    @Test
    void aKnownHostsFileThatCannotBeReadIsNotCalledAnUnknownHost() throws Exception {
        // a damaged line elsewhere in the file is skipped, as OpenSSH does, not the whole file
        Path damaged = tmp.resolve("known_hosts_damaged");
        Files.writeString(damaged, "# keys\n[127.0.0.1]:1 ssh-rsa AAAA!!not-base64\n"
                + server.knownHostsLine(server.hostKey()) + "\n");
        try (SshTarget t = new SshTarget(server.target("damaged", tmp.resolve("remote-damaged").toString(),
                server.clientKeyFile(), damaged, Map.of(), List.of(), "java"))) {
            assertThat(t.check()).isEqualTo(tmp.resolve("remote-damaged").toString());
        }
        Path onlyDamaged = tmp.resolve("known_hosts_only_damaged");
        Files.writeString(onlyDamaged, "[127.0.0.1]:1 ssh-rsa AAAA!!not-base64\n");
        String msg = failedStart(server.target("damaged2", tmp.resolve("remote-damaged2").toString(),
                server.clientKeyFile(), onlyDamaged, Map.of(), List.of(), "java"));
        assertThat(msg).contains("is not in the known_hosts file " + onlyDamaged)
                .contains("line 1 of the file could not be read and was skipped");
        // a folder (or a file it may not read) is said to be one, not an unknown host to add to it
        Path folder = Files.createDirectories(tmp.resolve("known_hosts_folder"));
        msg = failedStart(server.target("khfolder", tmp.resolve("remote-khfolder").toString(), server.clientKeyFile(),
                folder, Map.of(), List.of(), "java"));
        assertThat(msg).contains("the known_hosts file " + folder + " cannot be read").contains("refused")
                .doesNotContain("is not in the known_hosts file").doesNotContain("ssh-keyscan");
    }

    @Test
    void anIpv6AddressWorksWithTheKnownHostsEntryOfSshKeyscan() throws Exception {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            assertThat(probe.getLocalPort()).isPositive();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
        }
        Path keys = Files.createDirectories(tmp.resolve("keys6"));
        try (SshTestServer six = SshTestServer.start(keys, "::1")) {
            // known_hosts as ssh-keyscan -p PORT ::1 writes it: [::1]:PORT, not [0:0:0:0:0:0:0:1]:PORT
            assertThat(Files.readString(six.knownHostsFile())).startsWith("[::1]:" + six.port() + " ");
            TargetSpec spec = six.target("six", tmp.resolve("remote-six").toString(), six.clientKeyFile(),
                    six.knownHostsFile(), Map.of(), List.of(), "java");
            try (SshTarget t = new SshTarget(spec)) {
                assertThat(t.check()).isEqualTo(tmp.resolve("remote-six").toString());
            }
            // an ssh:// address writes it in brackets; the target's host is the address itself
            TargetSpec fromUri = org.da3.workbench.spec.TargetsFile.fromUri("ssh://me@[::1]:" + six.port() + "/x");
            assertThat(fromUri.host()).isEqualTo(spec.host());
            assertThat(fromUri.address()).isEqualTo("me@[::1]:" + six.port());
        }
    }

    @Test
    void wrongUserKeyIsRefused() throws Exception {
        Path key = tmp.resolve("other_key");
        SshTestServer.writePrivateKey(SshTestServer.newKey(), key);
        TargetSpec spec = server.target("wrongkey", tmp.resolve("remote-z").toString(), key, server.knownHostsFile(),
                Map.of(), List.of(), "java");
        String msg = failedStart(spec);
        assertThat(msg).contains("refused to log in user '" + System.getProperty("user.name") + "'")
                .contains("authorized_keys");
    }

    /** A server whose host keys are all of a type the workbench cannot check (in life: ed25519 only). */
    @Test
    void aServerWithOnlyHostKeysTheWorkbenchCannotCheckSaysWhichKeyToAdd() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys-dsa"));
        try (SshTestServer dsa = SshTestServer.startWithOnlyADsaHostKey(keys)) {
            TargetSpec spec = dsa.target("dsa", tmp.resolve("remote-dsa"));
            String msg = failedStart(spec);
            assertThat(msg).contains("127.0.0.1:" + dsa.port() + " is an SSH server, but it offers only host keys of"
                    + " types the workbench cannot check (ssh-dss; it checks ECDSA and RSA host keys)")
                    .contains("sudo ssh-keygen -A")
                    .contains("ssh-keyscan -t ecdsa -p " + dsa.port() + " 127.0.0.1 >> " + dsa.knownHostsFile())
                    .doesNotContain("is the port of the machine's SSH server");
        }
    }

    @Test
    void closedPortIsReported() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TargetSpec spec = new TargetSpec("closed", TargetSpec.LINUX, "127.0.0.1", port, "nobody",
                server.clientKeyFile().toString(), false, null, server.knownHostsFile().toString(), "/tmp/none", null,
                Map.of(), List.of(), 1, null);
        String msg = failedStart(spec);
        assertThat(msg).contains("cannot connect to 127.0.0.1:" + port).contains("connection refused");
    }

    @Test
    void aPortThatIsNotAnSshServerIsSaidToBeOne() throws Exception {
        // a server that answers something else, and one that hangs up at once (which MINA can
        // report before a session exists, as it sometimes does for the first too)
        for (String answer : List.of("HTTP/1.1 400 Bad Request\r\n\r\n", "")) {
            notAnSshServerIsSaidToBeOne(answer);
        }
    }

    private static void notAnSshServerIsSaidToBeOne(String answer) throws Exception {
        java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        try (java.net.ServerSocket notSsh = new java.net.ServerSocket(0, 5, loopback)) {
            Thread closer = new Thread(() -> {
                for (int i = 0; i < 3; i++) {
                    try (java.net.Socket s = notSsh.accept()) {
                        s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-not-ssh");
            closer.setDaemon(true);
            closer.start();
            TargetSpec spec = new TargetSpec("notssh", TargetSpec.LINUX, "127.0.0.1", notSsh.getLocalPort(), "nobody",
                    server.clientKeyFile().toString(), false, null, server.knownHostsFile().toString(), "/tmp/none",
                    null, Map.of(), List.of(), 1, null);
            String msg = failedStart(spec);
            assertThat(msg).as("answering '%s'", answer.strip()).contains("127.0.0.1:" + notSsh.getLocalPort()
                    + " accepted the connection but the SSH handshake failed").contains("is the port of the machine's SSH server")
                    .contains("ssh -p " + notSsh.getLocalPort() + " nobody@127.0.0.1");
        }
    }

    /**
     * A linux target for the test server reached through a proxy, with a known_hosts file of its
     * own that holds the server's key under the proxy's port.
     */
    private static TargetSpec throughProxy(String name, Path remote, org.da3.workbench.test.TcpProxy proxy, Path kh)
            throws IOException {
        Files.writeString(kh, "[127.0.0.1]:" + proxy.port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(server.hostKey().getPublic()) + "\n");
        TargetSpec direct = server.target(name, remote);
        return new TargetSpec(name, TargetSpec.LINUX, "127.0.0.1", proxy.port(), direct.user(), direct.identityFile(),
                false, null, kh.toString(), direct.remoteDir(), direct.javaExecutable(), Map.of(), direct.jvmFlags(), 1,
                null);
    }

    /** Whether a process whose command line names a file runs on this machine (the test's "machine"). */
    private static boolean running(Path file) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.isAlive() && p.info().commandLine()
                .map(c -> c.contains(file.toString())).orElse(false));
    }

    private static long readPid(Path remoteRuns, String runId) {
        Path pidFile = remoteRuns.resolve(RunDirectory.safe(runId)).resolve(RemoteScripts.PID);
        for (int i = 0; i < 100; i++) {
            try {
                String s = SshTestServer.readOrNull(pidFile);
                if (s != null && !s.isBlank()) {
                    return Long.parseLong(s.trim());
                }
                Thread.sleep(50);
            } catch (IOException | InterruptedException | NumberFormatException e) {
                // retry
            }
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
    void lostConnectionKeepsTheEventsReceivedAndStopsTheWorker() throws Exception {
        PlannedRun run = plan("dropped", "epochs: 40");
        Path remote = tmp.resolve("remote-drop");
        AtomicLong pid = new AtomicLong(-1);
        List<Envelope> seen = new ArrayList<>();
        server.dropAfterLines(4);
        RunRecord r;
        try (SshTarget t = new SshTarget(server.target("drop", remote))) {
            r = execute(run, t, new RunMonitor(), e -> {
                seen.add(e);
                if (pid.get() < 0) {
                    pid.set(readPid(remote.resolve("runs"), e.runId()));
                }
            });
        } finally {
            server.dropAfterLines(-1);
        }
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("lost the connection to the worker").contains("was lost")
                .contains("events received so far are kept");
        // every line that came through before the drop (the server forwards 4), then the monitor's error and end
        List<Envelope> events = EventLog.read(runDir(r).resolve("events.jsonl"));
        int end = 0;
        while (!(events.get(end).event() instanceof RunFinished)) {
            end++;
        }
        int received = end - 1;
        assertThat(received).isBetween(1, 4);
        for (int i = 0; i <= end; i++) {
            assertThat(events.get(i).seq()).isEqualTo(i);
        }
        assertThat(events.get(0).event()).isInstanceOf(org.da3.workbench.run.event.RunStarted.class);
        assertThat(events.get(received).event()).isInstanceOf(RunError.class);
        assertThat(((RunFinished) events.get(end).event()).status()).isEqualTo("failed");
        assertThat(((RunFinished) events.get(end).event()).seconds()).as("how long the run was watched")
                .isPositive();
        // then what the worker wrote on the machine after the drop, until the lifeline stopped it,
        // but its cancelled end: the run stays failed
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        List<Envelope> written = EventLog.read(remoteRun.resolve(RemoteScripts.EVENTS));
        assertThat(written.subList(0, received)).isEqualTo(events.subList(0, received));
        List<Long> notReceived = written.subList(received, written.size()).stream()
                .filter(e -> !(e.event() instanceof RunFinished f && f.status().equals("cancelled")))
                .map(Envelope::seq).toList();
        if (notReceived.isEmpty()) {
            assertThat(events).hasSize(end + 1);
        } else {
            assertThat(((org.da3.workbench.run.event.Warning) events.get(end + 1).event()).message())
                    .startsWith("the connection was lost before the last " + notReceived.size() + " event(s)");
            assertThat(events.subList(end + 2, events.size())).extracting(Envelope::seq).isEqualTo(notReceived);
        }
        assertThat(seen).as("the listener hears the copied-back events too").extracting(Envelope::seq)
                .isEqualTo(events.stream().map(Envelope::seq).toList());
        assertGone(pid.get()); // the wrapper's lifeline killed it when sshd closed its stdin
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).as("the machine noticed the drop")
                .doesNotContain("without the machine noticing");
        Path exit = remoteRun.resolve(RemoteScripts.EXIT);
        for (int i = 0; i < 100 && !Files.exists(exit); i++) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(exit).trim()).as("killed by TERM, not finished").isEqualTo("143");
    }

    /**
     * A connection the network drops without a word: this side notices (here at once, a reset; in
     * life after the keep-alives go unanswered), the machine's sshd does not, so the wrapper's
     * lifeline never fires. The worker must not train on unobserved: collecting the run stops it
     * over a new connection before copying its files back. What it wrote after the drop comes
     * back too: its events, so the epoch checkpoint copied back is the one they record, and a
     * resumed run continues from it rather than from the epoch the drop happened in.
     */
    @Test
    void aConnectionDroppedWithoutTheMachineNoticingStillStopsTheWorker() throws Exception {
        PlannedRun run = plan("dropped-silently", "epochs: 400");
        Path remote = tmp.resolve("remote-drop-silent");
        AtomicLong pid = new AtomicLong(-1);
        List<Envelope> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong dropped = new AtomicLong(-1);
        RunRecord r;
        try (org.da3.workbench.test.TcpProxy proxy = new org.da3.workbench.test.TcpProxy(server.port())) {
            Path kh = tmp.resolve("known_hosts_proxy");
            TargetSpec spec = throughProxy("silent-drop", remote, proxy, kh);
            try (SshTarget t = new SshTarget(spec)) {
                r = execute(run, t, new RunMonitor(), e -> {
                    seen.add(e);
                    if (pid.get() < 0) {
                        pid.set(readPid(remote.resolve("runs"), e.runId()));
                    }
                    if (e.event() instanceof org.da3.workbench.run.event.EpochCheckpointSaved c && dropped.get() < 0) {
                        dropped.set(c.epoch());
                        proxy.dropSilently();
                    }
                });
            }
        }
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("lost the connection to the worker");
        List<Envelope> events = EventLog.read(runDir(r).resolve("events.jsonl"));
        assertThat(seen).extracting(Envelope::seq).isEqualTo(events.stream().map(Envelope::seq).toList());
        List<org.da3.workbench.run.event.EpochCheckpointSaved> checkpoints = events.stream()
                .map(Envelope::event).filter(org.da3.workbench.run.event.EpochCheckpointSaved.class::isInstance)
                .map(org.da3.workbench.run.event.EpochCheckpointSaved.class::cast).toList();
        assertThat(events).extracting(Envelope::event).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(org.da3.workbench.run.event.Warning.class, w -> assertThat(w.message())
                        .contains("the connection was lost before the last").contains("copied back")));
        assertThat(checkpoints.get(checkpoints.size() - 1).epoch()).as("epochs the worker trained after the drop")
                .isGreaterThan((int) dropped.get());
        assertThat(org.da3.workbench.run.RunDirectory.changedSince(runDir(r).resolve(
                "checkpoints/tiny-shapes.safetensors"), checkpoints.get(checkpoints.size() - 1).sha256()))
                .as("the checkpoint copied back is the last one the events record").isNull();
        org.da3.workbench.run.ResumeFrom from = new ExperimentRunner(ws).resumable(List.of(run)).get(run);
        assertThat(from.checkpoint().epoch()).isEqualTo(checkpoints.get(checkpoints.size() - 1).epoch());
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).contains("copied back ")
                .contains("event(s) from " + remote.resolve("runs").resolve(r.runId()).resolve(RemoteScripts.EVENTS));
        assertThat(pid.get()).isPositive();
        assertThat(ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false))
                .as("the remote worker is stopped by the time the run is recorded").isFalse();
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).as("killed by TERM, not finished")
                .isEqualTo("143");
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).contains("the worker was still running in "
                + remoteRun).contains("stopped it with stop.sh before copying its files back");
        // the epoch checkpoint came back, as the worker left it when it was stopped
        assertThat(runDir(r).resolve("checkpoints/tiny-shapes.safetensors")).isRegularFile();
    }

    /**
     * {@code da3 run --resume} after a lost connection whose files could not be copied back: once
     * the machine answers again, it copies them back first (stopping the worker still running
     * there), and the resumed run continues from the last epoch checkpoint the worker saved, which
     * only the copied-back events record.
     */
    @Test
    void resumingCopiesBackWhatTheMachineKeptFirst() throws Exception {
        PlannedRun run = plan("resume-after-drop", "epochs: 400");
        Path remote = tmp.resolve("remote-resume-after-drop");
        AtomicLong dropped = new AtomicLong(-1);
        RunRecord r;
        Path targets = ws.experimentsDir().resolve("targets.yaml");
        try (org.da3.workbench.test.TcpProxy proxy = new org.da3.workbench.test.TcpProxy(server.port())) {
            Path kh = tmp.resolve("known_hosts_resume");
            TargetSpec spec = throughProxy("box", remote, proxy, kh);
            try (SshTarget t = new SshTarget(spec)) {
                r = execute(run, t, new RunMonitor(), e -> {
                    if (e.event() instanceof org.da3.workbench.run.event.EpochCheckpointSaved c && dropped.get() < 0) {
                        dropped.set(c.epoch());
                        proxy.refuseNewConnections();
                        try {
                            // and should a connection get through all the same, it is refused here
                            Files.delete(kh);
                        } catch (IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                        proxy.dropSilently();
                    }
                });
            }
            assertThat(r.status()).isEqualTo("failed");
            assertThat(org.da3.workbench.run.RemoteRun.read(RunDirectory.open(runDir(r))).collected())
                    .as(Files.readString(runDir(r).resolve("worker.log"))).isFalse();

            // the machine answers again at its own address, which targets.yaml gives for box
            Files.writeString(targets, "targets:\n" + server.targetsYamlEntry("box", "linux", server.knownHostsFile())
                    + "    remote_dir: " + remote + "\n");
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.PrintStream was = System.out;
            int code;
            try {
                System.setOut(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
                picocli.CommandLine cl = org.da3.workbench.cli.Da3.commandLine();
                java.io.StringWriter err = new java.io.StringWriter();
                cl.setErr(new java.io.PrintWriter(err));
                code = cl.execute("run", ws.experimentsDir().resolve("resume-after-drop.yaml").toString(), "--resume",
                        "--target", "box");
            } finally {
                System.setOut(was);
                Files.deleteIfExists(targets);
            }
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(code).as(out).isZero();
            List<org.da3.workbench.run.event.EpochCheckpointSaved> saved = EventLog.read(runDir(r)
                    .resolve("events.jsonl")).stream().map(Envelope::event)
                    .filter(org.da3.workbench.run.event.EpochCheckpointSaved.class::isInstance)
                    .map(org.da3.workbench.run.event.EpochCheckpointSaved.class::cast).toList();
            int last = saved.get(saved.size() - 1).epoch();
            assertThat(last).as("epochs saved after the drop, known only from the copied-back events")
                    .isGreaterThan((int) dropped.get());
            assertThat(out).contains("note: run " + r.runId() + ": copied ").contains(" event(s) that had not come"
                    + " through back from ").contains("Resuming 1 run(s) from the domains they finished: linear s7 ("
                    + r.runId() + ": 0 of 2 domains and " + last + " of 400 epochs of tiny-shapes)");
            assertThat(org.da3.workbench.run.RemoteRun.read(RunDirectory.open(runDir(r))).collected()).isTrue();
        }
    }

    /**
     * The heartbeats keep a run that lasts longer than the silence its watchdog allows (1 s here,
     * checked every second): it completes, and the watchdog notes nothing.
     */
    @Test
    void heartbeatsKeepARunLongerThanTheSilenceAllowed() throws Exception {
        PlannedRun run = plan("kept-alive", "epochs: 150");
        Path remote = tmp.resolve("remote-kept-alive");
        RunRecord r;
        try (SshTarget t = new SshTarget(server.target("kept-alive", remote))) {
            t.watchdog(Duration.ofMillis(200), 1);
            r = execute(run, t, new RunMonitor(), quiet());
        }
        assertThat(r.status()).as(r.error()).isEqualTo("completed");
        // the worker's own time: without heartbeats it would have been stopped after 1-2 s
        assertThat(r.seconds()).as("longer than the 1 s allowed and its check").isGreaterThan(2.5);
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("0");
        assertThat(remoteRun.resolve(RemoteScripts.LOG)).as("the watchdog noted nothing").doesNotExist();
        assertThat(remoteRun.resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
    }

    /**
     * A connection the network drops without a word, and the workbench never comes back (no
     * reconnection, so no collect stops the worker): the machine's sshd keeps the session, but the
     * heartbeats stop, and the wrapper's watchdog stops the worker after the silence allowed (3 s
     * here, 60 s in life) and says so in the remote worker.log.
     */
    @Test
    void aWorkerWhoseWorkbenchFellSilentForGoodIsStoppedByTheMachine() throws Exception {
        PlannedRun run = plan("fallen-silent", "epochs: 400");
        Path remote = tmp.resolve("remote-fallen-silent");
        AtomicLong pid = new AtomicLong(-1);
        AtomicLong droppedAt = new AtomicLong();
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunRecord r;
        long stoppedAfterMs = -1;
        try (org.da3.workbench.test.TcpProxy proxy = new org.da3.workbench.test.TcpProxy(server.port())) {
            Path kh = tmp.resolve("known_hosts_fallen");
            TargetSpec spec = throughProxy("fallen-silent", remote, proxy, kh);
            try (SshTarget t = new SshTarget(spec)) {
                t.watchdog(Duration.ofMillis(500), 3);
                r = execute(run, t, new RunMonitor(), new RunMonitor.Listener() {
                    @Override
                    public void onEvent(Envelope e) {
                        if (pid.get() < 0) {
                            pid.set(readPid(remote.resolve("runs"), e.runId()));
                        }
                        if (e.event() instanceof org.da3.workbench.run.event.EpochCheckpointSaved
                                && droppedAt.get() == 0) {
                            proxy.refuseNewConnections(); // out of reach from now on
                            droppedAt.set(System.nanoTime());
                            proxy.dropSilently();
                        }
                    }

                    @Override
                    public void onWarning(String message) {
                        warnings.add(message);
                    }
                });
            }
            // the proxy keeps the server's side of the connection open (and unread) until it closes
            Path exit = remote.resolve("runs").resolve(r.runId()).resolve(RemoteScripts.EXIT);
            while (!Files.exists(exit) && System.nanoTime() - droppedAt.get() < TimeUnit.SECONDS.toNanos(15)) {
                Thread.sleep(50);
            }
            if (Files.exists(exit)) {
                stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - droppedAt.get());
            }
            System.out.println("watchdog: worker stopped " + stoppedAfterMs + " ms after the silent drop");
        }
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("lost the connection to the worker");
        assertThat(warnings).singleElement().asString().startsWith("could not copy the run's files back");
        assertThat(stoppedAfterMs).as("stopped after the 3 s allowed (checked each second), not later")
                .isBetween(2000L, 10_000L);
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).as("killed by TERM")
                .isEqualTo("143");
        assertGone(pid.get());
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.LOG))).contains("da3 (on the machine): no"
                + " heartbeat from the workbench for 3 s (the connection was lost without this machine noticing);"
                + " stopping the worker with stop.sh");
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).doesNotContain("the worker was still running");

        // the run remembers where its files stayed, and resuming says so
        org.da3.workbench.run.RemoteRun left = org.da3.workbench.run.RemoteRun.read(RunDirectory.open(runDir(r)));
        assertThat(left.target()).isEqualTo("fallen-silent");
        assertThat(left.address()).startsWith(System.getProperty("user.name") + "@127.0.0.1:");
        assertThat(left.remoteRunDir()).isEqualTo(remoteRun.toString());
        assertThat(left.collected()).isFalse();
        List<String> resumeWarnings = new ArrayList<>();
        new ExperimentRunner(ws).resumable(List.of(run), resumeWarnings::add);
        assertThat(resumeWarnings).anySatisfy(w -> assertThat(w).contains("ran on fallen-silent").contains(
                "'da3 targets collect " + runDir(r) + "' (or --resume, which does it first) copies them back"));
        long eventsBefore = EventLog.read(runDir(r).resolve("events.jsonl")).size();

        // when the machine answers again (here at its own address, named in targets.yaml), da3 targets
        // collect brings back the files, the events that never came through and the wrapper's note
        Path targets = ws.experimentsDir().resolve("targets.yaml");
        Files.writeString(targets, "targets:\n" + server.targetsYamlEntry("fallen-silent", "linux",
                server.knownHostsFile()));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code;
        try {
            picocli.CommandLine cl = org.da3.workbench.cli.Da3.commandLine();
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(err));
            code = cl.execute("targets", "collect", runDir(r).toString());
        } finally {
            Files.delete(targets);
        }
        assertThat(code).as(err.toString()).isZero();
        List<Envelope> events = EventLog.read(runDir(r).resolve("events.jsonl"));
        assertThat(events.size()).as("the events the worker wrote after the drop").isGreaterThan((int) eventsBefore + 1);
        assertThat(out.toString().strip()).matches(java.util.regex.Pattern.quote(runDir(r) + ": copied ") + "\\d+"
                + java.util.regex.Pattern.quote(" file(s) and " + (events.size() - eventsBefore - 1) + " event(s) that"
                        + " had not come through back from " + server.target("x", remote).address() + ":" + remoteRun
                        + "; the run is failed"));
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).contains("da3 (on the machine): no heartbeat"
                + " from the workbench for 3 s").contains("copied ").doesNotContain("the worker was still running");
        assertThat(runDir(r).resolve("checkpoints/tiny-shapes.safetensors")).isRegularFile();
        assertThat(runDir(r).resolve(RemoteScripts.HEARTBEAT)).doesNotExist();
        assertThat(org.da3.workbench.run.RemoteRun.read(RunDirectory.open(runDir(r))).collected()).isTrue();
        List<org.da3.workbench.run.event.EpochCheckpointSaved> checkpoints = events.stream().map(Envelope::event)
                .filter(org.da3.workbench.run.event.EpochCheckpointSaved.class::isInstance)
                .map(org.da3.workbench.run.event.EpochCheckpointSaved.class::cast).toList();
        assertThat(checkpoints.size()).as("epoch checkpoints the worker saved after the drop").isGreaterThan(1);
        resumeWarnings.clear();
        org.da3.workbench.run.ResumeFrom from = new ExperimentRunner(ws).resumable(List.of(run), resumeWarnings::add)
                .get(run);
        assertThat(from).as("resumable; warnings: %s", resumeWarnings).isNotNull();
        assertThat(from.checkpoint().epoch()).isEqualTo(checkpoints.get(checkpoints.size() - 1).epoch());
        assertThat(resumeWarnings).noneSatisfy(w -> assertThat(w).contains("da3 targets collect"));
        assertThat(Files.readString(runDir(r).resolve("results.csv"))).contains(r.runId());

        // asked again, it checks again and finds nothing new
        out.getBuffer().setLength(0);
        Files.writeString(targets, "targets:\n" + server.targetsYamlEntry("fallen-silent", "linux",
                server.knownHostsFile()));
        try {
            picocli.CommandLine cl = org.da3.workbench.cli.Da3.commandLine();
            cl.setOut(new java.io.PrintWriter(out));
            code = cl.execute("targets", "collect", runDir(r).toString());
        } finally {
            Files.delete(targets);
        }
        assertThat(code).isZero();
        assertThat(out.toString()).contains("already copied back; checking again").contains(" file(s) back from ")
                .doesNotContain("had not come through");
        assertThat(EventLog.read(runDir(r).resolve("events.jsonl"))).hasSameSizeAs(events);
    }

    /**
     * The machine goes away for good mid-run (its sshd stops): the run is recorded as failed at
     * once, and that its files could not be copied back is said to the user (not only into a log
     * nobody reads: the CLI printed nothing), in worker.log too, with where they stay and how to
     * fetch them.
     */
    @Test
    void filesThatCannotBeCopiedBackAreNamedWithWhereTheyStay() throws Exception {
        PlannedRun run = plan("gone", "epochs: 400");
        Path remote = tmp.resolve("remote-gone");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunRecord r;
        long[] goneAt = {0};
        Path keys = Files.createDirectories(tmp.resolve("keys-gone"));
        try (SshTestServer going = SshTestServer.start(keys); SshTarget t = new SshTarget(going.target("gone", remote))) {
            r = execute(run, t, new RunMonitor(), new RunMonitor.Listener() {
                @Override
                public void onEvent(Envelope e) {
                    if (e.event() instanceof org.da3.workbench.run.event.EpochCheckpointSaved && goneAt[0] == 0) {
                        goneAt[0] = System.nanoTime();
                        Thread stop = new Thread(() -> {
                            try {
                                going.close();
                            } catch (IOException x) {
                                throw new java.io.UncheckedIOException(x);
                            }
                        });
                        stop.start();
                    }
                }

                @Override
                public void onWarning(String message) {
                    warnings.add(message);
                }
            });
        }
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.error()).contains("lost the connection to the worker");
        assertThat(System.nanoTime() - goneAt[0]).as("noticed at once").isLessThan(TimeUnit.SECONDS.toNanos(10));
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(warnings).singleElement().asString().startsWith("could not copy the run's files back from gone")
                .contains("stay on the machine, in " + remoteRun).contains("connection refused")
                .contains("scp -r -P ").contains(":" + remoteRun + "/patches'").contains("before da3 run --resume");
        assertThat(warnings.get(0)).contains("run 'da3 targets collect " + runDir(r) + "'");
        assertThat(Files.readString(runDir(r).resolve("worker.log"))).contains("patches, epoch checkpoint and events"
                + " were not copied back and stay on the machine, in " + remoteRun);
        // and the CLI's progress view prints it
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        new org.da3.workbench.cli.ConsoleProgress(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8), "linear s7",
                false).onWarning(warnings.get(0));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("[linear s7] warning: could not copy the run's");
    }

    /**
     * A ~/.bashrc that greets even non-interactive sessions breaks SFTP (OpenSSH starts the SFTP
     * server through the login shell): the error names the greeting and the fix, not a disabled
     * SFTP subsystem, and targets test finds it too, also for an absolute remote_dir.
     */
    @Test
    void aLoginScriptThatPrintsIsNamedAsWhatBreaksSftp() throws Exception {
        server.loginGreeting("Welcome to the lab Jetson!");
        try {
            for (String remoteDir : List.of(tmp.resolve("remote-greeting").toString(), "~/da3-greeting")) {
                try (SshTarget t = new SshTarget(server.target("greets", remoteDir, server.clientKeyFile(),
                        server.knownHostsFile(), Map.of(), List.of(), "java"))) {
                    assertThatThrownBy(t::checkWithJava).hasMessageContaining("SFTP does not work because the login"
                            + " shell of user '" + System.getProperty("user.name") + "' prints text in non-interactive"
                            + " sessions (\"Welcome to the lab Jetson!\")").hasMessageContaining("case $- in *i*)")
                            .hasMessageNotContaining("enable the sftp subsystem")
                            .hasMessageNotContaining("SFTP subsystem must be enabled");
                }
            }
            String msg = failedStart(server.target("greets", tmp.resolve("remote-greeting").toString(),
                    server.clientKeyFile(), server.knownHostsFile(), Map.of(), List.of(), "java"));
            assertThat(msg).contains("SFTP does not work because the login shell");
        } finally {
            server.loginGreeting(null);
        }
    }

    @Test
    void stopKillsTheRemoteWorker() throws Exception {
        PlannedRun run = plan("stopped", "epochs: 40");
        Path remote = tmp.resolve("remote-stop");
        AtomicLong pid = new AtomicLong(-1);
        RunMonitor monitor = new RunMonitor();
        RunRecord r;
        long t0;
        try (SshTarget t = new SshTarget(server.target("stop", remote))) {
            t0 = System.nanoTime();
            r = execute(run, t, monitor, e -> {
                if (pid.get() < 0) {
                    pid.set(readPid(remote.resolve("runs"), e.runId()));
                }
                if (e.event() instanceof org.da3.workbench.run.event.Progress) {
                    monitor.stop();
                }
            });
        }
        assertThat(r.status()).isEqualTo("cancelled");
        assertGone(pid.get());
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(60));
        Path remoteRun = remote.resolve("runs").resolve(r.runId());
        assertThat(remoteRun.resolve(RemoteScripts.PID)).doesNotExist();
        assertThat(Files.readString(remoteRun.resolve(RemoteScripts.EXIT)).trim()).isEqualTo("143");
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aFullDiskOnTheMachineIsNamedAndLeavesNoPartialUpload() throws Exception {
        Path remote = tmp.resolve("remote-full");
        server.diskFullAfter(64 * 1024);
        String msg;
        try {
            msg = failedStart(server.target("full", remote));
        } finally {
            server.diskFullAfter(-1);
        }
        assertThat(msg).contains("cannot upload ").contains(remote + "/jars/").contains("df -h " + remote + "/jars")
                .contains("the partial file was removed");
        assertThat(names(remote.resolve("jars"))).as("nothing left to fill the disk").isEmpty();
    }

    @Test
    void aRemoteFolderThatCannotBeMadeSaysToChooseAnotherRemoteDir() throws Exception {
        Path blocker = java.nio.file.Files.writeString(tmp.resolve("a-file"), "x");
        String msg = failedStart(server.target("blocked", blocker.resolve("da3")));
        assertThat(msg).contains("cannot create the remote folder " + blocker + ": a file of that name is in the way")
                .contains("set the target's remote_dir to a folder its user may create and write");
    }

    @Test
    void stopDuringTheUploadAbandonsItAndRecordsTheRunAsCancelled() throws Exception {
        PlannedRun run = plan("upload-stopped", null);
        Path remote = tmp.resolve("remote-upload-stop");
        RunMonitor monitor = new RunMonitor();
        long[] stoppedAt = {0};
        Thread stopper = new Thread(() -> {
            // Stop (Ctrl-C) as soon as the jar is on its way
            try {
                for (int i = 0; i < 300 && names(remote.resolve("jars")).stream().noneMatch(n -> n.contains(".part-"));
                        i++) {
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException e) {
                return;
            }
            stoppedAt[0] = System.nanoTime();
            monitor.stop();
        }, "test-stopper");
        RunRecord r;
        server.slowWrites(100_000); // about 15 s for the development jar
        try (SshTarget t = new SshTarget(server.target("upload-stop", remote))) {
            stopper.setDaemon(true);
            stopper.start();
            r = execute(run, t, monitor, quiet());
        } finally {
            server.slowWrites(-1);
            stopper.join(10_000);
        }
        assertThat(stoppedAt[0]).as("the upload was seen").isPositive();
        assertThat(System.nanoTime() - stoppedAt[0]).as("stopped promptly, not after the upload")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(r.status()).isEqualTo("cancelled");
        List<Envelope> events = EventLog.read(runDir(r).resolve("events.jsonl"));
        assertThat(events).last().extracting(e -> ((RunFinished) e.event()).status()).isEqualTo("cancelled");
        assertThat(names(remote.resolve("jars"))).as("no jar and no partial upload left").isEmpty();
        assertThat(remote.resolve("runs")).as("no worker was started").doesNotExist();
    }

    @Test
    void runsStartedTogetherUploadTheJarOnceAndAbandonedPartialUploadsAreRemoved() throws Exception {
        Path remote = tmp.resolve("remote-together");
        String jarName = org.da3.workbench.run.WorkerJar.current().sha256() + ".jar";
        Path jars = Files.createDirectories(remote.resolve("jars"));
        // left by a session whose connection was lost mid-upload an hour ago, and one being written now
        Path abandoned = Files.writeString(jars.resolve(jarName + ".part-abandoned"), "half a jar");
        Files.setLastModifiedTime(abandoned, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1)));
        Path current = Files.writeString(jars.resolve(jarName + ".part-current"), "being written");
        TargetSpec spec = server.target("together", remote.toString(), server.clientKeyFile(), server.knownHostsFile(),
                Map.of(), List.of(), fakeJava(tmp.resolve("bin-together")).toString());
        PlannedRun run = plan("together", null);
        List<RunRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        server.slowWrites(3_000_000); // the uploads overlap
        try (SshTarget t = new SshTarget(spec)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread th = new Thread(() -> {
                    try {
                        records.add(execute(run, t, new RunMonitor(), quiet()));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join(60_000);
            }
        } finally {
            server.slowWrites(-1);
        }
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.status()).isEqualTo("completed"));
        long uploads = 0;
        for (RunRecord r : records) {
            if (Files.readString(runDir(r).resolve("worker.log")).contains("uploaded the worker jar")) {
                uploads++;
            }
        }
        assertThat(uploads).as("the jar was uploaded once").isEqualTo(1);
        assertThat(names(jars)).containsExactlyInAnyOrder(jarName, jarName + ".part-current");
        assertThat(current).hasContent("being written");
    }

    /** A stand-in for java that records its arguments and environment and reports a finished run. */
    private static Path fakeJava(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("java");
        Files.writeString(f, "#!/bin/sh\n"
                + "if [ \"$1\" = -version ]; then echo 'openjdk version \"17.0.15\" 2025-04-15' >&2; exit 0; fi\n"
                + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > args.txt\n"
                + "printf '%s' \"$INJ_A\" > env-a.txt\n"
                + "printf '%s' \"$INJ_B\" > env-b.txt\n"
                + "printf '%s' \"$INJ_C\" > env-c.txt\n"
                + "echo '{\"schema\":1,\"run\":\"fake\",\"seq\":0,\"time\":\"2025-01-01T00:00:00Z\",\"type\":\"warning\","
                + "\"message\":\"fake worker\"}'\n"
                + "echo '{\"schema\":1,\"run\":\"fake\",\"seq\":1,\"time\":\"2025-01-01T00:00:00Z\",\"type\":\"run_finished\","
                + "\"status\":\"completed\",\"seconds\":0.1,\"summary\":{}}'\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    private static Path javaScript(Path dir, String name, String body) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    @Test
    void anOldOrMissingJavaOnTheMachineIsNamedBeforeAnythingIsUploaded() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin-java8"));
        Path java8 = bin.resolve("java");
        Files.writeString(java8, "#!/bin/sh\n"
                + "if [ \"$1\" = -version ]; then echo 'java version \"1.8.0_392\"' >&2; exit 0; fi\n"
                + "echo 'Error: java.lang.UnsupportedClassVersionError: class file version 61.0' >&2\nexit 1\n");
        Files.setPosixFilePermissions(java8, PosixFilePermissions.fromString("rwx------"));
        Path remote = tmp.resolve("remote-java8");
        String msg = failedStart(server.target("java8", remote.toString(), server.clientKeyFile(),
                server.knownHostsFile(), Map.of(), List.of(), java8.toString()));
        assertThat(msg).contains("java '" + java8 + "' on the machine is Java 8 (java version \"1.8.0_392\")")
                .contains("the worker needs Java 17 or later").contains("set java:");
        assertThat(remote.resolve("jars")).as("no jar uploaded to a machine that cannot run it").doesNotExist();

        Path none = tmp.resolve("no-such-jdk/bin/java");
        msg = failedStart(server.target("nojava", remote.toString(), server.clientKeyFile(), server.knownHostsFile(),
                Map.of(), List.of(), none.toString()));
        assertThat(msg).contains("java '" + none + "' cannot be run on the machine").contains("openjdk-17");

        // a java that fails, prints no version, or hangs, is named too, before any upload
        Path failing = javaScript(bin, "java-fails", "echo 'Error: Could not create the Java Virtual Machine.' >&2\n"
                + "echo 'Error: A fatal exception has occurred. Program will exit.' >&2\nexit 1\n");
        msg = failedStart(server.target("javafails", remote.toString(), server.clientKeyFile(),
                server.knownHostsFile(), Map.of(), List.of(), failing.toString()));
        assertThat(msg).contains(failing + " -version failed on the machine (exit status 1; it printed: Error: Could"
                + " not create the Java Virtual Machine. | Error: A fatal exception");
        Path junk = javaScript(bin, "java-junk", "echo 'Welcome to the lab machine'\n");
        msg = failedStart(server.target("javajunk", remote.toString(), server.clientKeyFile(),
                server.knownHostsFile(), Map.of(), List.of(), junk.toString()));
        assertThat(msg).contains("java '" + junk + "' on the machine did not say which version it is; it printed:"
                + " Welcome to the lab machine").contains("the worker needs Java 17 or later");
        Path hangs = javaScript(bin, "java-hangs", "sleep 20\n");
        long t0 = System.nanoTime();
        try (SshTarget t = new SshTarget(server.target("javahangs", remote.toString(), server.clientKeyFile(),
                server.knownHostsFile(), Map.of(), List.of(), hangs.toString()))) {
            t.javaCheckTimeout(java.time.Duration.ofSeconds(2));
            assertThatThrownBy(t::checkWithJava).isInstanceOf(RemoteJavaException.class)
                    .hasMessageContaining(hangs + " -version did not finish within 2 s on the machine; it printed"
                            + " nothing");
        }
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
        // and it does not stay behind on the machine: killed there once its own limit (2 s more) passed
        for (int i = 0; i < 100 && running(hangs); i++) {
            Thread.sleep(100);
        }
        assertThat(running(hangs)).as("the hanging java is killed on the machine").isFalse();
        // a login script's greeting before the version is not taken for it
        Path greets = javaScript(bin, "java-greets", "echo 'Welcome'\necho 'openjdk version \"17.0.15\"' >&2\n");
        try (SshTarget t = new SshTarget(server.target("javagreets", remote.toString(), server.clientKeyFile(),
                server.knownHostsFile(), Map.of(), List.of(), greets.toString()))) {
            assertThat(t.checkWithJava()).endsWith(": openjdk version \"17.0.15\"");
        }
        assertThat(remote.resolve("jars")).as("nothing uploaded").doesNotExist();
        assertThat(SshTarget.javaMajor("openjdk version \"21.0.2\" 2024-01-16")).isEqualTo(21);
        assertThat(SshTarget.javaMajor("openjdk version \"17\" 2021-09-14")).isEqualTo(17);
        assertThat(SshTarget.javaMajor("Picked up JAVA_TOOL_OPTIONS\njava version \"1.8.0_392\"")).isEqualTo(8);
    }

    @Test
    void namesAndPathsCannotInjectShellCommands() throws Exception {
        Path canary = tmp.resolve("canary");
        Files.createDirectories(canary);
        String c = canary.toString();
        String remote = tmp.resolve("remote-inj") + "/x'; touch " + c + "/dir1 #/y $(touch " + c + "/dir2) `touch "
                + c + "/dir3`";
        Path java = fakeJava(Path.of(tmp + "/bin $(touch " + c + "/java1)';touch " + c + "/java2;'"));
        Map<String, String> env = Map.of("INJ_A", "$(touch " + c + "/env1)", "INJ_B", "'; touch " + c + "/env2 #",
                "INJ_C", "`touch " + c + "/env3`\nline two");
        List<String> flags = List.of("-Dx=$(touch " + c + "/flag1)", "-Dy=';touch " + c + "/flag2;'", "-Dz=a b");
        TargetSpec spec = server.target("inject", remote, server.clientKeyFile(), server.knownHostsFile(), env, flags,
                java.toString());
        PlannedRun run = plan("inject", null);
        String evilId = "run'; touch " + c + "/id1 #$(touch " + c + "/id2)";
        RunDirectory created = RunDirectory.create(ws, run.spec());
        RunDirectory dir = new RunDirectory(created.dir(), evilId);
        RunRecord r;
        try (SshTarget t = new SshTarget(spec)) {
            r = new ExperimentRunner(ws).execute(run, dir, t, new RunMonitor(), quiet());
            // a second run with the same jar does not upload it again
            RunDirectory second = RunDirectory.create(ws, run.spec());
            new ExperimentRunner(ws).execute(run, second, t, new RunMonitor(), quiet());
            assertThat(Files.readString(second.workerLog())).contains("the worker jar is already on the machine");
        }
        assertThat(r.status()).as(r.error()).isEqualTo("completed");
        try (Stream<Path> s = Files.list(canary)) {
            assertThat(s.toList()).as("files made by injected commands").isEmpty();
        }
        // the worker got every value literally (collect() copied its notes back)
        String jar = Files.list(Path.of(remote, "jars")).findFirst().orElseThrow().toString();
        List<String> expected = new ArrayList<>(org.da3.workbench.run.LocalTarget.DEFAULT_JVM_FLAGS);
        expected.addAll(flags);
        expected.addAll(List.of("-Dai.djl.offline=true", "-Djava.awt.headless=true", "-jar", jar, "worker",
                "--request", "request.json"));
        assertThat(Files.readAllLines(created.dir().resolve("args.txt"))).isEqualTo(expected);
        assertThat(Files.readString(created.dir().resolve("env-a.txt"))).isEqualTo(env.get("INJ_A"));
        assertThat(Files.readString(created.dir().resolve("env-b.txt"))).isEqualTo(env.get("INJ_B"));
        assertThat(Files.readString(created.dir().resolve("env-c.txt"))).isEqualTo(env.get("INJ_C"));
        String runRemote = remote + "/runs/" + RunDirectory.safe(evilId);
        assertThat(Files.readString(Path.of(runRemote, "request.json"), StandardCharsets.UTF_8))
                .contains("\"run_id\":\"run'; touch ");
        assertThat(server.commands()).contains("/bin/sh " + Shell.quote(runRemote + "/run.sh"));
        try (Stream<Path> jars = Files.list(Path.of(remote, "jars"))) {
            assertThat(jars.count()).isEqualTo(1);
        }
    }

    @Test
    void hashedKnownHostsEntriesAndHomeRelativeFoldersWork() throws Exception {
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(("[127.0.0.1]:" + server.port()).getBytes(StandardCharsets.UTF_8));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String line = server.knownHostsLine(server.hostKey());
        Path kh = tmp.resolve("known_hosts_hashed");
        Files.writeString(kh, "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash)
                + line.substring(line.indexOf(' ')) + "\n");
        TargetSpec spec = server.target("hashed", "~/da3-home-test", server.clientKeyFile(), kh, Map.of(), List.of(),
                "java");
        try (SshTarget t = new SshTarget(spec)) {
            String resolved = t.check();
            assertThat(resolved).startsWith("/").endsWith("/da3-home-test").doesNotContain("~");
            assertThat(Path.of(resolved)).doesNotExist(); // checking creates nothing
        }
    }

    /**
     * A file named by its hash on the machine that changed after it was hashed (weights pretrained
     * again during an upload) is not left under the old hash's name, which later runs would trust.
     */
    @Test
    void aFileThatChangedSinceItWasHashedIsNotKeptUnderThatHash() throws Exception {
        Path file = Files.writeString(tmp.resolve("changing.safetensors"), "the weights as they are now");
        String now = org.da3.workbench.run.WorkerJar.sha256(file);
        String before = "0".repeat(64);
        Path remote = tmp.resolve("remote-changing");
        try (SshTarget t = new SshTarget(server.target("test", remote))) {
            SshConnection c = t.connection();
            String named = c.remoteDir() + "/weights/" + before + ".safetensors";
            assertThatThrownBy(() -> c.uploadIfAbsent(file, named, before)).isInstanceOf(IOException.class)
                    .hasMessageContaining(file + " changed while it was being uploaded to ")
                    .hasMessageContaining("(SHA-256 " + before + " when the upload began, " + now + " for the bytes sent)")
                    .hasMessageContaining("start the run again once the file no longer changes");
            try (Stream<Path> left = Files.list(remote.resolve("weights"))) {
                assertThat(left).as("nothing kept, not even the partial file").isEmpty();
            }
            assertThat(c.uploadIfAbsent(file, c.remoteDir() + "/weights/" + now + ".safetensors", now)).isTrue();
            assertThat(remote.resolve("weights/" + now + ".safetensors")).hasSameBinaryContentAs(file);
        }
    }

    @Test
    void weightsAreUploadedOnceByHashAndTheRequestPointsAtThem() throws Exception {
        Path weights = ws.pretrainedDir().resolve("fake-backbone.safetensors");
        Files.write(weights, "not really weights".getBytes(StandardCharsets.UTF_8));
        Path specFile = ws.experimentsDir().resolve("weighted.yaml");
        Files.writeString(specFile, TestWorkspace.tinySpec("weighted", "linear", "tiny-shapes")
                .replace("backbone: {name: resnet26, width: 8}",
                        "backbone: {name: resnet26, width: 8, weights: pretrained/fake-backbone.safetensors}"));
        PlannedRun run = ExperimentRunner.plan(new SpecLoader(ws.datasets().names()).load(specFile)).get(0);
        Path remote = tmp.resolve("remote-weights");
        Path java = fakeJava(tmp.resolve("bin-weights"));
        TargetSpec spec = server.target("weights", remote.toString(), server.clientKeyFile(), server.knownHostsFile(),
                Map.of(), List.of(), java.toString());
        List<RunRecord> records = new ArrayList<>();
        try (SshTarget t = new SshTarget(spec)) {
            records.add(execute(run, t, new RunMonitor(), quiet()));
            records.add(execute(run, t, new RunMonitor(), quiet()));
        }
        String sha = org.da3.workbench.run.WorkerJar.sha256(weights);
        Path up = remote.resolve("weights").resolve(sha + ".safetensors");
        assertThat(up).hasSameBinaryContentAs(weights);
        try (Stream<Path> s = Files.list(remote.resolve("weights"))) {
            assertThat(s.count()).isEqualTo(1);
        }
        for (RunRecord r : records) {
            assertThat(r.status()).isEqualTo("completed");
            Path request = remote.resolve("runs").resolve(r.runId()).resolve("request.json");
            assertThat(Files.readString(request)).contains("\"weights\":\"" + up + "\"");
        }
        assertThat(Files.readString(ws.runsDir("weighted").resolve(records.get(0).runId()).resolve("worker.log")))
                .contains("uploaded the weights fake-backbone.safetensors");
        assertThat(Files.readString(ws.runsDir("weighted").resolve(records.get(1).runId()).resolve("worker.log")))
                .doesNotContain("uploaded the weights");
    }

    @Test
    void logsInWithAKeyHeldByTheSshAgent() throws Exception {
        Path agentBin = Path.of("/usr/bin/ssh-agent");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(agentBin)
                && Files.isExecutable(Path.of("/usr/bin/ssh-add")), "ssh-agent is not installed");
        Path sock = tmp.resolve("agent.sock");
        Process agent = new ProcessBuilder(agentBin.toString(), "-D", "-a", sock.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 50 && !Files.exists(sock); i++) {
                Thread.sleep(50);
            }
            ProcessBuilder add = new ProcessBuilder("/usr/bin/ssh-add", server.clientKeyFile().toString())
                    .redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", sock.toString());
            Process p = add.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            Path noKey = tmp.resolve("no-such-key");
            TargetSpec base = server.target("agent", tmp.resolve("remote-agent"));
            TargetSpec viaAgent = new TargetSpec("agent", TargetSpec.LINUX, base.host(), base.port(), base.user(),
                    null, true, sock.toString(), base.knownHosts(), base.remoteDir(), null, Map.of(), List.of(), 1,
                    null);
            assertThat(noKey).doesNotExist();
            try (SshTarget t = new SshTarget(viaAgent)) {
                assertThat(t.check()).isEqualTo(tmp.resolve("remote-agent").toString());
            }
            // identity_file names a key with a passphrase, loaded into the agent as the docs and the
            // error say: the agent's copy is used
            Path encrypted = tmp.resolve("encrypted_key");
            org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext enc =
                    new org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext();
            enc.setPassword("secret");
            enc.setCipherName("AES");
            enc.setCipherType("256");
            try (java.io.OutputStream w = Files.newOutputStream(encrypted)) {
                org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter.INSTANCE
                        .writePrivateKey(server.clientKey(), "da3-test", enc, w);
            }
            TargetSpec passphraseFile = new TargetSpec("agent", TargetSpec.LINUX, base.host(), base.port(), base.user(),
                    encrypted.toString(), true, sock.toString(), base.knownHosts(), base.remoteDir(), null, Map.of(),
                    List.of(), 1, null);
            try (SshTarget t = new SshTarget(passphraseFile)) {
                assertThat(t.check()).isEqualTo(tmp.resolve("remote-agent").toString());
            }
        } finally {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
