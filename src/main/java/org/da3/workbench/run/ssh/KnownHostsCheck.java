package org.da3.workbench.run.ssh;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Checks the server's host key against a known_hosts file (OpenSSH format, hashed entries
 * included) and refuses everything else: an unknown host, a changed key, a revoked key or an
 * unreadable file. Nothing is ever added to the file. Why a key was refused is kept ({@link
 * #rejection()}) so the connection error can say it in words; one check serves one connection
 * attempt (session attributes are cleared when the refused session closes, so they cannot hold it).
 *
 * <p>As OpenSSH does, a line that cannot be parsed is skipped rather than making the whole file
 * unusable, and the host is matched as it was written in the target too, so that an IPv6 entry
 * written by {@code ssh-keyscan} ({@code [::1]:2222}) matches though the socket address reads
 * {@code 0:0:0:0:0:0:0:1}.
 */
final class KnownHostsCheck extends KnownHostsServerKeyVerifier {

    private final Path file;
    private final String host;
    private final int port;
    private volatile String rejection;
    private volatile String unreadable;
    private volatile List<HostEntryPair> loaded = List.of();
    private final List<Integer> skippedLines = new ArrayList<>();

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

    /**
     * Reads the file line by line: a line that cannot be parsed (a damaged key, a key type this
     * client does not know) is skipped and remembered, and a file that cannot be read at all is
     * remembered as such, so the refusal can say so instead of calling the host unknown.
     */
    @Override
    protected List<HostEntryPair> reloadKnownHosts(ClientSession session, Path path)
            throws IOException, GeneralSecurityException {
        List<HostEntryPair> out = new ArrayList<>();
        unreadable = null;
        synchronized (skippedLines) {
            skippedLines.clear();
        }
        String text;
        try {
            text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            unreadable = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return out;
        }
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(line);
                PublicKey key = entry == null ? null
                        : resolveHostKey(session, entry, getFallbackPublicKeyEntryResolver());
                if (key != null) {
                    out.add(new HostEntryPair(entry, key));
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                synchronized (skippedLines) {
                    skippedLines.add(i + 1);
                }
            }
        }
        updateReloadAttributes();
        loaded = List.copyOf(out);
        return out;
    }

    /** The addresses the file's entries are matched against: MINA's, and the host as configured. */
    @Override
    protected Collection<SshdSocketAddress> resolveHostNetworkIdentities(ClientSession session,
            SocketAddress remoteAddress) {
        Set<SshdSocketAddress> out = new LinkedHashSet<>(super.resolveHostNetworkIdentities(session, remoteAddress));
        out.add(new SshdSocketAddress(host, port));
        return out;
    }

    /** @return a note on lines of the file that could not be parsed, or an empty string */
    private String skippedNote() {
        synchronized (skippedLines) {
            return skippedLines.isEmpty() ? "" : " (line" + (skippedLines.size() > 1 ? "s " : " ")
                    + skippedLines.toString().replaceAll("[\\[\\]]", "") + " of the file could not be read and "
                    + (skippedLines.size() > 1 ? "were" : "was") + " skipped)";
        }
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        String why;
        if (unreadable != null) {
            why = "the known_hosts file " + file + " cannot be read (" + unreadable + "), so the host key of "
                    + hostPattern() + " (" + describe(serverKey) + ") cannot be checked; the connection was refused."
                    + " Set known_hosts in experiments/targets.yaml to a readable file (the default is "
                    + org.da3.workbench.spec.TargetSpec.DEFAULT_KNOWN_HOSTS + ")";
        } else if (!Files.exists(file)) {
            why = "the known_hosts file " + file + " does not exist, so the host key of " + hostPattern() + " ("
                    + describe(serverKey) + ") cannot be checked; the connection was refused. If this is the right"
                    + " machine, compare the fingerprint with the one on it (ssh-keygen -lf"
                    + " /etc/ssh/ssh_host_*_key.pub) and add the key: " + addHint();
        } else {
            why = "the host key of " + hostPattern() + " (" + describe(serverKey) + ") is not in the known_hosts file "
                    + file + skippedNote() + "; unknown hosts are refused. If this is the right machine, compare the"
                    + " fingerprint with the one on it (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and add the key: "
                    + addHint();
        }
        rejection = why;
        return false;
    }

    /** {@code ssh-keyscan -t} and {@code /etc/ssh/ssh_host_<type>_key.pub}'s name for a key type. */
    private static String shortType(String keyType) {
        if (keyType.startsWith("ecdsa-")) {
            return "ecdsa";
        }
        if (keyType.startsWith("ssh-")) {
            return keyType.substring(4);
        }
        return keyType;
    }

    /**
     * A key that differs from those the file lists for the host is a changed key only when one of
     * them is of its type. As in OpenSSH, a key of a type the file does not list for the host is an
     * unknown key (refused as such, not called a change): the usual case is a known_hosts that
     * OpenSSH filled with the host's ed25519 key, a type this client cannot check, so the server
     * shows it its ECDSA (or RSA) key instead.
     */
    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remoteAddress, KnownHostEntry entry,
            PublicKey expected, PublicKey actual) {
        String type = KeyUtils.getKeyType(actual);
        List<HostEntryPair> forHost = findKnownHostEntries(session, remoteAddress, loaded);
        Set<String> types = new LinkedHashSet<>();
        PublicKey sameType = null;
        for (HostEntryPair p : forHost) {
            if ("revoked".equals(p.getHostEntry().getMarker())) {
                continue;
            }
            String t = p.getHostEntry().getKeyEntry().getKeyType();
            types.add(t);
            if (sameType == null && type.equals(t)) {
                sameType = p.getServerKey();
            }
        }
        if (sameType == null && !types.isEmpty()) {
            String t = shortType(type);
            rejection = "the host key of " + hostPattern() + " that the server showed (" + describe(actual)
                    + ") is not in the known_hosts file " + file + ", which lists only its " + String.join(", ", types)
                    + " key" + (types.size() > 1 ? "s" : "")
                    + (types.contains("ssh-ed25519") ? " (the workbench cannot check ed25519 host keys, so the server"
                            + " showed it another of its keys)" : "")
                    + "; unknown keys are refused. If this is the right machine, compare the fingerprint with the one"
                    + " on it (ssh-keygen -lf /etc/ssh/ssh_host_" + t + "_key.pub) and add the key: ssh-keyscan -t " + t
                    + " -p " + port + " " + host + " >> " + file;
            return false;
        }
        if (sameType != null) {
            expected = sameType;
        }
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
