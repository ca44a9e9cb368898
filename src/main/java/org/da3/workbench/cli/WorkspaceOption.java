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
        if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--workspace " + dir + ": " + (java.nio.file.Files.exists(dir)
                    ? "is not a folder" : "no such folder") + "; give the workspace folder (the one that holds"
                    + " datasets/ and experiments/)");
        }
        return dir == null ? Workspace.locate(null) : new Workspace(dir);
    }
}
