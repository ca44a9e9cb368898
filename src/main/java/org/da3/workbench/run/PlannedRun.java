package org.da3.workbench.run;

import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;

/**
 * One run of an experiment, before it starts: a method and a seed, and the earlier run it resumes
 * from, if any.
 *
 * @param spec the run's spec (one method, one seed)
 * @param method the method
 * @param seed the seed
 * @param resume the stopped run whose finished domains it reuses (and whose epoch checkpoint it
 *     continues from), or null to train every domain
 */
public record PlannedRun(ExperimentSpec spec, MethodSpec method, long seed, ResumeFrom resume) {

    /**
     * A run that trains every domain.
     *
     * @param spec the run's spec
     * @param method the method
     * @param seed the seed
     */
    public PlannedRun(ExperimentSpec spec, MethodSpec method, long seed) {
        this(spec, method, seed, null);
    }

    /**
     * The same run, picking up from a stopped one.
     *
     * @param from the earlier run and its finished domains' patches
     * @return the copy
     */
    public PlannedRun resuming(ResumeFrom from) {
        return new PlannedRun(spec, method, seed, from);
    }

    /** @return a label for queues and progress lines, for example {@code da3 s42} */
    public String label() {
        return method.displayLabel() + " s" + seed;
    }
}
