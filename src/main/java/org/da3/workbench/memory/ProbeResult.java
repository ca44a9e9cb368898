package org.da3.workbench.memory;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What a memory probe measured.
 *
 * @param label the method label
 * @param baselineBytes RSS after the backbone, the patch and the batch data were made (the idle
 *     baseline)
 * @param stepPeakBytes per step (warm-up first): peak RSS during the step above the idle baseline
 * @param stepSeconds per step: wall time
 * @param trainableParams scalars trained
 * @param frozenPath whether the step ran on the frozen path
 * @param microBatch the frozen path's micro-batch (0: whole batch)
 * @param mallocMmapThreshold the MALLOC_MMAP_THRESHOLD_ setting the probe ran with
 * @param gateOpenRatio the gates' open ratio over the measured steps (null for methods without
 *     gates)
 */
public record ProbeResult(
        @JsonProperty("label") String label,
        @JsonProperty("baseline_bytes") long baselineBytes,
        @JsonProperty("step_peak_bytes") List<Long> stepPeakBytes,
        @JsonProperty("step_seconds") List<Double> stepSeconds,
        @JsonProperty("trainable_params") long trainableParams,
        @JsonProperty("frozen_path") boolean frozenPath,
        @JsonProperty("micro_batch") int microBatch,
        @JsonProperty("malloc_mmap_threshold") String mallocMmapThreshold,
        @JsonProperty("gate_open_ratio") Double gateOpenRatio) {

    /** @return the highest measured step peak above the baseline (warm-up included) */
    public long peakBytes() {
        return stepPeakBytes.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /**
     * The median step time after warm-up.
     *
     * @param warmup steps to skip
     * @return seconds
     */
    public double medianStepSeconds(int warmup) {
        List<Double> s = stepSeconds.subList(Math.min(warmup, stepSeconds.size()), stepSeconds.size());
        if (s.isEmpty()) {
            return Double.NaN;
        }
        double[] a = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
