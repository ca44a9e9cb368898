package org.da3.workbench.run.ssh;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * An SSH agent client over the agent's UNIX socket ({@code SSH_AUTH_SOCK}), with the JDK's own
 * UNIX-domain socket channels (MINA's own agent client needs Tomcat's native APR library). The
 * agent protocol itself (identities, sign requests) is MINA's {@link AbstractAgentProxy}; this
 * class only moves its length-prefixed messages. No agent forwarding.
 */
final class AgentSocket extends AbstractAgentProxy {
    private static final int MAX_MESSAGE = 256 * 1024;

    private final Path socket;
    private final SocketChannel channel;

    /**
     * Connects to an agent.
     *
     * @param socket the agent's socket file
     * @throws IOException if the agent cannot be reached, with a message naming the socket
     */
    AgentSocket(Path socket) throws IOException {
        super(null);
        this.socket = socket;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot reach the SSH agent at " + socket + ": " + e.getMessage()
                    + "; start one (eval $(ssh-agent); ssh-add KEY) or set agent: false", e);
        }
        this.channel = ch;
    }

    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer len = ByteBuffer.allocate(4);
        readFully(len);
        int n = len.flip().getInt();
        if (n <= 0 || n > MAX_MESSAGE) {
            throw new IOException("the SSH agent at " + socket + " sent a message of " + n + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        readFully(body);
        return new ByteArrayBuffer(body.array());
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("the SSH agent at " + socket + " closed the connection");
            }
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
        super.close();
    }

    /** Creates agent clients for a session's public-key authentication. */
    static final class Factory implements SshAgentFactory {
        private final Path socket;
        private volatile String problem;

        /**
         * A factory for one agent socket.
         *
         * @param socket the socket file
         */
        Factory(Path socket) {
            this.socket = socket;
        }

        @Override
        public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
            return List.of();
        }

        /** @return why the agent could not be used, or null */
        String problem() {
            return problem;
        }

        /** Connects to the agent; an unreachable agent is skipped (null), so key files still work. */
        @Override
        public SshAgent createClient(Session session, FactoryManager manager) {
            try {
                return new AgentSocket(socket);
            } catch (IOException e) {
                problem = e.getMessage();
                return null;
            }
        }

        @Override
        public SshAgentServer createServer(ConnectionService service) throws IOException {
            throw new IOException("agent forwarding is not offered by the workbench");
        }
    }
}
