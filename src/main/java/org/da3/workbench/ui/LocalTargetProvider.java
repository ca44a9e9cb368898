package org.da3.workbench.ui;

import java.util.List;
import org.da3.workbench.run.LocalTarget;
import org.da3.workbench.run.Target;

/** Offers only this machine: runs start as child JVMs through {@link LocalTarget}. */
public final class LocalTargetProvider implements TargetProvider {

    @Override
    public List<String> names() {
        return List.of("local");
    }

    @Override
    public Target open(String name) {
        if (!"local".equals(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a known target; allowed: local");
        }
        return new LocalTarget();
    }
}
