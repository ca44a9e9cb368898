package org.da3.workbench.cli;

import org.da3.workbench.Workspace;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.Targets;

/**
 * Resolves {@code --target} values (or a spec's {@code target}): {@code local}, a name from
 * {@code experiments/targets.yaml}, or {@code ssh://user@host:port[/remote/dir][?kind=jetson]}.
 */
final class TargetOption {
    private TargetOption() {}

    /**
     * Makes the target named on the command line.
     *
     * @param ws the workspace
     * @param name the name or address (null for local)
     * @return the target
     * @throws org.da3.workbench.spec.SpecException naming the known targets if the name is unknown
     */
    static Target resolve(Workspace ws, String name) {
        return Targets.open(ws, name);
    }
}
