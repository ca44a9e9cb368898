package org.da3.workbench.cli;

import java.nio.file.Path;
import org.da3.workbench.Workspace;
import picocli.CommandLine.Option;

/** {@code --workspace DIR}, for commands that work on the workspace rather than on a spec file. */
final class WorkspaceOption {
    @Option(names = "--workspace", paramLabel = "DIR",
            description = "the workspace folder (default: $DA3_HOME, else found from the current folder up)")
    Path dir;

    /** @return the workspace named, or the one around the current folder */
    Workspace workspace() {
        return dir == null ? Workspace.locate(null) : new Workspace(dir);
    }
}
