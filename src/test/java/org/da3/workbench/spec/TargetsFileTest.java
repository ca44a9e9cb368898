package org.da3.workbench.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** experiments/targets.yaml and ssh:// addresses. */
class TargetsFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("targets.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void theCommittedExampleLoadsAndItsCommentedTargetsToo() throws IOException {
        Path example = TestWorkspace.projectDir().resolve("experiments/targets.yaml");
        Map<String, TargetSpec> plain = TargetsFile.load(example);
        assertThat(plain).containsOnlyKeys("local");
        assertThat(plain.get("local").jvmFlags()).containsExactly("-Xmx4g");

        // remove "# " from the commented entries: they must be valid as written
        String uncommented = Files.readAllLines(example).stream().map(l -> l.startsWith("  # ") ? "  " + l.substring(4) : l)
                .collect(Collectors.joining("\n"));
        Map<String, TargetSpec> all = TargetsFile.load(write(uncommented));
        assertThat(all).containsOnlyKeys("local", "jetson", "lab-box");
        TargetSpec j = all.get("jetson");
        assertThat(j.isJetson()).isTrue();
        assertThat(j.address()).isEqualTo("nvidia@192.168.55.1:22");
        assertThat(j.identityFile()).isEqualTo("~/.ssh/id_ecdsa");
        assertThat(j.environment()).containsKeys("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");
        assertThat(j.environment().get("PYTORCH_VERSION")).isEqualTo("2.5.1");
        assertThat(j.jvmFlags()).containsExactly("-Xmx2g", "-XX:+UseSerialGC");
        assertThat(j.javaExecutable()).isEqualTo("/usr/lib/jvm/java-17-openjdk-arm64/bin/java");
        TargetSpec lab = all.get("lab-box");
        assertThat(lab.kind()).isEqualTo(TargetSpec.LINUX);
        assertThat(lab.port()).isEqualTo(22);
        assertThat(lab.knownHosts()).isEqualTo("~/.ssh/known_hosts");
        assertThat(lab.agent()).isTrue();
        assertThat(lab.javaExecutable()).isEqualTo("java");
    }

    @Test
    void aMissingFileDefinesOnlyLocal() {
        assertThat(TargetsFile.load(dir.resolve("none.yaml"))).containsOnlyKeys("local");
    }

    @Test
    void javaDefaultsToJavaHomeFromTheEnvironment() throws IOException {
        TargetSpec t = TargetsFile.load(write("targets:\n  b: {kind: linux, host: b, environment: {JAVA_HOME: /opt/jdk17/}}\n"))
                .get("b");
        assertThat(t.javaExecutable()).isEqualTo("/opt/jdk17/bin/java");
        assertThat(t.remoteDir()).isEqualTo("~/da3-workbench");
        assertThat(t.user()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void errorsNameTheFileTheFieldAndTheFix() throws IOException {
        String[][] cases = {
            {"targets:\n  j: {kind: jetson, host: h, port: 70000}\n",
                "targets.j.port: 70000 is out of range; use a whole number from 1 to 65535"},
            {"targets:\n  j: {kind: jetson, host: h, port: 0x16}\n",
                "targets.j.port: '0x16' is a hexadecimal number, which YAML reads as 22; write numbers as plain decimals"
                        + " (22)"},
            {"targets:\n  j: {kind: linux, host: h, concurrent_runs: 0_2}\n",
                "targets.j.concurrent_runs: '0_2' has '_' between its digits; write numbers as plain decimals, without"
                        + " '_' (2)"},
            {"targets:\n  j: {kind: jetson, host: h, hots: x}\n", "targets.j.hots: unknown field; allowed fields here:"},
            {"targets:\n  j: {host: h}\n", "targets.j.kind: is missing; use one of local, linux, jetson"},
            {"targets:\n  j: {kind: robot, host: h}\n", "targets.j.kind: 'robot' is not allowed; allowed: local, linux, jetson"},
            {"targets:\n  j: {kind: linux}\n", "targets.j.host: is missing; it is required"},
            {"targets:\n  j: {kind: linux, host: 'a;b'}\n", "targets.j.host: 'a;b' is not a host name or address"},
            {"targets:\n  j: {kind: linux, host: h, environment: {'BAD-NAME': 1}}\n",
                "targets.j.environment.BAD-NAME: is not an environment variable name"},
            {"targets:\n  j: {kind: linux, host: h, jvm_flags: [-Xmx1g, other.jar]}\n",
                "targets.j.jvm_flags[1]: 'other.jar' is not a JVM flag"},
            {"targets:\n  local: {kind: local, host: h}\n", "targets.local.host: does not apply to kind local"},
            {"targets:\n  local: {kind: linux, host: h}\n", "targets.local.kind: the target named local must be of kind local"},
            {"targets:\n  'a b': {kind: linux, host: h}\n", "targets.a b: 'a b' is not a usable target name"},
            {"targets:\n  j: {kind: linux, host: h, user: 'x y'}\n", "targets.j.user: 'x y' is not a user name"},
            {"target:\n  j: {kind: linux}\n", "target: unknown field; did you mean targets? allowed fields here: targets"},
            {"targets:\n  j: {kind: linux, host: h, port: }\n", "targets.j.port: is empty; give a value or remove the key"},
            {"targets:\n  j:\n    kind: linux\n    host: a\n    host: b\n",
                "targets.j.host: is given twice, at line 4 and again at line 5; give each key once"},
        };
        for (String[] c : cases) {
            Path f = write(c[0]);
            assertThatThrownBy(() -> TargetsFile.load(f)).as(c[0]).isInstanceOf(SpecException.class)
                    .hasMessageStartingWith(f + ": " + c[1]);
        }
    }

    @Test
    void sshAddresses() {
        TargetSpec t = TargetsFile.fromUri("ssh://nvidia@orin:2222/data/da3?kind=jetson");
        assertThat(t.name()).isEqualTo("ssh://nvidia@orin:2222/data/da3?kind=jetson");
        assertThat(t.address()).isEqualTo("nvidia@orin:2222");
        assertThat(t.remoteDir()).isEqualTo("/data/da3");
        assertThat(t.isJetson()).isTrue();
        TargetSpec d = TargetsFile.fromUri("ssh://box");
        assertThat(d.port()).isEqualTo(22);
        assertThat(d.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(d.kind()).isEqualTo(TargetSpec.LINUX);
        assertThat(d.remoteDir()).isEqualTo(TargetSpec.DEFAULT_REMOTE_DIR);
        assertThat(d.knownHosts()).isEqualTo(TargetSpec.DEFAULT_KNOWN_HOSTS);
        for (String bad : List.of("http://box", "ssh://", "ssh://a b@box", "ssh://box?kind=toaster")) {
            assertThatThrownBy(() -> TargetsFile.fromUri(bad)).as(bad).isInstanceOf(SpecException.class)
                    .hasMessageContaining("--target: target: ");
        }
        assertThat(TargetsFile.fromUri("ssh://me@box:65535").port()).isEqualTo(65535);
        assertThat(TargetsFile.fromUri("ssh://me@[::1]:2222").host()).isEqualTo("::1");
        assertThat(TargetsFile.fromUri("ssh://me@[::1]:2222").address()).isEqualTo("me@[::1]:2222");
        assertThat(TargetsFile.fromUri("ssh://me@[::1]").port()).isEqualTo(22);
        // the remote home, as scp writes it: not a folder named ~ at the root
        assertThat(TargetsFile.fromUri("ssh://me@box/~/da3 runs".replace(" ", "%20")).remoteDir())
                .isEqualTo("~/da3 runs");
        assertThat(TargetsFile.fromUri("ssh://me@box/~").remoteDir()).isEqualTo("~");
        assertThat(TargetsFile.fromUri("ssh://me@box/data/~x").remoteDir()).isEqualTo("/data/~x");
        assertThatThrownBy(() -> TargetsFile.fromUri("ssh://me@box/data#x")).isInstanceOf(SpecException.class)
                .hasMessageContaining("'#x' in ssh://me@box/data#x is not understood");
    }

    @Test
    void badSshAddressesSayWhichPartIsWrong() {
        String form = "; use ssh://user@host:port[/remote/dir][?kind=jetson]";
        String[][] cases = {
            {"ssh://root@127.0.0.1:99999", "port 99999 in ssh://root@127.0.0.1:99999 is out of range; use a port from 1 to 65535"},
            {"ssh://root@127.0.0.1:0", "port 0 in ssh://root@127.0.0.1:0 is out of range; use a port from 1 to 65535"},
            {"ssh://h:99999999999", "port 99999999999 in ssh://h:99999999999 is out of range; use a port from 1 to 65535"},
            {"ssh://me@host:abc", "port 'abc' in ssh://me@host:abc is not a whole number; use a port from 1 to 65535"},
            {"ssh://me@:22", "'ssh://me@:22' has no host" + form},
            {"ssh://", "'ssh://' has no host" + form},
            {"ssh:/host", "'ssh:/host' is a malformed ssh:// address" + form},
            {"http://box", "'http://box' is not an ssh:// address" + form},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> TargetsFile.fromUri(c[0], "exp.yaml")).as(c[0]).isInstanceOf(SpecException.class)
                    .hasMessage("exp.yaml: target: " + c[1]);
        }
    }

    @Test
    void resolvingAnUnknownNameListsTheKnownOnes() throws IOException {
        Path f = write("targets:\n  nano: {kind: jetson, host: nano}\n");
        assertThat(TargetsFile.resolve(f, null).isLocal()).isTrue();
        assertThat(TargetsFile.resolve(f, "nano").host()).isEqualTo("nano");
        assertThat(TargetsFile.resolve(f, "ssh://u@h:1").port()).isEqualTo(1);
        assertThatThrownBy(() -> TargetsFile.resolve(f, "orin")).hasMessage("--target: target: 'orin' is not a known"
                + " target; known targets (" + f + "): local, nano; or give an address ssh://user@host:port");
        // a value from a spec's target field is blamed on the spec, and anything with ':' is an address
        assertThatThrownBy(() -> TargetsFile.resolve(f, "orin", "exp.yaml"))
                .hasMessageStartingWith("exp.yaml: target: 'orin' is not a known target;");
        assertThatThrownBy(() -> TargetsFile.resolve(f, "ssh:/orin", "exp.yaml"))
                .hasMessageStartingWith("exp.yaml: target: 'ssh:/orin' is a malformed ssh:// address;");
        // an empty value (an unset shell variable) is not quietly this machine
        assertThatThrownBy(() -> TargetsFile.resolve(f, " ")).hasMessage("--target: target: is empty; give local, a"
                + " name from targets.yaml or ssh://user@host:port");
    }
}
