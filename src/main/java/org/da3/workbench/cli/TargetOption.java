package org.da3.workbench.cli;

import org.da3.workbench.Workspace;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.Target;
import org.da3.workbench.spec.SpecException;

/** Resolves a target name from the CLI or a spec: {@code local} for now; SSH targets join here. */
final class TargetOption {
    private TargetOption() {}

    static Target resolve(Workspace ws, String name) {
        if (name == null || name.equals("local")) {
            return new LocalTarget();
        }
        throw new SpecException("--target", "target", "'" + name + "' is not a known target; allowed: local");
    }
}
