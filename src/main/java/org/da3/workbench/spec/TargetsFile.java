package org.da3.workbench.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code experiments/targets.yaml}, the named run targets, and {@code ssh://} addresses.
 *
 * <pre>
 * targets:
 *   local: {kind: local, jvm_flags: [-Xmx4g]}
 *   jetson-nano:
 *     kind: jetson
 *     host: 192.168.1.42
 *     user: nvidia
 *     identity_file: ~/.ssh/id_ecdsa
 *     environment: {PYTORCH_LIBRARY_PATH: /usr/local/lib/python3.8/dist-packages/torch/lib}
 * </pre>
 *
 * <p>Errors name the file, the field (for example {@code targets.jetson-nano.port}) and what is
 * allowed. {@code local} is always defined; the file may redefine its flags.
 */
public final class TargetsFile {
    /** The file's name inside {@code experiments/}. */
    public static final String FILE_NAME = "targets.yaml";

    /** Where a target was given when it came from the command line, for messages. */
    public static final String COMMAND_LINE = "--target";

    private static final Set<String> LOCAL_FIELDS = Set.of("kind", "jvm_flags", "environment", "concurrent_runs",
            "description");
    private static final Set<String> SSH_FIELDS = Set.of("kind", "host", "port", "user", "identity_file", "agent",
            "agent_socket", "known_hosts", "remote_dir", "java", "environment", "jvm_flags", "concurrent_runs",
            "description");

    private TargetsFile() {}

    /**
     * Loads the targets of a file; a missing file defines only {@code local}.
     *
     * @param file the targets.yaml file
     * @return the targets by name, {@code local} first
     * @throws SpecException naming the file, field and fix
     */
    public static Map<String, TargetSpec> load(Path file) {
        Map<String, TargetSpec> out = new LinkedHashMap<>();
        out.put(TargetSpec.LOCAL, TargetSpec.local());
        if (!Files.exists(file)) {
            return out;
        }
        String name = file.toString();
        JsonNode root = YamlNodes.readTree(file);
        YamlNodes y = new YamlNodes(name);
        y.onlyKeys(root, "", Set.of("targets"));
        JsonNode targets = y.object(root, "", "targets");
        Iterator<Map.Entry<String, JsonNode>> it = targets.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String tname = e.getKey();
            String path = "targets." + tname;
            if (!tname.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new SpecException(name, path, "'" + tname + "' is not a usable target name; use letters,"
                        + " digits, '.', '_' and '-'");
            }
            if (e.getValue() == null || !e.getValue().isObject()) {
                throw new SpecException(name, path, "must be a mapping of fields (kind, host, user, ...)");
            }
            out.put(tname, parse(y, path, tname, e.getValue()));
        }
        return out;
    }

    private static TargetSpec parse(YamlNodes y, String path, String tname, JsonNode n) {
        String kind = y.choice(n, path, "kind", tname.equals(TargetSpec.LOCAL) ? TargetSpec.LOCAL : null,
                TargetSpec.KINDS);
        if (kind == null) {
            throw new SpecException(y.file(), YamlNodes.join(path, "kind"), "is missing; use one of "
                    + String.join(", ", TargetSpec.KINDS));
        }
        if (tname.equals(TargetSpec.LOCAL) && !kind.equals(TargetSpec.LOCAL)) {
            throw new SpecException(y.file(), YamlNodes.join(path, "kind"), "the target named local must be of"
                    + " kind local; give the remote machine another name");
        }
        Map<String, String> env = environment(y, path, n);
        List<String> flags = jvmFlags(y, path, n);
        int concurrent = (int) y.integer(n, path, "concurrent_runs", 1, 1, 64);
        String description = y.text(n, path, "description", null);
        if (kind.equals(TargetSpec.LOCAL)) {
            notApplicable(y, path, n, LOCAL_FIELDS, kind);
            return new TargetSpec(tname, kind, null, 0, null, null, false, null, null, null, null, env,
                    n.has("jvm_flags") ? flags : TargetSpec.local().jvmFlags(), concurrent, description);
        }
        y.onlyKeys(n, path, SSH_FIELDS);
        String host = y.requiredText(n, path, "host");
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw new SpecException(y.file(), YamlNodes.join(path, "host"), "'" + host + "' is not a host name or"
                    + " address" + (host.startsWith("[") ? "; write an IPv6 address without brackets (host: ::1)"
                    + " and the port in port:" : ""));
        }
        int port = (int) y.integer(n, path, "port", 22, 1, 65535);
        String user = y.text(n, path, "user", System.getProperty("user.name"));
        if (user == null || user.isEmpty() || !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            throw new SpecException(y.file(), YamlNodes.join(path, "user"), "'" + user + "' is not a user name");
        }
        return new TargetSpec(tname, kind, host, port, user, y.text(n, path, "identity_file", null),
                y.bool(n, path, "agent", true), y.text(n, path, "agent_socket", null),
                y.text(n, path, "known_hosts", TargetSpec.DEFAULT_KNOWN_HOSTS),
                nonEmpty(y, path, "remote_dir", y.text(n, path, "remote_dir", TargetSpec.DEFAULT_REMOTE_DIR)),
                y.text(n, path, "java", null), env, flags, concurrent, description);
    }

    private static String nonEmpty(YamlNodes y, String path, String key, String v) {
        if (v == null || v.isEmpty()) {
            throw new SpecException(y.file(), YamlNodes.join(path, key), "is empty; give a folder");
        }
        return v;
    }

    private static void notApplicable(YamlNodes y, String path, JsonNode n, Set<String> allowed, String kind) {
        Iterator<String> keys = n.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (!allowed.contains(k)) {
                if (SSH_FIELDS.contains(k)) {
                    throw new SpecException(y.file(), YamlNodes.join(path, k), "does not apply to kind " + kind
                            + "; it is for kinds linux and jetson");
                }
                y.onlyKeys(n, path, allowed);
            }
        }
    }

    private static Map<String, String> environment(YamlNodes y, String path, JsonNode n) {
        JsonNode env = y.object(n, path, "environment");
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = env.fields();
        String epath = YamlNodes.join(path, "environment");
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new SpecException(y.file(), YamlNodes.join(epath, e.getKey()), "is not an environment variable"
                        + " name; use letters, digits and '_', not starting with a digit");
            }
            if (e.getValue() == null || e.getValue().isNull() || !e.getValue().isValueNode()) {
                throw new SpecException(y.file(), YamlNodes.join(epath, e.getKey()), "must be a single value");
            }
            if (e.getValue().asText().indexOf('\0') >= 0) {
                throw new SpecException(y.file(), YamlNodes.join(epath, e.getKey()), "contains a NUL character");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static List<String> jvmFlags(YamlNodes y, String path, JsonNode n) {
        List<String> flags = y.textList(n, path, "jvm_flags");
        for (int i = 0; i < flags.size(); i++) {
            String f = flags.get(i);
            if (!f.startsWith("-") || f.equals("-jar") || f.equals("-cp") || f.equals("-classpath")
                    || f.indexOf('\0') >= 0) {
                throw new SpecException(y.file(), YamlNodes.join(path, "jvm_flags") + "[" + i + "]", "'" + f
                        + "' is not a JVM flag; use flags such as -Xmx2g or -XX:+UseSerialGC (the workbench adds"
                        + " -jar itself)");
            }
        }
        return new ArrayList<>(flags);
    }

    /**
     * Reads an address {@code ssh://[user@]host[:port][/remote/dir][?kind=jetson]} given with
     * {@code --target}.
     *
     * @param address the address
     * @return the target
     * @throws SpecException if the address is malformed
     * @see #fromUri(String, String)
     */
    public static TargetSpec fromUri(String address) {
        return fromUri(address, COMMAND_LINE);
    }

    /**
     * Reads an address {@code ssh://[user@]host[:port][/remote/dir][?kind=jetson]}: a linux (or
     * jetson) target with the default known_hosts, keys and remote folder.
     *
     * @param address the address
     * @param givenIn where the address was given, for messages: {@link #COMMAND_LINE} or a spec file
     * @return the target
     * @throws SpecException if the address is malformed, saying which part is wrong
     */
    public static TargetSpec fromUri(String address, String givenIn) {
        String form = "; use ssh://user@host:port[/remote/dir][?kind=jetson]";
        if (!address.startsWith("ssh://")) {
            throw new SpecException(givenIn, "target", "'" + address + "' is "
                    + (address.startsWith("ssh:") ? "a malformed ssh:// address" : "not an ssh:// address") + form);
        }
        if (address.length() == 6 || "/?#".indexOf(address.charAt(6)) >= 0) {
            throw new SpecException(givenIn, "target", "'" + address + "' has no host" + form);
        }
        URI u;
        try {
            u = new URI(address);
        } catch (URISyntaxException e) {
            throw new SpecException(givenIn, "target", "'" + address + "' is not an ssh:// address ("
                    + e.getReason() + ")" + form);
        }
        String authority = u.getRawAuthority() == null ? "" : u.getRawAuthority();
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = hostPort.lastIndexOf(':') > hostPort.lastIndexOf(']') ? hostPort.lastIndexOf(':') : -1;
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        if (host.isEmpty()) {
            throw new SpecException(givenIn, "target", "'" + address + "' has no host" + form);
        }
        if (!port.isEmpty() && !port.matches("[0-9]+")) {
            throw new SpecException(givenIn, "target", "port '" + port + "' in " + address
                    + " is not a whole number; use a port from 1 to 65535");
        }
        if (!port.isEmpty() && (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            throw new SpecException(givenIn, "target", "port " + port + " in " + address
                    + " is out of range; use a port from 1 to 65535");
        }
        if (u.getHost() == null) {
            throw new SpecException(givenIn, "target", "'" + host + "' in " + address + " is not a host name or"
                    + " address");
        }
        String user = u.getUserInfo() == null ? System.getProperty("user.name") : u.getUserInfo();
        if (!user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            throw new SpecException(givenIn, "target", "'" + user + "' in " + address + " is not a user name");
        }
        String kind = TargetSpec.LINUX;
        if (u.getQuery() != null) {
            for (String kv : u.getQuery().split("&")) {
                if (kv.equals("kind=jetson") || kv.equals("kind=linux")) {
                    kind = kv.substring(5);
                } else {
                    throw new SpecException(givenIn, "target", "'" + kv + "' in " + address + " is not"
                            + " understood; the only option is kind=jetson or kind=linux (name the target in"
                            + " experiments/targets.yaml for more)");
                }
            }
        }
        if (u.getRawFragment() != null) {
            throw new SpecException(givenIn, "target", "'#" + u.getRawFragment() + "' in " + address + " is not"
                    + " understood; an ssh:// address has no #part" + form);
        }
        String path = u.getPath();
        // ssh://box/~/da3 is ~/da3 on the machine (as in scp), not a folder named ~ at its root
        String dir = path == null || path.isEmpty() || path.equals("/") ? TargetSpec.DEFAULT_REMOTE_DIR
                : path.equals("/~") || path.startsWith("/~/") ? path.substring(1) : path;
        // an IPv6 literal is written [::1] in the address but is ::1 to the SSH client and in known_hosts
        String bare = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
        return new TargetSpec(address, kind, bare, u.getPort() < 0 ? 22 : u.getPort(), user, null, true,
                null, TargetSpec.DEFAULT_KNOWN_HOSTS, dir, null, Map.of(), List.of(), 1, null);
    }

    /**
     * Resolves a target given with {@code --target}.
     *
     * @param file the targets.yaml file
     * @param nameOrAddress {@code local}, a name from the file, or an ssh:// address
     * @return the target
     * @throws SpecException if the name is unknown (listing the known ones)
     * @see #resolve(Path, String, String)
     */
    public static TargetSpec resolve(Path file, String nameOrAddress) {
        return resolve(file, nameOrAddress, COMMAND_LINE);
    }

    /**
     * Resolves a target given on the command line or in a spec.
     *
     * @param file the targets.yaml file
     * @param nameOrAddress {@code local}, a name from the file, or an ssh:// address (anything with
     *     a ':' is read as an address: target names have none)
     * @param givenIn where the value was given, for messages: {@link #COMMAND_LINE} or the spec file
     *     whose {@code target} field it is
     * @return the target
     * @throws SpecException if the name is unknown (listing the known ones)
     */
    public static TargetSpec resolve(Path file, String nameOrAddress, String givenIn) {
        if (nameOrAddress == null) {
            nameOrAddress = TargetSpec.LOCAL;
        }
        if (nameOrAddress.isBlank()) {
            // an empty --target '' (a shell variable that was not set) is not quietly this machine
            throw new SpecException(givenIn, "target", "is empty; give local, a name from " + file.getFileName()
                    + " or ssh://user@host:port");
        }
        if (nameOrAddress.contains(":")) {
            return fromUri(nameOrAddress, givenIn);
        }
        Map<String, TargetSpec> all = load(file);
        TargetSpec t = all.get(nameOrAddress);
        if (t == null) {
            throw new SpecException(givenIn, "target", "'" + nameOrAddress + "' is not a known target; known"
                    + " targets (" + file + "): " + String.join(", ", all.keySet())
                    + "; or give an address ssh://user@host:port");
        }
        return t;
    }
}
