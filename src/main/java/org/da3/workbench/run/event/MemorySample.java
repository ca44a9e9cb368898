package org.da3.workbench.run.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory reading.
 *
 * @param phase what was running: idle (before a domain's first step), train (every log_every steps),
 *     sample (a periodic device reading such as tegrastats)
 * @param source where it comes from: rss (VmRSS/VmHWM of the worker), cuda, tegrastats (the whole
 *     Jetson's RAM, CPU and GPU together)
 * @param currentBytes memory in use now
 * @param peakBytes peak since the phase began (VmHWM after a reset; for tegrastats, the highest
 *     reading since sampling began), or -1
 * @param baselineBytes the idle baseline after model and data were loaded, or -1
 * @param analyticBytes the analytic profiler's prediction of the training-step peak, or -1
 * @param details further numbers of the source, for example tegrastats' {@code ramTotalBytes},
 *     {@code swapUsedBytes}, {@code gpuPercent}, {@code emcPercent}, {@code temperaturesC};
 *     empty (and not written) for most sources
 */
public record MemorySample(String phase, String source, long currentBytes, long peakBytes,
        long baselineBytes, long analyticBytes,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> details) implements Event {

    /** Copies the details. */
    public MemorySample {
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /**
     * A reading without details.
     *
     * @param phase the phase
     * @param source the source
     * @param currentBytes memory in use now
     * @param peakBytes the phase's peak, or -1
     * @param baselineBytes the idle baseline, or -1
     * @param analyticBytes the analytic prediction, or -1
     */
    public MemorySample(String phase, String source, long currentBytes, long peakBytes, long baselineBytes,
            long analyticBytes) {
        this(phase, source, currentBytes, peakBytes, baselineBytes, analyticBytes, Map.of());
    }
}
