package org.da3.workbench.run.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.sftp.client.SftpClient;
import org.da3.workbench.run.RemoteRun;
import org.da3.workbench.run.ResumeFrom;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.RunHandle;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.WorkerJar;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.spec.TargetSpec;

/**
 * Runs workers on a remote Linux machine or Jetson over SSH (Apache MINA SSHD).
 *
 * <p>Remote layout under the target's {@code remote_dir}:
 *
 * <ul>
 *   <li>{@code jars/<sha256>.jar}: worker jars, uploaded once per version;
 *   <li>{@code weights/<sha256>.<ext>}: backbone weights, uploaded once per content;
 *   <li>{@code runs/<run id>/}: {@code request.json}, {@code run.sh}, {@code stop.sh}, {@code
 *       worker.pid} (while running), {@code worker.stopping} (once stop.sh ran), {@code worker.exit}, the worker's own copy of its events
 *       ({@code events.jsonl}), and its {@code patches/}, which {@link #collect} copies back over
 *       SFTP, with the events that never reached the workbench.
 * </ul>
 *
 * <p>One SSH session per target, opened on the first launch and reopened when lost; each run uses
 * its own exec channel. Once per session, before any upload, the machine's java is checked
 * ({@link #checkJava}). A Jetson target asks the worker for tegrastats samples.
 */
public final class SshTarget implements Target {
    /** Names in a remote run folder that are not copied back. */
    static final Set<String> NOT_COLLECTED = Set.of(RemoteScripts.REQUEST, RemoteScripts.RUN, RemoteScripts.STOP,
            RemoteScripts.PID, RemoteScripts.EXIT, RemoteScripts.HEARTBEAT, RemoteScripts.STOPPING, "spec.yaml", RemoteScripts.EVENTS, "manifest.json",
            "results.csv", RemoteScripts.LOG);

    /** Time allowed for {@code java -version} on the machine (a JVM starts slowly on a small board). */
    static final Duration JAVA_CHECK_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How long collecting a run whose worker still runs waits for the machine to start stopping it
     * (its lifeline reacts to a connection its sshd saw close), before it stops the worker itself.
     */
    static final Duration NOTICE_WAIT = Duration.ofSeconds(3);

    /** Local run directories whose files are being copied back in this process. */
    private static final Set<Path> COLLECTING = ConcurrentHashMap.newKeySet();

    private final TargetSpec spec;
    private final Map<String, String> runDirs = new ConcurrentHashMap<>();
    private SshConnection connection;
    private volatile SshConnection javaChecked;
    private Duration javaCheckTimeout = JAVA_CHECK_TIMEOUT;
    private volatile Duration heartbeatPeriod = Duration.ofSeconds(RemoteScripts.HEARTBEAT_SECONDS);
    private volatile int silenceSeconds = RemoteScripts.SILENCE_SECONDS;

    /**
     * A target for a spec of kind linux or jetson.
     *
     * @param spec the target
     */
    public SshTarget(TargetSpec spec) {
        if (spec.isLocal()) {
            throw new IllegalArgumentException("target " + spec.name() + " is local, not ssh");
        }
        this.spec = spec;
    }

    /** @return the target's spec */
    public TargetSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String describe() {
        return spec.name() + " (ssh " + spec.address() + (spec.isJetson() ? ", jetson" : "") + ")";
    }

    @Override
    public int maxConcurrentRuns() {
        return spec.concurrentRuns();
    }

    /**
     * The session, opened or reopened as needed.
     *
     * @return the connection
     * @throws IOException if it cannot be opened
     */
    synchronized SshConnection connection() throws IOException {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) {
                connection.close();
            }
            connection = null;
            connection = SshConnection.open(spec);
        }
        return connection;
    }

    /**
     * Checks that the target can be reached and logged into, without running anything.
     *
     * @return the absolute remote folder
     * @throws IOException with the reason
     */
    public String check() throws IOException {
        return connection().remoteDir();
    }

    /**
     * {@link #check()}, that SFTP works, and that the machine's java can run the worker ({@code java -version} with
     * the target's environment, the one command it runs); nothing is uploaded.
     *
     * @return the absolute remote folder and the java that answered, in one line
     * @throws RemoteJavaException if it answered but its java is missing or too old
     * @throws IOException if it cannot be reached or logged into
     */
    public String checkWithJava() throws IOException {
        SshConnection c = connection();
        try (SftpClient sftp = c.sftp()) {
            // every run needs it; with an absolute remote_dir nothing above has used it yet
            SshConnection.stat(sftp, c.remoteDir());
        }
        String java = checkJava(c);
        javaChecked = c;
        return "remote folder " + c.remoteDir() + "; " + java;
    }

    @Override
    public RunHandle launch(WorkerRequest request, RunDirectory dir) throws IOException {
        note(dir, "connecting to " + describe());
        SshConnection c = connection();
        if (javaChecked != c) {
            // before a 180 MB upload to a machine that cannot run the worker
            note(dir, checkJava(c));
            javaChecked = c;
        }
        WorkerJar jar = WorkerJar.current();
        String jarRemote = c.remoteDir() + "/jars/" + jar.sha256() + ".jar";
        if (c.uploadIfAbsent(jar.path(), jarRemote, jar.sha256())) {
            note(dir, "uploaded the worker jar " + jar.path().getFileName() + " (" + mb(jar.path()) + ") to "
                    + jarRemote + (jar.development() ? " (development jar: valid on this machine only)" : ""));
        } else {
            note(dir, "the worker jar is already on the machine: " + jarRemote);
        }
        String weights = null;
        if (request.weights() != null) {
            Path w = Path.of(request.weights());
            if (!Files.isRegularFile(w)) {
                throw new IOException("the backbone weights " + w + " do not exist");
            }
            String sha = WorkerJar.sha256(w);
            weights = c.remoteDir() + "/weights/" + sha + extension(w);
            if (c.uploadIfAbsent(w, weights, sha)) {
                note(dir, "uploaded the weights " + w.getFileName() + " (" + mb(w) + ") to " + weights);
            }
        }
        String runDir = c.remoteDir() + "/runs/" + RunDirectory.safe(request.runId());
        List<String> probes = new ArrayList<>(request.probes());
        if (spec.isJetson() && !probes.contains("tegrastats")) {
            probes.add("tegrastats");
        }
        WorkerRequest remote = request.relocated(weights, runDir).withProbes(probes)
                .withEventsFile(runDir + "/" + RemoteScripts.EVENTS);
        RemoteScripts.Launch launch = new RemoteScripts.Launch(request.runId(), runDir, spec.javaExecutable(),
                spec.jvmFlags(), jarRemote, spec.environment(), request.allocatorEnvironment());
        try (SftpClient sftp = c.sftp()) {
            SshConnection.mkdirs(sftp, runDir + "/patches");
        }
        // where the run's files stay until they are copied back (da3 targets collect reads it)
        new RemoteRun(spec.name(), spec.address(), runDir, false).write(dir);
        if (request.resume() != null) {
            // the patches a resumed run takes over sit in the local run folder: the worker reads them there
            for (String domain : request.resume().patches().keySet()) {
                Path p = dir.patchFile(domain);
                String sha = request.resume().patches().get(domain);
                c.uploadIfAbsent(p, runDir + "/patches/" + p.getFileName(), sha);
            }
            note(dir, "uploaded the " + request.resume().patches().size() + " patch(es) reused from run "
                    + request.resume().run());
            ResumeFrom.Checkpoint cp = request.resume().checkpoint();
            if (cp != null) {
                // and the epoch checkpoint the domain it stopped in continues from
                Path p = dir.checkpointFile(cp.domain());
                try (SftpClient sftp = c.sftp()) {
                    SshConnection.mkdirs(sftp, runDir + "/checkpoints");
                }
                c.uploadIfAbsent(p, runDir + "/checkpoints/" + p.getFileName(), cp.sha256());
                note(dir, "uploaded the epoch " + cp.epoch() + " checkpoint of " + cp.domain() + " (" + mb(p)
                        + ") from run " + request.resume().run());
            }
        }
        c.write(runDir + "/" + RemoteScripts.REQUEST, EventCodec.JSON.writeValueAsBytes(remote));
        c.write(runDir + "/" + RemoteScripts.STOP, RemoteScripts.stop(runDir));
        c.write(runDir + "/" + RemoteScripts.RUN, RemoteScripts.run(launch, silenceSeconds));
        ChannelExec ch = c.exec(RemoteScripts.command(runDir, RemoteScripts.RUN));
        runDirs.put(request.runId(), runDir);
        note(dir, "started " + RemoteScripts.RUN + " in " + runDir);
        return new SshRunHandle(c, ch, runDir, heartbeatPeriod);
    }

    @Override
    public void collect(WorkerRequest request, RunDirectory dir) throws IOException {
        String runDir = runDirs.remove(request.runId());
        collect(runDir, dir);
    }

    /**
     * Copies a run's files and missing events back later, for example when the machine did not
     * answer right after the run ({@code da3 targets collect}): from the remote folder its {@code
     * remote.json} names. The worker is stopped first if it still runs there.
     *
     * @param dir the local run directory
     * @return what came back, in one line
     * @throws IOException if the machine cannot be reached, or the run's remote.json cannot be read
     */
    public String collect(RunDirectory dir) throws IOException {
        RemoteRun r = RemoteRun.read(dir);
        if (r == null) {
            throw new IOException(dir.dir() + " has no " + RemoteRun.FILE + ": it is not a run that ran on another"
                    + " machine (or it was started by a workbench older than 2026-12-08); its files are all here");
        }
        return collect(r.remoteRunDir(), dir);
    }

    private String collect(String knownRunDir, RunDirectory dir) throws IOException {
        if (!COLLECTING.add(dir.dir())) {
            // a resume and the run's own end, or two commands: one copy at a time, or events would be appended twice
            throw new IOException("the files of " + dir.dir() + " are being copied back already; try again when that"
                    + " is done");
        }
        try {
            return collectNow(knownRunDir, dir);
        } finally {
            COLLECTING.remove(dir.dir());
        }
    }

    private String collectNow(String knownRunDir, RunDirectory dir) throws IOException {
        String runDir = knownRunDir;
        try {
            SshConnection c = connection();
            if (runDir == null) {
                RemoteRun r = RemoteRun.read(dir);
                runDir = r != null ? r.remoteRunDir() : c.remoteDir() + "/runs/" + RunDirectory.safe(dir.runId());
            }
            stopIfStillRunning(c, runDir, dir);
            int n = c.download(runDir, dir.dir(), NOT_COLLECTED);
            appendRemoteLog(c, runDir, dir);
            int events = recoverEvents(c, runDir, dir);
            note(dir, "copied " + n + " file(s) back from " + runDir);
            RemoteRun r = RemoteRun.read(dir);
            if (r != null && !r.collected()) {
                r.markCollected().write(dir);
            }
            return "copied " + n + " file(s)" + (events > 0 ? " and " + events + " event(s) that had not come through"
                    : "") + " back from " + spec.address() + ":" + runDir;
        } catch (IOException e) {
            // after a lost connection that cannot be made again: what the worker wrote stays there
            String where = runDir != null ? runDir : "runs/" + RunDirectory.safe(dir.runId()) + " of remote_dir "
                    + spec.remoteDir();
            String from = spec.user() + "@" + (spec.host().contains(":") ? "[" + spec.host() + "]" : spec.host()) + ":"
                    + where;
            String m = "the run's patches, epoch checkpoint and events were not copied back and stay on the machine,"
                    + " in " + where + " (" + e.getMessage() + "). Once it answers, run 'da3 targets collect "
                    + dir.dir() + "' (or copy the files here: scp -r -P " + spec.port() + " '" + from + "/patches' '"
                    + from + "/checkpoints' '" + dir.dir() + "/') before da3 run --resume, or their domains train"
                    + " again";
            note(dir, m);
            throw new IOException(m, e);
        }
    }

    /**
     * Stops a worker that is still running when its run is collected. That happens after a lost
     * connection that the machine did not notice (the network or the laptop dropped it without a
     * word, so the machine's sshd keeps the session and the wrapper's lifeline never fires): the
     * worker would train on unobserved, rewriting the files being copied back, and hold the
     * machine's memory while the next run (or {@code --resume}) starts. The wrapper writes {@code
     * worker.exit} before its exit status reaches this side, so a {@code worker.pid} without it
     * means the worker is still there. When the machine did notice (sshd closed the wrapper's
     * stdin, and its lifeline runs {@code stop.sh}), the run is collected right after the loss,
     * while the lifeline is starting to stop the worker or the worker is shutting down: {@code
     * worker.stopping} (made by stop.sh) says so, and is waited for up to {@link #NOTICE_WAIT};
     * {@code stop.sh} then only waits for the worker to end (killing it after the time allowed).
     */
    private static void stopIfStillRunning(SshConnection c, String runDir, RunDirectory dir) throws IOException {
        boolean running;
        boolean stopping;
        long deadline = System.nanoTime() + NOTICE_WAIT.toNanos();
        try (SftpClient sftp = c.sftp()) {
            while (true) {
                running = SshConnection.stat(sftp, runDir + "/" + RemoteScripts.PID) != null
                        && SshConnection.stat(sftp, runDir + "/" + RemoteScripts.EXIT) == null;
                stopping = running && SshConnection.stat(sftp, runDir + "/" + RemoteScripts.STOPPING) != null;
                if (!running || stopping || System.nanoTime() > deadline) {
                    break;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (running) {
            int status = c.run(RemoteScripts.command(runDir, RemoteScripts.STOP),
                    Duration.ofSeconds(RemoteScripts.KILL_AFTER_SECONDS + 30));
            String failed = status == 0 ? "" : " (which did not finish: exit status " + status + ")";
            if (stopping) {
                note(dir, "the worker in " + runDir + " was being stopped on the machine when the run ended here (the"
                        + " machine noticed the lost connection); waited for it to end with " + RemoteScripts.STOP
                        + failed + " before copying its files back");
            } else {
                note(dir, "the worker was still running in " + runDir + " after the run ended here (the connection"
                        + " was lost without the machine noticing); stopped it with " + RemoteScripts.STOP + failed
                        + " before copying its files back");
            }
        }
    }

    /**
     * Appends what the wrapper noted in the remote run folder's worker.log (that its watchdog
     * stopped the worker) to the local worker.log. Nothing is lost if it cannot be read: the file
     * stays on the machine.
     */
    private static void appendRemoteLog(SshConnection c, String runDir, RunDirectory dir) {
        String remoteLog = runDir + "/" + RemoteScripts.LOG;
        try (SftpClient sftp = c.sftp()) {
            if (SshConnection.stat(sftp, remoteLog) == null) {
                return;
            }
            byte[] text;
            try (java.io.InputStream in = sftp.read(remoteLog)) {
                text = in.readNBytes(1 << 20);
            }
            if (text.length > 0) {
                Files.write(dir.workerLog(), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (text[text.length - 1] != '\n') {
                    Files.writeString(dir.workerLog(), "\n", StandardOpenOption.APPEND);
                }
            }
        } catch (IOException e) {
            note(dir, "could not copy the notes of " + remoteLog + " here (" + e.getMessage() + "); they stay there");
        }
    }

    /**
     * Appends to the local events.jsonl the events the worker wrote on the machine that never
     * reached it: those in flight when the connection was lost, and those the worker went on
     * writing until it was stopped (after a drop the machine did not notice, that can be a domain
     * finished, its patch saved, and epoch checkpoints). They follow the monitor's own error and
     * end, after a warning that says where they come from, exactly as the worker wrote them, so
     * {@code --resume} takes over what they record; all but a {@code run_finished} with status
     * cancelled, which the stop that the lost connection caused made the worker write: the run
     * stays failed, with the monitor's error. A worker that completed, or failed on its own, in
     * the meantime says so, and its end is the run's. Lines already here are recognised by their
     * text (events are appended exactly as received). After a run whose events all came through,
     * the two files are the same size and nothing is read. Nothing is lost if the copy cannot be
     * read: it stays on the machine.
     *
     * @return how many events were appended
     */
    static int recoverEvents(SshConnection c, String runDir, RunDirectory dir) {
        String remote = runDir + "/" + RemoteScripts.EVENTS;
        Path local = dir.eventsFile();
        try (SftpClient sftp = c.sftp()) {
            SftpClient.Attributes a = SshConnection.stat(sftp, remote);
            if (a == null) {
                return 0; // a worker that does not keep a copy (another jar, -Dda3.workerJar)
            }
            byte[] here = Files.isRegularFile(local) ? Files.readAllBytes(local) : new byte[0];
            if (a.getSize() == here.length) {
                return 0;
            }
            Set<String> received = new java.util.HashSet<>(new String(here, StandardCharsets.UTF_8).lines().toList());
            long seq = -1;
            for (String line : received) {
                org.da3.workbench.run.event.Envelope e = event(line);
                seq = Math.max(seq, e == null ? -1 : e.seq());
            }
            List<String> missing = new ArrayList<>();
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(sftp.read(remote),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank() || received.contains(line)) {
                        continue;
                    }
                    org.da3.workbench.run.event.Envelope e = event(line);
                    // a last line cut off by a kill does not decode; the cancelled end is the stop
                    // that the lost connection caused, which the monitor's failed end records
                    if (e != null && !(e.event() instanceof org.da3.workbench.run.event.RunFinished f
                            && org.da3.workbench.run.event.RunFinished.CANCELLED.equals(f.status()))) {
                        missing.add(line);
                    }
                }
            }
            if (missing.isEmpty()) {
                return 0;
            }
            String m = "the connection was lost before the last " + missing.size() + " event(s) of the worker reached"
                    + " the workbench; the worker also wrote them on the machine, in " + remote
                    + ", and they follow, copied back";
            try (org.da3.workbench.run.EventLog log = new org.da3.workbench.run.EventLog(local)) {
                log.append(new org.da3.workbench.run.event.Envelope(org.da3.workbench.run.event.Envelope.SCHEMA,
                        dir.runId(), seq + 1, Instant.now(), new org.da3.workbench.run.event.Warning(m)));
                for (String line : missing) {
                    log.appendLine(line);
                }
            }
            note(dir, "copied back " + missing.size() + " event(s) from " + remote + " that the lost connection had"
                    + " kept from the workbench");
            return missing.size();
        } catch (IOException e) {
            note(dir, "could not compare " + remote + " with the events received (" + e.getMessage() + "); events"
                    + " the lost connection kept from the workbench, if any, stay there");
            return 0;
        }
    }

    /** The event of a line, or null if the line is not one. */
    private static org.da3.workbench.run.event.Envelope event(String line) {
        try {
            return org.da3.workbench.run.event.EventCodec.decode(line);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Sets the pace of the heartbeat and the silence after which the machine stops the worker
     * (tests; {@link RemoteScripts#HEARTBEAT_SECONDS} and {@link RemoteScripts#SILENCE_SECONDS}
     * otherwise). Applies to the runs launched after it.
     *
     * @param heartbeat time between heartbeats
     * @param silenceSeconds seconds without one after which the wrapper stops the worker
     */
    void watchdog(Duration heartbeat, int silenceSeconds) {
        this.heartbeatPeriod = heartbeat;
        this.silenceSeconds = silenceSeconds;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /**
     * Sets the time allowed for {@code java -version} (tests).
     *
     * @param timeout the time
     */
    void javaCheckTimeout(Duration timeout) {
        this.javaCheckTimeout = timeout;
    }

    /**
     * Checks that the machine's java runs and is version 17 or later, with the target's
     * environment (its PATH, JAVA_HOME, ...), as the worker will be started.
     *
     * @param c the connection
     * @return what answered, for worker.log
     * @throws RemoteJavaException naming the java and what to do if it is missing or too old
     * @throws IOException if the connection fails
     */
    String checkJava(SshConnection c) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("env");
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        cmd.add(spec.javaExecutable());
        cmd.add("-version");
        SshConnection.Output o = c.output(underTimeout(Shell.join(cmd), javaCheckTimeout.toSeconds() + 2),
                javaCheckTimeout);
        String java = "'" + spec.javaExecutable() + "'";
        String fix = "install Java 17 or later on it (sudo apt install openjdk-17-jre-headless) and set java: (or"
                + " JAVA_HOME in environment:) in the target's entry of experiments/targets.yaml to it";
        if (o.status() == 127 || o.status() == 126) {
            throw new RemoteJavaException(SshConnection.who(spec) + ": java " + java + " cannot be run on the machine ("
                    + firstLine(o.output()) + "); " + fix);
        }
        String tried = spec.javaExecutable() + " -version";
        if (o.status() < 0) {
            // a java that hangs (a wrapper waiting for input, a network mount that does not answer)
            throw new RemoteJavaException(SshConnection.who(spec) + ": " + tried + " did not finish within "
                    + javaCheckTimeout.toSeconds() + " s on the machine" + printed(o.output()) + "; run it there by"
                    + " hand to see why, or set java: in the target's entry of experiments/targets.yaml to another one");
        }
        if (o.status() != 0) {
            throw new RemoteJavaException(SshConnection.who(spec) + ": " + tried + " failed on the machine (exit status "
                    + o.status() + printed(o.output()) + "); the worker cannot start with it."
                    + " Run it there by hand to see why (a JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS it does not accept,"
                    + " too little memory), or " + fix);
        }
        int major = javaMajor(o.output());
        if (major < 0) {
            throw new RemoteJavaException(SshConnection.who(spec) + ": java " + java + " on the machine did not say"
                    + " which version it is" + printed(o.output()) + "; the worker needs Java 17 or later. Check that"
                    + " it is a java (" + tried + " prints 'openjdk version \"17...\"'), or " + fix);
        }
        if (major < 17) {
            throw new RemoteJavaException(SshConnection.who(spec) + ": java " + java + " on the machine is Java " + major
                    + " (" + versionLine(o.output()) + "); the worker needs Java 17 or later: " + fix);
        }
        return "java on the machine: " + java + ": " + versionLine(o.output());
    }

    /**
     * A command line run under {@code timeout} where the machine has one that takes {@code -k}
     * (coreutils', and BusyBox's since it follows coreutils' options): killed (TERM, then KILL two
     * seconds later; coreutils' signals the command's process group, BusyBox's the command) when it
     * runs longer than a limit, so a java that hangs does not stay behind after this side gave up on
     * it. Without such a {@code timeout} (none, or an old BusyBox's, which takes {@code -t}), the
     * command as it is.
     *
     * @param command the command line
     * @param seconds the limit on the machine
     * @return the command line to send
     */
    static String underTimeout(String command, long seconds) {
        return "if timeout -k 1 5 true >/dev/null 2>&1; then timeout -k 2 " + seconds + " " + command + "; else "
                + command + "; fi";
    }

    /** What a command printed, for a message: its first lines, or that it printed nothing. */
    private static String printed(String output) {
        String t = output.strip();
        if (t.isEmpty()) {
            return "; it printed nothing";
        }
        List<String> lines = t.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(3).toList();
        String s = String.join(" | ", lines);
        return "; it printed: " + (s.length() > 300 ? s.substring(0, 300) + "..." : s);
    }

    /** The line of {@code java -version} that gives the version (lines a login script printed skipped). */
    private static String versionLine(String output) {
        return output.lines().filter(l -> l.contains("version \"")).findFirst().map(String::strip)
                .orElse(firstLine(output));
    }

    /**
     * The major version in the output of {@code java -version}.
     *
     * @param versionOutput what it printed, for example {@code openjdk version "17.0.15" ...} or
     *     {@code java version "1.8.0_392"}
     * @return 17, 8, ..., or -1 if it cannot be read
     */
    static int javaMajor(String versionOutput) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version \"(1\\.)?(\\d+)").matcher(versionOutput);
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 ? "" : n.substring(dot).toLowerCase(Locale.ROOT);
        return ext.matches("\\.[a-z0-9]{1,16}") ? ext : ".bin";
    }

    private static String mb(Path p) throws IOException {
        return String.format(Locale.ROOT, "%.1f MB", Files.size(p) / 1e6);
    }

    private static void note(RunDirectory dir, String line) {
        try {
            Files.writeString(dir.workerLog(), "[" + Instant.now() + "] da3: " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a convenience; the run goes on
        }
    }
}
