package org.da3.workbench.run;

import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;

/**
 * One run of an experiment, before it starts: a method and a seed.
 *
 * @param spec the run's spec (one method, one seed)
 * @param method the method
 * @param seed the seed
 */
public record PlannedRun(ExperimentSpec spec, MethodSpec method, long seed) {

    /** @return a label for queues and progress lines, for example {@code da3 s42} */
    public String label() {
        return method.displayLabel() + " s" + seed;
    }
}
