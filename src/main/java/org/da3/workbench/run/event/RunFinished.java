package org.da3.workbench.run.event;

import java.util.Map;

/**
 * The last event of a run.
 *
 * @param status completed, failed or cancelled
 * @param seconds wall time of the run
 * @param summary final numbers: accuracy per domain, mean accuracy, peak memory, step time,
 *     trainable parameters, patch bytes, gate sparsity, FLOPs
 */
public record RunFinished(String status, double seconds, Map<String, Object> summary) implements Event {

    /** Run completed normally. */
    public static final String COMPLETED = "completed";
    /** Run stopped by an error. */
    public static final String FAILED = "failed";
    /** Run stopped by the user. */
    public static final String CANCELLED = "cancelled";
}
