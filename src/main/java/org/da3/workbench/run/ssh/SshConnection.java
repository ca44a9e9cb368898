package org.da3.workbench.run.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.da3.workbench.spec.TargetSpec;

/**
 * One authenticated SSH session to a target, with the file and command operations the ssh target
 * needs. Authentication is by public key only (a key file and/or the SSH agent); the host key must
 * be in the known_hosts file. Every failure is an {@link IOException} whose message names the
 * target, says what went wrong and how to fix it.
 */
final class SshConnection implements AutoCloseable {
    /** Time allowed for the TCP connection. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** Time allowed for key exchange and authentication. */
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);
    /** A partial upload not written to for this long was abandoned, and the next upload removes it. */
    static final Duration STALE_PART = Duration.ofMinutes(10);
    /** Keep-alive interval; a connection that misses four replies is closed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private static final List<String> DEFAULT_KEYS = List.of("id_ecdsa", "id_rsa", "id_ed25519");

    static {
        // MINA logs refused keys and lost connections itself; the workbench reports them in its own
        // words, so keep MINA to errors unless the user asked for more (slf4j-simple reads this
        // when MINA's loggers are made).
        String key = "org.slf4j.simpleLogger.log.org.apache.sshd";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "error");
        }
    }

    private final TargetSpec spec;
    private final SshClient client;
    private final ClientSession session;
    private final String remoteDir;
    private final String loginGreeting;
    private volatile String lost;
    private final Map<String, ReentrantLock> uploads = new ConcurrentHashMap<>();

    private SshConnection(TargetSpec spec, SshClient client, ClientSession session, String remoteDir,
            String loginGreeting) {
        this.loginGreeting = loginGreeting;
        this.spec = spec;
        this.client = client;
        this.session = session;
        this.remoteDir = remoteDir;
    }

    /** @return the prefix of every message: the target's name and address */
    static String who(TargetSpec spec) {
        return "ssh target '" + spec.name() + "' (" + spec.address() + ")";
    }

    /**
     * Connects, checks the host key and authenticates.
     *
     * @param spec the target
     * @return the connection
     * @throws IOException with a message that names the cause and the fix
     */
    static SshConnection open(TargetSpec spec) throws IOException {
        String who = who(spec);
        Path knownHosts = TargetSpec.localPath(spec.knownHosts());
        List<KeyPair> keys = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        AgentSocket.Factory agent = null;
        if (spec.agent()) {
            String sock = spec.agentSocket() != null ? spec.agentSocket() : System.getenv("SSH_AUTH_SOCK");
            if (sock != null && !sock.isBlank()) {
                agent = new AgentSocket.Factory(TargetSpec.localPath(sock));
            } else {
                notes.add("no SSH agent (SSH_AUTH_SOCK is not set)");
            }
        }
        loadKeys(spec, keys, notes, agent != null);
        if (keys.isEmpty() && agent == null) {
            throw new LoginSetupException(who + ": no key to log in with: " + String.join("; ", notes) + ". Set"
                    + " identity_file in experiments/targets.yaml or load a key into ssh-agent (ssh-add KEY)", null);
        }
        SshClient client = SshClient.setUpDefaultClient();
        KnownHostsCheck hostCheck = new KnownHostsCheck(knownHosts, spec.host(), spec.port());
        client.setServerKeyVerifier(hostCheck);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        if (agent != null) {
            client.setAgentFactory(agent);
        }
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, HEARTBEAT);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 4);
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        client.start();
        ClientSession session = null;
        try {
            try {
                ConnectFuture cf = client.connect(spec.user(), spec.host(), spec.port());
                cf.verify(CONNECT_TIMEOUT);
                session = cf.getSession();
            } catch (IOException | UnresolvedAddressException e) {
                if (closedBeforeHandshake(e)) {
                    // something answered on the port and hung up at once, before any SSH was spoken
                    throw handshakeFailed(who, spec, "the connection was closed before the session started", e);
                }
                throw new IOException(who + ": cannot connect to " + spec.hostAndPort() + ": "
                        + connectReason(e) + ". Check the host and port, that the machine is on and that sshd runs"
                        + " there (try: ssh -p " + spec.port() + " " + spec.user() + "@" + spec.host() + ")", e);
            }
            for (KeyPair kp : keys) {
                session.addPublicKeyIdentity(kp);
            }
            try {
                session.auth().verify(AUTH_TIMEOUT);
            } catch (IOException e) {
                String rejected = hostCheck.rejection();
                if (rejected != null) {
                    throw new IOException(who + ": " + rejected, e);
                }
                if (String.valueOf(e.getMessage()).contains("No more authentication methods")) {
                    List<String> offered = new ArrayList<>();
                    for (KeyPair kp : keys) {
                        offered.add(KeyUtils.getKeyType(kp.getPublic()) + " " + KeyUtils.getFingerPrint(kp.getPublic()));
                    }
                    if (agent != null) {
                        offered.add(agent.problem() != null ? "no agent keys (" + agent.problem() + ")"
                                : "the SSH agent's keys");
                    }
                    throw new IOException(who + ": the server refused to log in user '" + spec.user() + "' with "
                            + String.join(", ", offered) + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")")
                            + ". Add the public key to ~" + spec.user() + "/.ssh/authorized_keys on the machine"
                            + " (ssh-copy-id), or set identity_file to a key it accepts", e);
                }
                IOException unmatched = noCommonAlgorithm(who, spec, knownHosts, message(e), e);
                throw unmatched != null ? unmatched : handshakeFailed(who, spec, message(e), e);
            }
            // asked now: a failed SFTP start may take the session with it
            String greeting = loginOutput(session);
            SshConnection c = new SshConnection(spec, client, session,
                    resolveRemoteDir(session, spec, greeting), greeting);
            session.addSessionListener(c.new LossRecorder());
            return c;
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            client.stop();
            throw e;
        }
    }

    private static String connectReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused (nothing listens on that port)";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host name";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out";
            }
        }
        String m = message(e);
        return m.contains("timeout") || m.contains("Timeout") ? "timed out after " + CONNECT_TIMEOUT.toSeconds() + " s" : m;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Reads the private keys to offer. An identity_file that cannot be read here (a passphrase, an
     * ed25519 key) is no error when an agent is there too: the agent may hold it, as the message
     * for it tells the user to arrange (ssh-add); the reason goes into the notes.
     */
    private static void loadKeys(TargetSpec spec, List<KeyPair> keys, List<String> notes, boolean agent)
            throws IOException {
        if (spec.identityFile() != null) {
            Path p = TargetSpec.localPath(spec.identityFile());
            if (!Files.isRegularFile(p)) {
                throw new LoginSetupException(who(spec) + ": identity_file " + p + (Files.isDirectory(p) ? " is a folder"
                        : " does not exist") + "; give the path of the private key file (for example ~/.ssh/id_ecdsa)",
                        null);
            }
            try {
                keys.addAll(readKey(spec, p));
            } catch (IOException e) {
                if (!agent) {
                    throw new LoginSetupException(who(spec) + ": " + e.getMessage(), e);
                }
                notes.add(e.getMessage());
            }
            return;
        }
        for (String n : DEFAULT_KEYS) {
            Path p = TargetSpec.localPath("~/.ssh/" + n);
            if (Files.isRegularFile(p)) {
                try {
                    keys.addAll(readKey(spec, p));
                } catch (IOException e) {
                    notes.add(e.getMessage());
                }
            }
        }
        if (keys.isEmpty()) {
            notes.add("no usable key in ~/.ssh (" + String.join(", ", DEFAULT_KEYS) + ")");
        }
    }

    private static List<KeyPair> readKey(TargetSpec spec, Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            Iterable<KeyPair> it = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(p.toString()), in,
                    FilePasswordProvider.EMPTY);
            List<KeyPair> out = new ArrayList<>();
            if (it != null) {
                it.forEach(out::add);
            }
            if (out.isEmpty()) {
                throw new IOException("no key found in " + p);
            }
            return out;
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new IOException("the key file " + p + " cannot be used (" + message(e) + "). If it has a"
                    + " passphrase, load it into ssh-agent (ssh-add " + p + "); ed25519 keys need the eddsa"
                    + " library, so prefer ECDSA or RSA keys (ssh-keygen -t ecdsa)", e);
        }
    }

    private static String resolveRemoteDir(ClientSession session, TargetSpec spec, String greeting)
            throws IOException {
        String dir = spec.remoteDir();
        if (dir.startsWith("/")) {
            return trimSlash(dir);
        }
        String home;
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            home = sftp.canonicalPath(".");
        } catch (IOException e) {
            throw new IOException(greeting != null ? sftpBrokenByLogin(spec, greeting, e) : who(spec)
                    + ": cannot use SFTP to find the home folder (" + message(e) + "); the SFTP subsystem must be"
                    + " enabled in sshd, or give remote_dir as an absolute path", e);
        }
        String rest = dir.equals("~") ? "" : dir.startsWith("~/") ? dir.substring(2) : dir;
        return trimSlash(rest.isEmpty() ? home : home.replaceAll("/+$", "") + "/" + rest);
    }

    private static String trimSlash(String p) {
        String s = p.replaceAll("/+$", "");
        return s.isEmpty() ? "/" : s;
    }

    /** @return the target */
    TargetSpec spec() {
        return spec;
    }

    /** @return the absolute remote folder for jars, weights and runs */
    String remoteDir() {
        return remoteDir;
    }

    /** @return whether the session is still up */
    boolean isOpen() {
        return session.isOpen() && !session.isClosing();
    }

    /** @return why the session was lost, or null */
    String lostReason() {
        return lost;
    }

    /**
     * Opens an exec channel running a command line (built with {@link Shell}).
     *
     * @param command the command line
     * @return the open channel; its inverted streams are the command's stdin, stdout and stderr
     * @throws IOException if the channel cannot be opened
     */
    ChannelExec exec(String command) throws IOException {
        ChannelExec ch = session.createExecChannel(command);
        ch.setRedirectErrorStream(false);
        try {
            ch.open().verify(AUTH_TIMEOUT);
        } catch (IOException e) {
            ch.close(true);
            throw new IOException(who(spec) + ": cannot start a remote command: " + message(e), e);
        }
        return ch;
    }

    /**
     * Runs a short command and waits for it.
     *
     * @param command the command line
     * @param timeout how long to wait
     * @return its exit status, or -1 if it did not finish in time
     * @throws IOException if it cannot be started
     */
    int run(String command, Duration timeout) throws IOException {
        ChannelExec ch = exec(command);
        try {
            ch.getInvertedIn().close();
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Integer s = ch.getExitStatus();
            return s == null ? -1 : s;
        } finally {
            ch.close(false);
        }
    }

    /**
     * What a short command printed, and how it ended.
     *
     * @param status its exit status, or -1 if it did not finish in time
     * @param output its stdout and stderr, as text
     */
    record Output(int status, String output) {}

    /**
     * Runs a short command and collects its output (at most 64 kB of it).
     *
     * @param command the command line
     * @param timeout how long to wait
     * @return its status and output
     * @throws IOException if it cannot be started
     */
    Output output(String command, Duration timeout) throws IOException {
        ChannelExec ch = session.createExecChannel(command);
        ch.setRedirectErrorStream(true);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ch.setOut(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                if (out.size() < 65536) {
                    out.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(b, off, Math.max(0, Math.min(len, 65536 - out.size())));
            }
        });
        try {
            ch.open().verify(AUTH_TIMEOUT);
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Integer st = ch.getExitStatus();
            return new Output(st == null ? -1 : st, out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(who(spec) + ": cannot run a command on the machine: " + message(e), e);
        } finally {
            ch.close(false);
        }
    }

    /** @return a new SFTP client on this session */
    SftpClient sftp() throws IOException {
        try {
            return SftpClientFactory.instance().createSftpClient(session);
        } catch (IOException e) {
            String greeting = loginGreeting;
            throw new IOException(greeting != null ? sftpBrokenByLogin(spec, greeting, e) : who(spec)
                    + ": cannot open SFTP (" + message(e) + "); enable the sftp subsystem in the machine's"
                    + " sshd_config", e);
        }
    }

    /**
     * What the user's login shell prints in a non-interactive session before a command's own
     * output (a greeting in ~/.bashrc): OpenSSH starts the SFTP server through that shell too, and
     * the text breaks the SFTP protocol (unless sshd runs internal-sftp). Asked once per
     * connection, for the message of an SFTP failure. Best effort.
     *
     * @return the text, or null if it prints nothing (or that cannot be found out)
     */
    private static String loginOutput(ClientSession session) {
        try (ChannelExec ch = session.createExecChannel("true")) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ch.setOut(out);
            ch.setErr(java.io.OutputStream.nullOutputStream());
            ch.open().verify(AUTH_TIMEOUT);
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
            String text = out.toString(StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : text.length() > 200 ? text.substring(0, 200) + "..." : text;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String sftpBrokenByLogin(TargetSpec spec, String greeting, IOException e) {
        return who(spec) + ": SFTP does not work because the login shell of user '" + spec.user() + "' prints text"
                + " in non-interactive sessions (\"" + greeting.replace("\n", " | ") + "\"), which breaks the SFTP"
                + " protocol (" + message(e) + "). Make the file that prints it (~/.bashrc, ~/.profile, /etc/bash.bashrc)"
                + " print only in interactive shells: put it after the line  case $- in *i*) ;; *) return;; esac"
                + "  (check with: ssh -p " + spec.port() + " " + spec.user() + "@" + spec.host() + " true, which must print"
                + " nothing)";
    }

    /**
     * Makes a remote folder and its parents.
     *
     * @param sftp the SFTP client
     * @param dir the absolute folder
     * @throws IOException on failure
     */
    static void mkdirs(SftpClient sftp, String dir) throws IOException {
        if (dir.isEmpty() || dir.equals("/") || isDirectory(sftp, dir)) {
            return;
        }
        int slash = dir.lastIndexOf('/');
        if (slash > 0) {
            mkdirs(sftp, dir.substring(0, slash));
        }
        try {
            sftp.mkdir(dir);
        } catch (IOException e) {
            SftpClient.Attributes a = stat(sftp, dir);
            if (a == null || !a.isDirectory()) {
                String why = a != null ? "a file of that name is in the way" : message(e);
                throw new IOException("cannot create the remote folder " + dir + ": " + why + "; set the target's"
                        + " remote_dir to a folder its user may create and write", e);
            }
        }
    }

    private static boolean isDirectory(SftpClient sftp, String path) throws IOException {
        SftpClient.Attributes a = stat(sftp, path);
        return a != null && a.isDirectory();
    }

    /**
     * Stats a remote path.
     *
     * @param sftp the SFTP client
     * @param path the path
     * @return its attributes, or null if it does not exist
     * @throws IOException on other errors
     */
    private static final java.util.regex.Pattern UNMATCHED = java.util.regex.Pattern.compile(
            "Unable to negotiate key exchange for (.+?) \\(client: (.*?) / server: (.*?)\\)");

    /**
     * The error for an SSH server that shares no algorithm of some kind with this client, or null
     * when the handshake failed otherwise. The one met in practice: a server that offers only an
     * ed25519 host key, which this client cannot check.
     */
    static IOException noCommonAlgorithm(String who, TargetSpec spec, Path knownHosts, String m, Exception cause) {
        java.util.regex.Matcher x = UNMATCHED.matcher(m);
        if (!x.find()) {
            return null;
        }
        String what = x.group(1);
        String server = x.group(3).replace(",", ", ");
        if (what.contains("host key")) {
            return new IOException(who + ": " + spec.hostAndPort() + " is an SSH server, but it offers only host keys"
                    + " of types the workbench cannot check (" + server + "; it checks ECDSA and RSA host keys"
                    + (server.contains("ed25519") ? ", not ed25519 ones" : "") + "). Give the machine's sshd an"
                    + " ECDSA host key as well: there, sudo ssh-keygen -A makes the default keys it lacks (if"
                    + " sshd_config has HostKey lines, add HostKey /etc/ssh/ssh_host_ecdsa_key), then restart sshd,"
                    + " compare the key's fingerprint (ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub) and add it"
                    + " here: ssh-keyscan -t ecdsa -p " + spec.port() + " " + spec.host() + " >> " + knownHosts, cause);
        }
        return new IOException(who + ": " + spec.hostAndPort() + " is an SSH server, but it and the workbench have no "
                + what + " in common (the server offers " + server + "; the workbench takes "
                + x.group(2).replace(",", ", ") + "). Allow one of the workbench's in the machine's sshd_config"
                + " (KexAlgorithms, Ciphers or MACs) and restart sshd", cause);
    }

    /** The error for a port that accepted the connection but did not complete an SSH handshake. */
    private static IOException handshakeFailed(String who, TargetSpec spec, String m, Exception cause) {
        return new IOException(who + ": " + spec.hostAndPort() + " accepted the connection but the SSH handshake "
                + (m.contains("timeout") ? "did not complete within " + AUTH_TIMEOUT.toSeconds() + " s" : "failed")
                + " (" + m + "). Check that " + spec.port() + " is the port of the machine's SSH server and that"
                + " nothing in between drops the connection (try: ssh -p " + spec.port() + " " + spec.user() + "@"
                + spec.host() + ")", cause);
    }

    /**
     * Whether a failed connect was accepted and then closed before MINA attached a session to it
     * (a server that is not SSH hanging up at once): its connect future then fails with a {@link
     * org.apache.sshd.common.session.helpers.MissingAttachedSessionException}, not a refused
     * connection.
     */
    private static boolean closedBeforeHandshake(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.sshd.common.session.helpers.MissingAttachedSessionException) {
                return true;
            }
        }
        return false;
    }

    static SftpClient.Attributes stat(SftpClient sftp, String path) throws IOException {
        try {
            return sftp.stat(path);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE || e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_PATH) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Uploads a file unless a file of the same name and size is already there. Writes to a
     * temporary name first and renames, so a broken upload never looks complete. One upload of a
     * path at a time on this connection; partial uploads of it that an earlier session abandoned
     * are removed.
     *
     * @param local the local file
     * @param remote the remote path
     * @param sha256 the content's SHA-256 that the remote name stands for (hex), checked against the
     *     bytes sent: a file that changed since it was hashed is not left under that name; null for
     *     a name that does not stand for its content
     * @return true if it was uploaded, false if it was already there
     * @throws IOException on failure
     */
    boolean uploadIfAbsent(Path local, String remote, String sha256) throws IOException {
        // runs started together (concurrent_runs) upload the same jar once: the second waits and finds it there
        ReentrantLock lock = uploads.computeIfAbsent(remote, k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(who(spec) + ": stopped while another run was uploading " + remote);
        }
        try {
            return upload(local, remote, sha256);
        } finally {
            lock.unlock();
        }
    }

    private boolean upload(Path local, String remote, String sha256) throws IOException {
        long size = Files.size(local);
        try (SftpClient sftp = sftp()) {
            SftpClient.Attributes a = stat(sftp, remote);
            if (a != null && a.isRegularFile() && a.getSize() == size) {
                return false;
            }
            String dir = remote.substring(0, remote.lastIndexOf('/'));
            mkdirs(sftp, dir);
            String tmp = remote + ".part-" + UUID.randomUUID();
            String sent;
            try {
                sent = transfer(sftp, local, tmp);
            } catch (IOException e) {
                // a Stop interrupts this thread; the clean-up below must not be interrupted too
                boolean interrupted = Thread.interrupted();
                try {
                    removePartial(tmp);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (interrupted || e instanceof InterruptedIOException) {
                    throw new InterruptedIOException(who(spec) + ": the upload of " + local.getFileName() + " to "
                            + remote + " was stopped; the partial file was removed");
                }
                throw new IOException(who(spec) + ": cannot upload " + local.getFileName() + " ("
                        + String.format(Locale.ROOT, "%.1f MB", size / 1e6) + ") to " + remote + ": " + message(e)
                        + ". Check that the machine's disk has room for it (df -h " + dir + ") and that user '"
                        + spec.user() + "' may write there; the partial file was removed", e);
            }
            if (sha256 != null && !sha256.equalsIgnoreCase(sent)) {
                removePartial(tmp);
                throw new IOException(local + " changed while it was being uploaded to " + who(spec) + " (SHA-256 "
                        + sha256 + " when the upload began, " + sent + " for the bytes sent), so it is not kept under"
                        + " the name " + remote + "; start the run again once the file no longer changes");
            }
            removeStaleParts(sftp, dir, remote.substring(dir.length() + 1), tmp);
            try {
                if (a != null) {
                    sftp.remove(remote);
                }
                sftp.rename(tmp, remote);
            } catch (IOException e) {
                SftpClient.Attributes now = stat(sftp, remote);
                try {
                    sftp.remove(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
                if (now == null || now.getSize() != size) {
                    throw new IOException(who(spec) + ": cannot put " + local.getFileName() + " at " + remote + ": "
                            + message(e), e);
                }
            }
            return true;
        }
    }

    /**
     * Removes the partial uploads of a file that an earlier session abandoned (its connection was
     * lost, or the workbench was killed): {@code NAME.part-*} files not written to for {@link
     * #STALE_PART}. The age is measured against the modification time of the upload just made,
     * so the machine's clock, often wrong on a Jetson, does not matter. Best effort.
     */
    private static void removeStaleParts(SftpClient sftp, String dir, String name, String justMade) {
        try {
            SftpClient.Attributes mine = stat(sftp, justMade);
            if (mine == null || mine.getModifyTime() == null) {
                return;
            }
            long cutoff = mine.getModifyTime().toMillis() - STALE_PART.toMillis();
            for (SftpClient.DirEntry e : sftp.readDir(dir)) {
                String n = e.getFilename();
                String path = dir + "/" + n;
                if (n.startsWith(name + ".part-") && !path.equals(justMade) && e.getAttributes().isRegularFile()
                        && e.getAttributes().getModifyTime() != null
                        && e.getAttributes().getModifyTime().toMillis() < cutoff) {
                    sftp.remove(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            // left for the next upload
        }
    }

    /**
     * Copies a local file to a remote one on a thread of its own, so that an interrupt of the
     * calling thread (a Stop) ends the upload at once: the SFTP channel is closed under the writes
     * still in flight, which would otherwise wait for the machine to acknowledge every one of them.
     *
     * @return the SHA-256 of the bytes sent (hex)
     * @throws InterruptedIOException if the calling thread was interrupted (its flag is set again)
     */
    private static String transfer(SftpClient sftp, Path local, String remote) throws IOException {
        FutureTask<String> task = new FutureTask<>(() -> {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            try (OutputStream out = sftp.write(remote);
                    InputStream in = new java.security.DigestInputStream(Files.newInputStream(local), md)) {
                in.transferTo(out);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        });
        Thread t = new Thread(task, "sftp-upload");
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            try {
                sftp.getClientChannel().close(true);
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException again) {
                // interrupted twice: stop waiting for the upload thread
            } finally {
                Thread.currentThread().interrupt();
            }
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(message(e.getCause()), e.getCause());
        }
    }

    /**
     * Removes a partial upload, on a fresh SFTP channel (the one that failed may be unusable).
     * Best effort: when the connection is gone too, a {@code .part-*} file stays behind; it is
     * never taken for a complete one.
     */
    private void removePartial(String tmp) {
        try (SftpClient sftp = sftp()) {
            sftp.remove(tmp);
        } catch (IOException | RuntimeException e) {
            // nothing more to do
        }
    }

    /**
     * Writes a small remote file.
     *
     * @param remote the path
     * @param content the bytes
     * @throws IOException on failure
     */
    void write(String remote, byte[] content) throws IOException {
        try (SftpClient sftp = sftp()) {
            mkdirs(sftp, remote.substring(0, remote.lastIndexOf('/')));
            try (OutputStream out = sftp.write(remote)) {
                out.write(content);
            } catch (IOException e) {
                throw new IOException(who(spec) + ": cannot write " + remote + ": " + message(e) + ". Check that the"
                        + " machine's disk has room (df -h) and that user '" + spec.user() + "' may write there", e);
            }
        }
    }

    /**
     * Writes a small remote text file.
     *
     * @param remote the path
     * @param text the text (UTF-8)
     * @throws IOException on failure
     */
    void write(String remote, String text) throws IOException {
        write(remote, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Copies a remote folder's files into a local folder, recursively, except some names at the top.
     *
     * @param remote the remote folder
     * @param local the local folder
     * @param skip top-level names not to copy
     * @return how many files were copied
     * @throws IOException on failure
     */
    int download(String remote, Path local, Set<String> skip) throws IOException {
        try (SftpClient sftp = sftp()) {
            return download(sftp, remote, local, skip);
        }
    }

    private static int download(SftpClient sftp, String remote, Path local, Set<String> skip) throws IOException {
        int n = 0;
        Files.createDirectories(local);
        for (SftpClient.DirEntry e : sftp.readDir(remote)) {
            String name = e.getFilename();
            if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                    || skip.contains(name) || name.contains(".part-")) {
                continue;
            }
            String rp = remote + "/" + name;
            Path lp = local.resolve(name);
            if (e.getAttributes().isDirectory()) {
                n += download(sftp, rp, lp, Set.of());
            } else if (e.getAttributes().isRegularFile()) {
                Path tmp = Files.createTempFile(local, "." + name, ".part");
                try {
                    try (InputStream in = sftp.read(rp)) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.move(tmp, lp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        try {
            session.close(false).await(Duration.ofSeconds(5));
        } catch (IOException e) {
            // closing anyway
        } finally {
            client.stop();
        }
    }

    /** Remembers why the session went away, for "connection lost" messages. */
    private final class LossRecorder implements SessionListener {
        @Override
        public void sessionException(Session s, Throwable t) {
            if (lost == null) {
                lost = message(t);
            }
        }

        @Override
        public void sessionDisconnect(Session s, int reason, String msg, String language, boolean initiator) {
            if (lost == null) {
                lost = (initiator ? "disconnected: " : "the server disconnected: ") + msg;
            }
        }

        @Override
        public void sessionClosed(Session s) {
            if (lost == null) {
                lost = "the connection was closed";
            }
        }
    }
}
