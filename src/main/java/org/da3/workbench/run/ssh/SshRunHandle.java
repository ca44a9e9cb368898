package org.da3.workbench.run.ssh;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.da3.workbench.run.RunHandle;

/**
 * A worker running under {@code run.sh} on an exec channel. Its stdout is the event stream; when
 * that stream ends without the command's exit status (the connection dropped), reading it throws
 * an {@link IOException} that says so, which the {@link org.da3.workbench.run.RunMonitor} reports
 * as a run error after keeping every event already received.
 *
 * <p>Stop closes the channel's input, which makes the wrapper's lifeline run {@code stop.sh}, and
 * also runs {@code stop.sh} over a second channel; either kills the worker's process group.
 *
 * <p>While the run lasts, a daemon thread writes a heartbeat (a newline) to the channel's input
 * every {@link RemoteScripts#HEARTBEAT_SECONDS} s; the wrapper's watchdog stops the worker when
 * they stop coming (a connection the network dropped without the machine's sshd noticing).
 */
final class SshRunHandle implements RunHandle {
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

    private final SshConnection conn;
    private final ChannelExec channel;
    private final String runDir;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final InputStream events;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Thread heartbeat;

    SshRunHandle(SshConnection conn, ChannelExec channel, String runDir) {
        this(conn, channel, runDir, Duration.ofSeconds(RemoteScripts.HEARTBEAT_SECONDS));
    }

    /**
     * A handle that sends heartbeats at another pace (tests).
     *
     * @param conn the connection
     * @param channel the exec channel running run.sh
     * @param runDir the remote run folder
     * @param heartbeatPeriod time between heartbeats
     */
    SshRunHandle(SshConnection conn, ChannelExec channel, String runDir, Duration heartbeatPeriod) {
        this.conn = conn;
        this.channel = channel;
        this.runDir = runDir;
        this.events = new EndChecked(channel.getInvertedOut());
        long periodMillis = Math.max(1, heartbeatPeriod.toMillis());
        this.heartbeat = new Thread(() -> beat(periodMillis), "ssh-heartbeat " + runDir);
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    /** Writes a newline to the wrapper's stdin now and then until the run ends, is stopped, or the channel fails. */
    private void beat(long periodMillis) {
        OutputStream in = channel.getInvertedIn();
        try {
            while (!stopping.get() && !ended.get() && channel.isOpen() && !channel.isClosing()) {
                in.write('\n');
                in.flush();
                Thread.sleep(periodMillis);
            }
        } catch (IOException e) {
            // the channel or the connection is gone (or Stop closed the input): nothing left to keep alive
        } catch (InterruptedException e) {
            // the run ended
        }
    }

    private void endHeartbeat() {
        ended.set(true);
        heartbeat.interrupt();
    }

    @Override
    public InputStream events() {
        return events;
    }

    @Override
    public InputStream log() {
        return channel.getInvertedErr();
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        endHeartbeat();
        try {
            channel.getInvertedIn().close();
        } catch (IOException e) {
            // the channel is gone already; the second channel below still tries
        }
        Thread t = new Thread(() -> {
            try {
                if (conn.isOpen()) {
                    conn.run(RemoteScripts.command(runDir, RemoteScripts.STOP),
                            Duration.ofSeconds(RemoteScripts.KILL_AFTER_SECONDS + 30));
                }
            } catch (IOException e) {
                // the lifeline stops the worker when the channel closes
            }
        }, "ssh-stop");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public int waitFor() throws InterruptedException {
        channel.waitFor(EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.EXIT_SIGNAL,
                ClientChannelEvent.CLOSED), 0L);
        endHeartbeat();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(5));
        Integer status = channel.getExitStatus();
        channel.close(false);
        if (status != null) {
            return status;
        }
        return channel.getExitSignal() != null ? 128 + signalNumber(channel.getExitSignal()) : -1;
    }

    private static int signalNumber(String name) {
        switch (name) {
            case "INT":
                return 2;
            case "KILL":
                return 9;
            case "TERM":
                return 15;
            default:
                return 0;
        }
    }

    @Override
    public String describe() {
        return "ssh " + conn.spec().address() + ", remote folder " + runDir;
    }

    private String lostMessage() {
        if (!conn.isOpen()) {
            String why = conn.lostReason();
            return "the SSH connection to " + conn.spec().address() + " was lost"
                    + (why == null ? "" : " (" + why + ")");
        }
        return "the remote command on " + conn.spec().address() + " ended without an exit status";
    }

    /** The event stream, which turns an end without an exit status into an error. */
    private final class EndChecked extends FilterInputStream {
        private boolean checked;

        EndChecked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                checkEnd();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                checkEnd();
            }
            return n;
        }

        private void checkEnd() throws IOException {
            if (checked) {
                return;
            }
            checked = true;
            channel.waitFor(EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.EXIT_SIGNAL,
                    ClientChannelEvent.CLOSED), EXIT_WAIT);
            if (channel.getExitStatus() == null && channel.getExitSignal() == null && !stopping.get()) {
                throw new IOException(lostMessage());
            }
        }
    }
}
