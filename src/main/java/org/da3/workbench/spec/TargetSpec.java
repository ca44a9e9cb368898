package org.da3.workbench.spec;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where runs execute, as written in {@code experiments/targets.yaml} or given as {@code
 * ssh://user@host:port}: this machine ({@code local}), or a remote Linux machine or Jetson reached
 * over SSH. Read by {@link TargetsFile}; immutable.
 *
 * @param name the target's name ({@code local}, a name from targets.yaml, or the ssh:// address)
 * @param kind {@code local}, {@code linux} or {@code jetson} (a Jetson also samples tegrastats)
 * @param host the SSH host (null for local)
 * @param port the SSH port
 * @param user the remote user
 * @param identityFile the private key file on this machine (may start with {@code ~/}), or null
 *     to try the agent and then ~/.ssh/id_ecdsa, id_rsa, id_ed25519
 * @param agent whether keys held by an SSH agent are offered
 * @param agentSocket the agent's socket, or null for {@code $SSH_AUTH_SOCK}
 * @param knownHosts the known_hosts file on this machine (may start with {@code ~/})
 * @param remoteDir the folder on the remote machine for jars, weights and runs (absolute, or
 *     relative to the remote home, {@code ~/} allowed)
 * @param java the java executable on the remote machine (or on this machine for local)
 * @param environment extra environment variables for the worker (JAVA_HOME, PYTORCH_LIBRARY_PATH, ...)
 * @param jvmFlags extra flags for the worker JVM, for example {@code -Xmx2g}
 * @param concurrentRuns how many runs the target runs at once (1 by default)
 * @param description a note for the user, or null
 */
public record TargetSpec(String name, String kind, String host, int port, String user, String identityFile,
        boolean agent, String agentSocket, String knownHosts, String remoteDir, String java,
        Map<String, String> environment, List<String> jvmFlags, int concurrentRuns, String description) {

    /** This machine. */
    public static final String LOCAL = "local";
    /** A remote Linux machine. */
    public static final String LINUX = "linux";
    /** A remote NVIDIA Jetson (adds tegrastats sampling). */
    public static final String JETSON = "jetson";
    /** Every kind, in the order the docs list them. */
    public static final List<String> KINDS = List.of(LOCAL, LINUX, JETSON);

    /** The default known_hosts file. */
    public static final String DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts";
    /** The default remote folder. */
    public static final String DEFAULT_REMOTE_DIR = "~/da3-workbench";

    /** Checks the fields and copies the collections. */
    public TargetSpec {
        Objects.requireNonNull(name, "name");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind '" + kind + "' is not one of " + KINDS);
        }
        if (!LOCAL.equals(kind)) {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(knownHosts, "known_hosts");
            Objects.requireNonNull(remoteDir, "remote_dir");
        }
        environment = environment == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        jvmFlags = jvmFlags == null ? List.of() : List.copyOf(jvmFlags);
        concurrentRuns = Math.max(1, concurrentRuns);
    }

    /**
     * The built-in local target.
     *
     * @return local, with -Xmx4g
     */
    public static TargetSpec local() {
        return new TargetSpec(LOCAL, LOCAL, null, 0, null, null, false, null, null, null, null, Map.of(),
                List.of("-Xmx4g"), 1, "this machine");
    }

    /** @return whether runs execute on this machine */
    public boolean isLocal() {
        return LOCAL.equals(kind);
    }

    /** @return whether the target is a Jetson */
    public boolean isJetson() {
        return JETSON.equals(kind);
    }

    /** @return {@code user@host:port} ({@code user@[::1]:port} for an IPv6 address), or {@code local} */
    public String address() {
        return isLocal() ? LOCAL : user + "@" + hostAndPort();
    }

    /** @return {@code host:port}, with an IPv6 address in brackets ({@code [::1]:22}); null for local */
    public String hostAndPort() {
        return isLocal() ? null : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The java executable to run: the {@code java} field, else {@code $JAVA_HOME/bin/java} when the
     * environment sets JAVA_HOME, else {@code java} from the PATH.
     *
     * @return the executable
     */
    public String javaExecutable() {
        if (java != null && !java.isBlank()) {
            return java;
        }
        String home = environment.get("JAVA_HOME");
        return home != null && !home.isBlank() ? home.replaceAll("/+$", "") + "/bin/java" : "java";
    }

    /**
     * Expands a path on this machine: {@code ~} and {@code ~/...} become the user's home.
     *
     * @param p the path as written
     * @return the path
     */
    public static Path localPath(String p) {
        if (p.equals("~")) {
            return Path.of(System.getProperty("user.home"));
        }
        if (p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), p.substring(2));
        }
        return Path.of(p);
    }
}
