package org.da3.workbench.ui;

import java.io.IOException;
import java.util.List;
import org.da3.workbench.run.Target;

/**
 * Where the GUI can run experiments: the target names to offer, opening one for runs, and a
 * connection test. {@link LocalTargetProvider} offers this machine; a provider reading
 * {@code experiments/targets.yaml} adds remote devices.
 */
public interface TargetProvider {

    /** @return the target names to offer, {@code local} first */
    List<String> names();

    /**
     * The targets' notes ({@code description} in targets.yaml), shown beside the chosen target.
     *
     * @return note by target name; targets without one are absent
     */
    default java.util.Map<String, String> descriptions() {
        return java.util.Map.of();
    }

    /**
     * Whether a target runs on this machine, where the data of the domains must then be.
     *
     * @param name a name from {@link #names()}, or an ssh:// address
     * @return true for {@code local} (and targets of kind local)
     */
    default boolean isLocal(String name) {
        return org.da3.workbench.spec.TargetSpec.LOCAL.equals(name);
    }

    /**
     * Opens a target for runs (the caller closes it).
     *
     * @param name a name from {@link #names()}
     * @return the target
     * @throws IOException if it cannot be reached
     * @throws IllegalArgumentException if no target has that name
     */
    Target open(String name) throws IOException;

    /**
     * Checks that a target can be reached; slow for remote targets, so call it off the UI thread.
     *
     * @param name the target name
     * @return a one-line description of what answered
     * @throws Exception with a message saying what failed
     */
    default String test(String name) throws Exception {
        try (Target t = open(name)) {
            return t.describe();
        }
    }
}
