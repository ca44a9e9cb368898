package org.da3.workbench.ui;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.Targets;
import org.da3.workbench.spec.SpecException;

/**
 * Offers the targets of a workspace's {@code experiments/targets.yaml} ({@code local} first, then
 * SSH targets such as a Jetson), through {@link Targets}, the same place {@code da3 run --target}
 * uses. The file is read again each time, so edits show without a restart.
 */
public final class WorkspaceTargetProvider implements TargetProvider {
    private final Workspace workspace;

    /**
     * Creates the provider.
     *
     * @param workspace the workspace
     */
    public WorkspaceTargetProvider(Workspace workspace) {
        this.workspace = workspace;
    }

    /** @return the target names; just {@code local} when targets.yaml is missing or invalid */
    @Override
    public List<String> names() {
        List<String> out = new ArrayList<>();
        out.add("local");
        try {
            for (String n : Targets.list(workspace).keySet()) {
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        } catch (SpecException | IllegalArgumentException e) {
            // an invalid targets.yaml: local still works; the test button shows the error
        }
        return out;
    }

    /** @return the notes of targets.yaml's targets; none when it is missing or invalid */
    @Override
    public java.util.Map<String, String> descriptions() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        try {
            Targets.list(workspace).forEach((n, t) -> {
                if (t.description() != null && !t.description().isBlank()) {
                    out.put(n, t.description().strip());
                }
            });
        } catch (SpecException | IllegalArgumentException e) {
            // an invalid targets.yaml: the test button shows the error
        }
        return out;
    }

    @Override
    public boolean isLocal(String name) {
        if (org.da3.workbench.spec.TargetSpec.LOCAL.equals(name)) {
            return true;
        }
        try {
            org.da3.workbench.spec.TargetSpec t = Targets.list(workspace).get(name);
            return t != null && org.da3.workbench.spec.TargetSpec.LOCAL.equals(t.kind());
        } catch (SpecException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Target open(String name) {
        return Targets.open(workspace, name);
    }

    /**
     * Checks a target: for SSH targets, connects and logs in without running anything.
     *
     * @param name the target
     * @return what answered
     * @throws IOException with the reason the connection failed
     */
    @Override
    public String test(String name) throws IOException {
        return Targets.test(workspace, name);
    }
}
