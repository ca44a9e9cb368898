package org.da3.workbench.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.Workspace;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Setup view's targets come from experiments/targets.yaml, local first. */
class WorkspaceTargetProviderTest {

    @Test
    void listsTheTargetsFileAndTestsLocal(@TempDir Path dir) throws Exception {
        Workspace ws = TestWorkspace.create(dir, 10, 10);
        WorkspaceTargetProvider p = new WorkspaceTargetProvider(ws);
        assertThat(p.names()).containsExactly("local");

        Files.writeString(ws.experimentsDir().resolve("targets.yaml"), "targets:\n"
                + "  lab-box:\n    kind: linux\n    host: 127.0.0.1\n    port: 1\n    user: nobody\n"
                + "    known_hosts: " + dir.resolve("known_hosts") + "\n");
        assertThat(p.names()).containsExactly("local", "lab-box");
        assertThat(p.test("local")).startsWith("local");
        assertThatThrownBy(() -> p.test("lab-box")).as("nothing listens on port 1").isInstanceOf(Exception.class);

        Files.writeString(ws.experimentsDir().resolve("targets.yaml"), "targets: [oops\n");
        assertThat(p.names()).as("a broken file still leaves local").containsExactly("local");
    }
}
