package org.da3.workbench.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 in front of a test server, for connections that break in ways a
 * server cannot stage itself. {@link #dropSilently} ends the connections made so far as a network
 * that drops them without a word does: this side (the client) sees them reset, while the server's
 * end stays open and is never read again, so the server does not notice. Later connections are
 * forwarded as usual, unless {@link #refuseNewConnections} was called (a machine out of reach).
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Socket> clientSides = new CopyOnWriteArrayList<>();
    private final List<Socket> dropped = new CopyOnWriteArrayList<>();

    /**
     * Starts forwarding a free port of 127.0.0.1 to a port of 127.0.0.1.
     *
     * @param targetPort the server's port
     * @throws IOException if no port can be opened
     */
    public TcpProxy(int targetPort) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        listener = new ServerSocket(0, 10, lo);
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(lo, targetPort);
                    sockets.add(client);
                    sockets.add(server);
                    clientSides.add(client);
                    pump(client, server);
                    pump(server, client);
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0 && !dropped.contains(from) && !dropped.contains(to)) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            }
            // a dropped connection's server side stays open and unread; the others end together
            if (!dropped.contains(from) && !dropped.contains(to)) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** @return the port to connect to */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Drops the connections made so far without telling the server: each client side is reset,
     * and its server side stays open with nothing reading it.
     */
    public void dropSilently() {
        for (Socket c : clientSides) {
            dropped.add(c);
            try {
                c.setSoLinger(true, 0); // a reset, as after a timeout, not a polite close
            } catch (IOException e) {
                // closed already
            }
            closeQuietly(c);
        }
        clientSides.clear();
    }

    /**
     * Refuses the connections tried from now on (the machine is out of reach), while the server
     * sides of the connections dropped so far stay open until {@link #close}.
     */
    public void refuseNewConnections() {
        try {
            listener.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closed already
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
