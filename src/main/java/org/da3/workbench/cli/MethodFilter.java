package org.da3.workbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecException;

/** The {@code -m/--method} option of {@code run} and {@code profile}: some of a spec's methods. */
final class MethodFilter {
    private MethodFilter() {}

    /**
     * Keeps the methods whose label or name was given, and the variants of a sweep whose label
     * was given.
     *
     * @param spec the spec
     * @param only labels or names; empty keeps every method
     * @param specFile the spec's file, for the message
     * @return the spec with those methods, in its own order
     * @throws SpecException naming the spec's methods when none was given
     */
    static ExperimentSpec apply(ExperimentSpec spec, List<String> only, Path specFile) {
        if (only.isEmpty()) {
            return spec;
        }
        List<MethodSpec> keep = new ArrayList<>();
        for (MethodSpec m : spec.methods()) {
            // a label also picks the variants of its sweep (ft picks ft[learning_rate=0.01], ...)
            if (only.contains(m.displayLabel()) || only.contains(m.name())
                    || only.stream().anyMatch(l -> m.displayLabel().startsWith(l + "["))) {
                keep.add(m);
            }
        }
        if (keep.isEmpty()) {
            throw new SpecException(specFile.toString(), "--method", "none of " + only
                    + " is in the spec; its methods: " + spec.methods().stream().map(MethodSpec::displayLabel).toList());
        }
        return spec.withMethods(keep);
    }
}
