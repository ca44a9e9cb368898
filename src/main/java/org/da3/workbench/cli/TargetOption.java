package org.da3.workbench.cli;

import org.da3.workbench.Workspace;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.Targets;
import org.da3.workbench.spec.TargetsFile;

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
        return resolve(ws, name, TargetsFile.COMMAND_LINE);
    }

    /**
     * Makes a target, blaming a bad name or address on where it was given.
     *
     * @param ws the workspace
     * @param name the name or address (null for local)
     * @param givenIn where it was given: {@link TargetsFile#COMMAND_LINE}, or the spec file whose
     *     {@code target} field it is
     * @return the target
     * @throws org.da3.workbench.spec.SpecException naming {@code givenIn}, the field and the known targets
     */
    static Target resolve(Workspace ws, String name, String givenIn) {
        return Targets.open(TargetsFile.resolve(Targets.file(ws), name, givenIn));
    }
}
