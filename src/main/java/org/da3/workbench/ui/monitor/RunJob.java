package org.da3.workbench.ui.monitor;

import java.util.Objects;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.spec.ExperimentSpec;

/**
 * One entry of the run queue: a planned run of an experiment, or the pretraining of the backbone
 * it needs first.
 *
 * @param id a number unique in this session
 * @param label what the queue shows, for example {@code linear s7}
 * @param experiment the experiment's spec
 * @param run the planned run, or null for pretraining
 * @param target the target's name
 */
public record RunJob(int id, String label, ExperimentSpec experiment, PlannedRun run, String target) {

    /** Checks the fields. */
    public RunJob {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(target, "target");
    }

    /**
     * The same job, picking up from a stopped run.
     *
     * @param from the stopped run and the patches it finished
     * @return the copy, with the same id
     */
    public RunJob resuming(org.da3.workbench.run.ResumeFrom from) {
        return new RunJob(id, label, experiment, run.resuming(from), target);
    }

    /** @return whether this job pretrains the backbone rather than running a method */
    public boolean isPretraining() {
        return run == null;
    }
}
