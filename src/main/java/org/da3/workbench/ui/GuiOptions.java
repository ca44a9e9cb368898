package org.da3.workbench.ui;

import java.nio.file.Path;
import java.util.Objects;
import org.da3.workbench.Workspace;

/**
 * How the workbench window starts.
 *
 * @param workspace the workspace (datasets/, experiments/, pretrained/)
 * @param spec the spec to load at start, or null for an empty form
 * @param stateFile where window state is remembered (see {@link WindowState#defaultFile()})
 * @param screenshots a folder to write screenshots of every view to during a real run of the
 *     spec, then quit; null for a normal session
 */
public record GuiOptions(Workspace workspace, Path spec, Path stateFile, Path screenshots) {

    /** Checks the fields. */
    public GuiOptions {
        Objects.requireNonNull(workspace, "workspace");
    }
}
