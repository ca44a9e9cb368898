package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.test.DatasetFixtures;
import org.da3.workbench.test.SshTestServer;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the GUI's Setup view does beside the form, on the command line: {@code da3 targets list}
 * and {@code test} (against a real SSH server on 127.0.0.1), and {@code da3 datasets add}.
 */
class TargetsAndDatasetsAddCommandTest {
    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @Test
    void listsTheTargetsAndTestsTheirConnections() throws Exception {
        TestWorkspace.create(dir, 8, 8);
        Path keys = Files.createDirectories(dir.resolve("keys"));
        try (SshTestServer server = SshTestServer.start(keys)) {
            Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n"
                    + "  local: {kind: local, description: this laptop}\n"
                    + server.targetsYamlEntry("box", "linux", server.knownHostsFile())
                    + "    description: the test server\n"
                    + "    concurrent_runs: 2\n"
                    + "    remote_dir: " + dir.resolve("remote") + "\n"
                    + server.targetsYamlEntry("stranger", "jetson", dir.resolve("keys/empty_known_hosts")));
            Files.writeString(dir.resolve("keys/empty_known_hosts"), "");
            String ws = dir.toString();
            assertThat(cli.run("targets", "list", "--workspace", ws)).isZero();
            String user = System.getProperty("user.name");
            String addr = user + "@127.0.0.1:" + server.port();
            assertThat(cli.out.toString().lines().toList()).containsExactly(
                    String.format("%-8s  %-6s  %-" + addr.length() + "s  runs at once  description", "name", "kind",
                            "address"),
                    String.format("%-8s  %-6s  %-" + addr.length() + "s  %-12s  this laptop", "local", "local",
                            "this machine", "1"),
                    String.format("%-8s  %-6s  %-" + addr.length() + "s  %-12s  the test server", "box", "linux", addr,
                            "2"),
                    String.format("%-8s  %-6s  %-" + addr.length() + "s  1", "stranger", "jetson", addr));

            cli.clear();
            assertThat(cli.run("targets", "test", "box", "--workspace", ws)).isZero();
            // logged in, and the java the worker would run answered
            assertThat(cli.out.toString().strip()).startsWith("OK: box (ssh " + addr + "), remote folder "
                    + dir.resolve("remote") + "; java on the machine: 'java': ").contains(" version \"");

            // it answers, but its java cannot run the worker: said before anything is uploaded
            Path java8 = Files.createDirectories(dir.resolve("jdk8/bin")).resolve("java");
            Files.writeString(java8, "#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n");
            java8.toFile().setExecutable(true);
            String yaml = Files.readString(dir.resolve("experiments/targets.yaml"));
            Files.writeString(dir.resolve("experiments/targets.yaml"), yaml
                    + server.targetsYamlEntry("old", "linux", server.knownHostsFile())
                    + "    java: " + java8 + "\n    remote_dir: " + dir.resolve("remote-old") + "\n");
            cli.clear();
            assertThat(cli.run("targets", "test", "old", "--workspace", ws)).isEqualTo(3);
            assertThat(cli.err.toString()).startsWith("da3: old answered, but cannot run the worker: ")
                    .contains("is Java 8").contains("set java:");
            assertThat(dir.resolve("remote-old/jars")).doesNotExist();
            Files.writeString(dir.resolve("experiments/targets.yaml"), yaml);

            cli.clear();
            assertThat(cli.run("targets", "test", "stranger", "--workspace", ws)).isEqualTo(1);
            assertThat(cli.err.toString()).startsWith("da3: stranger did not answer: ").contains("127.0.0.1");

            // a key set-up problem here is not a host that did not answer: nothing was tried
            Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n"
                    + server.targetsYamlEntry("keyless", "linux", server.knownHostsFile())
                            .replace("identity_file: " + server.clientKeyFile(), "identity_file: " + keys));
            cli.clear();
            assertThat(cli.run("targets", "test", "keyless", "--workspace", ws)).isEqualTo(2);
            assertThat(cli.err.toString()).startsWith("da3: cannot log in to keyless: ")
                    .contains("identity_file " + keys + " is a folder; give the path of the private key file")
                    .doesNotContain("did not answer");
            Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n"
                    + server.targetsYamlEntry("box", "linux", server.knownHostsFile())
                    + server.targetsYamlEntry("stranger", "jetson", dir.resolve("keys/empty_known_hosts")));

            cli.clear();
            assertThat(cli.run("targets", "test", "nowhere", "--workspace", ws)).isEqualTo(2);
            assertThat(cli.err.toString()).contains("'nowhere' is not a known target").contains("local, box, stranger")
                    .as("the name was given to targets test, not to --target")
                    .contains("da3: targets test: target: 'nowhere'");
        }
    }

    @Test
    void addsAnImageFolderDatasetAsTheGuiDoes() throws Exception {
        TestWorkspace.create(dir, 8, 8);
        Path birds = DatasetFixtures.imageFolder(dir.resolve("data/birds"), "train", new String[] {"ant", "bee"}, 3, 8);
        DatasetFixtures.imageFolder(birds, "test", new String[] {"ant", "bee"}, 1, 8);
        String ws = dir.toString();
        assertThat(cli.run("datasets", "add", "birds", birds.toString(), "--workspace", ws)).isZero();
        assertThat(cli.out.toString().strip()).isEqualTo("added datasets/birds.yaml (imagefolder, " + birds
                + "): 6 training and 2 test images in 2 classes");
        assertThat(Files.readString(dir.resolve("datasets/birds.yaml"))).contains("kind: imagefolder")
                .contains("path: '" + birds + "'");

        assertThat(cli.run("datasets", "add", "birds", birds.toString(), "--workspace", ws)).isEqualTo(2);
        assertThat(cli.err.toString()).contains("datasets/birds.yaml already exists; choose another name");
        cli.clear();
        assertThat(cli.run("datasets", "add", "bad name", birds.toString(), "--workspace", ws)).isEqualTo(2);
        assertThat(cli.err.toString()).contains("'bad name' is not a usable dataset name");
        cli.clear();
        assertThat(cli.run("datasets", "add", "gone", dir.resolve("nothing").toString(), "--workspace", ws)).isEqualTo(2);
        assertThat(cli.err.toString()).contains(dir.resolve("nothing") + " is not a folder");
        assertThat(dir.resolve("datasets/gone.yaml")).doesNotExist();
        cli.clear();
        // an IDX folder is not an ImageFolder: nothing written, and the kind it looks like is named
        Path mnist = DatasetFixtures.idxDataset(dir.resolve("data/mnist"), 6, 2, 2, true);
        assertThat(cli.run("datasets", "add", "digits", mnist.toString(), "--workspace", ws)).isEqualTo(2);
        assertThat(cli.err.toString()).contains(mnist + " has no train/ folder, so it is not an ImageFolder")
                .contains("it looks like an idx dataset: write datasets/digits.yaml with kind: idx")
                .contains("nothing was written");
        assertThat(dir.resolve("datasets/digits.yaml")).doesNotExist();
        cli.clear();
        assertThat(cli.run("datasets", "add", "birds2", birds.toString(), "--workspace", dir.resolve("nows").toString()))
                .isEqualTo(2);
        assertThat(cli.err.toString()).contains("--workspace " + dir.resolve("nows") + ": no such folder");
        assertThat(dir.resolve("nows")).doesNotExist();
    }
}
