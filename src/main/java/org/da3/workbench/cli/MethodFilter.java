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
     * @throws SpecException naming the spec's methods when a name given is none of them
     */
    static ExperimentSpec apply(ExperimentSpec spec, List<String> only, Path specFile) {
        if (only.isEmpty()) {
            return spec;
        }
        List<MethodSpec> keep = new ArrayList<>();
        List<String> unmatched = new ArrayList<>(only);
        for (MethodSpec m : spec.methods()) {
            // a label also picks the variants of its sweep (ft picks ft[learning_rate=0.01], ...)
            List<String> picks = only.stream().filter(l -> l.equals(m.displayLabel()) || l.equals(m.name())
                    || m.displayLabel().startsWith(l + "[")).toList();
            if (!picks.isEmpty()) {
                keep.add(m);
                unmatched.removeAll(picks);
            }
        }
        if (!unmatched.isEmpty()) {
            // a typo beside a good name would otherwise drop that method without a word
            String which = unmatched.size() == only.size() ? "none of " + only + " is"
                    : String.join(", ", unmatched) + (unmatched.size() == 1 ? " is not" : " are not");
            throw new SpecException(specFile.toString(), "--method", which + " in the spec; its methods: "
                    + spec.methods().stream().map(MethodSpec::displayLabel).toList());
        }
        return spec.withMethods(keep);
    }
}
