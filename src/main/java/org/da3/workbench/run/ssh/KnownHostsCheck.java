package org.da3.workbench.run.ssh;

import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Checks the server's host key against a known_hosts file (OpenSSH format, hashed entries
 * included) and refuses everything else: an unknown host, a changed key, a revoked key or an
 * unreadable file. Nothing is ever added to the file. Why a key was refused is kept ({@link
 * #rejection()}) so the connection error can say it in words; one check serves one connection
 * attempt (session attributes are cleared when the refused session closes, so they cannot hold it).
 */
final class KnownHostsCheck extends KnownHostsServerKeyVerifier {

    private final Path file;
    private final String host;
    private final int port;
    private volatile String rejection;

    /**
     * Creates the check.
     *
     * @param file the known_hosts file
     * @param host the host as configured (for messages)
     * @param port the port
     */
    KnownHostsCheck(Path file, String host, int port) {
        super(RejectAllServerKeyVerifier.INSTANCE, file);
        this.file = file;
        this.host = host;
        this.port = port;
    }

    /** @return why the host key was refused, or null if it was not */
    String rejection() {
        return rejection;
    }

    /** @return the host as known_hosts writes it: {@code host} for port 22, else {@code [host]:port} */
    String hostPattern() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    private static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }

    private String addHint() {
        return "ssh-keyscan -p " + port + " " + host + " >> " + file;
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        String why;
        if (!Files.exists(file)) {
            why = "the known_hosts file " + file + " does not exist, so the host key of " + hostPattern() + " ("
                    + describe(serverKey) + ") cannot be checked; the connection was refused. If this is the right"
                    + " machine, compare the fingerprint with the one on it (ssh-keygen -lf"
                    + " /etc/ssh/ssh_host_*_key.pub) and add the key: " + addHint();
        } else {
            why = "the host key of " + hostPattern() + " (" + describe(serverKey) + ") is not in the known_hosts file "
                    + file + "; unknown hosts are refused. If this is the right machine, compare the fingerprint"
                    + " with the one on it (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and add the key: "
                    + addHint();
        }
        rejection = why;
        return false;
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remoteAddress, KnownHostEntry entry,
            PublicKey expected, PublicKey actual) {
        rejection = "REFUSED: the host key of " + hostPattern() + " has CHANGED. The known_hosts"
                + " file " + file + " has " + describe(expected) + " but the server offered " + describe(actual)
                + ". Someone may be intercepting the connection, or the machine was reinstalled. Only if you are"
                + " sure the new key is right, remove the old entry (ssh-keygen -R '" + hostPattern() + "' -f "
                + file + ") and add the new one (" + addHint() + ")";
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        rejection = "REFUSED: the host key of " + hostPattern() + " (" + describe(serverKey)
                + ") is marked @revoked in " + file;
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remoteAddress,
            PublicKey serverKey, Throwable reason) {
        rejection = "the known_hosts file " + file + " cannot be read (" + reason.getMessage()
                + "), so the host key of " + hostPattern() + " cannot be checked; the connection was refused";
        return false;
    }
}
