package org.da3.workbench.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.da3.workbench.spec.TargetSpec;

/**
 * A real SSH server on 127.0.0.1 for tests (Apache MINA SSHD): a random free port, a generated
 * EC host key, public-key authentication with a generated EC client key, the SFTP subsystem, and
 * an exec channel that runs each command on this machine with {@code /bin/sh -c} (or another shell,
 * {@link #runCommandsWith}) and the test's environment. Like OpenSSH, closing a channel closes the
 * command's stdin but does not kill it.
 *
 * <p>{@link #dropAfterLines} makes the server close the whole session after it forwarded that
 * many stdout lines of a command: a connection lost mid-run. {@link #slowWrites} and {@link
 * #diskFullAfter} make SFTP uploads slow, or fail as on a full disk.
 */
public final class SshTestServer implements AutoCloseable {
    private final SshServer server;
    private final KeyPair hostKey;
    private final KeyPair clientKey;
    private final Path dir;
    private final String host;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private volatile int dropAfterLines = -1;
    private volatile long diskFullAfter = -1;
    private volatile long writeBytesPerSecond = -1;
    private volatile String loginGreeting;
    private volatile List<String> shell = List.of("/bin/sh", "-c");
    private volatile Map<String, String> shellEnvironment = Map.of();

    private SshTestServer(Path dir, String host) throws IOException, GeneralSecurityException {
        this(dir, host, newKey());
    }

    private SshTestServer(Path dir, String host, KeyPair hostKey) throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.host = host;
        this.hostKey = hostKey;
        this.clientKey = newKey();
        writePrivateKey(clientKey, dir.resolve("client_key"));
        Files.writeString(dir.resolve("known_hosts"), "# test known_hosts\n");
        server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        if ("DSA".equals(hostKey.getPublic().getAlgorithm())) {
            server.setSignatureFactories(List.of(org.apache.sshd.common.signature.BuiltinSignatures.dsa));
        }
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setFileSystemFactory(new NativeFileSystemFactory());
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.setFileSystemAccessor(new SftpFileSystemAccessor() {
            @Override
            public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
                    String handle, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
                SeekableByteChannel ch = SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle,
                        options, attrs);
                return options.contains(StandardOpenOption.WRITE) ? new WriteChannel(ch) : ch;
            }
        });
        server.setSubsystemFactories(List.of(new org.apache.sshd.server.subsystem.SubsystemFactory() {
            @Override
            public String getName() {
                return sftp.getName();
            }

            @Override
            public Command createSubsystem(ChannelSession channel) throws IOException {
                String greeting = loginGreeting;
                return greeting == null ? sftp.createSubsystem(channel) : new Greeting(greeting);
            }
        }));
        server.setCommandFactory((channel, command) -> new ShellCommand(command));
        server.start();
        Files.writeString(dir.resolve("known_hosts"), knownHostsLine(hostKey) + "\n");
    }

    /**
     * Starts a server; its files (client key, known_hosts) go into a folder.
     *
     * @param dir a folder for the keys (a JUnit {@code @TempDir})
     * @return the running server
     * @throws Exception if it cannot start
     */
    public static SshTestServer start(Path dir) throws Exception {
        return new SshTestServer(dir, "127.0.0.1");
    }

    /**
     * Starts a server listening on another loopback address, for example {@code ::1}.
     *
     * @param dir a folder for the keys
     * @param host the address to listen on, as a target's host field writes it
     * @return the running server
     * @throws Exception if it cannot start
     */
    public static SshTestServer start(Path dir, String host) throws Exception {
        return new SshTestServer(dir, host);
    }

    /**
     * Starts a server on 127.0.0.1 with a DSA host key, offering only {@code ssh-dss}: an SSH server
     * whose host keys are all of a type the client does not take, as one with only an ed25519 key is
     * to the workbench.
     *
     * @param dir a folder for the keys
     * @return the running server
     * @throws Exception if it cannot start
     */
    public static SshTestServer startWithOnlyADsaHostKey(Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        return new SshTestServer(dir, "127.0.0.1", g.generateKeyPair());
    }

    /**
     * A new EC P-256 key pair (no extra library needed, unlike ed25519).
     *
     * @return the key pair
     * @throws GeneralSecurityException never on a standard JDK
     */
    public static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * Writes a private key in OpenSSH format with mode 0600.
     *
     * @param kp the key
     * @param file the file
     * @throws IOException on a write error
     * @throws GeneralSecurityException if the key cannot be encoded
     */
    public static void writePrivateKey(KeyPair kp, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "da3-test", null, out);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * A known_hosts line for this server's address and a key, as ssh-keyscan writes it.
     *
     * @param key the host key to list
     * @return the line
     */
    public String knownHostsLine(KeyPair key) {
        return "[" + host + "]:" + port() + " " + PublicKeyEntry.toString(key.getPublic());
    }

    /** @return the port */
    public int port() {
        return server.getPort();
    }

    /** @return the client's private key file */
    public Path clientKeyFile() {
        return dir.resolve("client_key");
    }

    /** @return a known_hosts file listing this server's key */
    public Path knownHostsFile() {
        return dir.resolve("known_hosts");
    }

    /** @return the server's host key */
    public KeyPair hostKey() {
        return hostKey;
    }

    /** @return the client key */
    public KeyPair clientKey() {
        return clientKey;
    }

    /** @return every command line the exec channel received */
    public List<String> commands() {
        return commands;
    }

    /**
     * Makes the server close the session after forwarding n stdout lines of a command (-1: never).
     *
     * @param n the line count
     */
    public void dropAfterLines(int n) {
        dropAfterLines = n;
    }

    /**
     * Makes SFTP writes fail as on a full disk once a file would grow past a size (-1: never).
     *
     * @param bytes the size a written file may reach
     */
    public void diskFullAfter(long bytes) {
        diskFullAfter = bytes;
    }

    /**
     * Slows SFTP writes down to a rate, as over a slow link (-1: full speed).
     *
     * @param bytesPerSecond the rate
     */
    public void slowWrites(long bytesPerSecond) {
        writeBytesPerSecond = bytesPerSecond;
    }

    /**
     * Makes the user's login shell print a line in non-interactive sessions (a greeting in
     * ~/.bashrc), as OpenSSH then does before every command and before the SFTP server, whose
     * protocol it breaks (null: none).
     *
     * @param line the line, without its newline
     */
    public void loginGreeting(String line) {
        loginGreeting = line;
    }

    /**
     * Makes the exec channel run each command with another shell and environment variables, for
     * example BusyBox's {@code sh -c} with a PATH of BusyBox applets only: a small device's login
     * shell and tools.
     *
     * @param shellAndOption the shell and the option that takes a command line, such as {@code
     *     [/bin/busybox, sh, -c]}
     * @param environment variables set for the command (PATH, ...), over the test's own
     */
    public void runCommandsWith(List<String> shellAndOption, Map<String, String> environment) {
        shell = List.copyOf(shellAndOption);
        shellEnvironment = Map.copyOf(environment);
    }

    /**
     * This server as a targets.yaml entry (under {@code targets:}), logging in with the test's
     * client key; the caller appends further fields, indented by four spaces.
     *
     * @param name the target name
     * @param kind linux or jetson
     * @param knownHosts the known_hosts file the client checks the server against
     * @return the entry's lines, each ending in a newline
     */
    public String targetsYamlEntry(String name, String kind, Path knownHosts) {
        return "  " + name + ":\n"
                + "    kind: " + kind + "\n"
                + "    host: '" + host + "'\n"
                + "    port: " + port() + "\n"
                + "    user: " + System.getProperty("user.name") + "\n"
                + "    identity_file: " + clientKeyFile() + "\n"
                + "    known_hosts: " + knownHosts + "\n"
                + "    agent: false\n";
    }

    /**
     * A linux target for this server with the test's keys.
     *
     * @param name the target name
     * @param remoteDir the remote folder (on this machine)
     * @return the target
     */
    public TargetSpec target(String name, Path remoteDir) {
        return target(name, remoteDir.toString(), clientKeyFile(), knownHostsFile(), Map.of(),
                List.of("-Xmx1g"), Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * A linux target for this server.
     *
     * @param name the target name
     * @param remoteDir the remote folder
     * @param identity the private key file
     * @param knownHosts the known_hosts file
     * @param env the worker's environment
     * @param jvmFlags the worker's JVM flags
     * @param java the java executable
     * @return the target
     */
    public TargetSpec target(String name, String remoteDir, Path identity, Path knownHosts, Map<String, String> env,
            List<String> jvmFlags, String java) {
        return new TargetSpec(name, TargetSpec.LINUX, host, port(), System.getProperty("user.name"),
                identity.toString(), false, null, knownHosts.toString(), remoteDir, java, env, jvmFlags, 1, null);
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** A file written over SFTP, which can be made slow or run out of space. */
    private final class WriteChannel implements SeekableByteChannel {
        private final SeekableByteChannel ch;

        WriteChannel(SeekableByteChannel ch) {
            this.ch = ch;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long full = diskFullAfter;
            if (full >= 0 && ch.position() + src.remaining() > full) {
                throw new IOException("No space left on device");
            }
            long rate = writeBytesPerSecond;
            if (rate > 0) {
                try {
                    Thread.sleep(Math.max(1, src.remaining() * 1000L / rate));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
            return ch.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** The SFTP subsystem behind a login shell that prints a greeting: the greeting, then nothing. */
    private static final class Greeting implements Command {
        private final String line;
        private OutputStream out;
        private ExitCallback exit;

        Greeting(String line) {
            this.line = line;
        }

        @Override
        public void setInputStream(InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {}

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            exit.onExit(1);
        }

        @Override
        public void destroy(ChannelSession channel) {}
    }

    /** Runs one exec request with /bin/sh -c (or the shell {@link #runCommandsWith} gave). */
    private final class ShellCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private volatile Process process;

        ShellCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            commands.add(command);
            String greeting = loginGreeting;
            if (greeting != null) {
                out.write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            List<String> argv = new java.util.ArrayList<>(shell);
            argv.add(command);
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().putAll(shellEnvironment);
            Process p = pb.start();
            process = p;
            processes.add(p);
            AtomicInteger lines = new AtomicInteger();
            Thread o = pump(p.getInputStream(), out, () -> {
                int drop = dropAfterLines;
                if (drop >= 0 && lines.incrementAndGet() >= drop) {
                    channel.getSession().close(true);
                    return false;
                }
                return true;
            });
            Thread e = pump(p.getErrorStream(), err, null);
            Thread i = new Thread(() -> {
                try (OutputStream stdin = p.getOutputStream()) {
                    // passed on as it comes, as sshd does (a Process's stdin is buffered): heartbeats
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        stdin.write(buf, 0, n);
                        stdin.flush();
                    }
                } catch (IOException ex) {
                    // the channel closed: close the command's stdin, as sshd does
                }
            }, "test-sshd-stdin");
            i.setDaemon(true);
            i.start();
            Thread w = new Thread(() -> {
                try {
                    int code = p.waitFor();
                    o.join();
                    e.join();
                    exit.onExit(code);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }, "test-sshd-wait");
            w.setDaemon(true);
            w.start();
        }

        /**
         * Copies a stream to the channel; with onLine, line by line, stopping to forward (but still
         * draining) when onLine says the session is gone.
         */
        private Thread pump(InputStream from, OutputStream to, java.util.function.BooleanSupplier onLine) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                boolean open = true;
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        if (!open) {
                            continue;
                        }
                        try {
                            if (onLine == null) {
                                to.write(buf, 0, n);
                                to.flush();
                            } else {
                                int start = 0;
                                for (int k = 0; k < n && open; k++) {
                                    if (buf[k] == '\n') {
                                        to.write(buf, start, k + 1 - start);
                                        to.flush();
                                        start = k + 1;
                                        open = onLine.getAsBoolean();
                                    }
                                }
                                if (open && start < n) {
                                    to.write(buf, start, n - start);
                                    to.flush();
                                }
                            }
                        } catch (IOException ex) {
                            open = false; // channel gone: keep draining so the command never blocks
                        }
                    }
                } catch (IOException ex) {
                    // the command's stream closed
                }
            }, "test-sshd-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            Process p = process;
            if (p != null) {
                try {
                    p.getOutputStream().close();
                } catch (IOException e) {
                    // already closed
                }
            }
            try {
                in.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /**
     * Reads a small file as text, or null if absent.
     *
     * @param p the file
     * @return the text
     * @throws IOException on a read error
     */
    public static String readOrNull(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
    }
}
