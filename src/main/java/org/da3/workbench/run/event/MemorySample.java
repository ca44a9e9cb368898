package org.da3.workbench.run.event;

/**
 * A memory reading.
 *
 * @param phase what was running: idle, train, eval, step (a single training step), ...
 * @param source where it comes from: rss (VmRSS/VmHWM of the worker), cuda, tegrastats
 * @param currentBytes memory in use now
 * @param peakBytes peak since the phase began (VmHWM after a reset), or -1
 * @param baselineBytes the idle baseline after model and data were loaded, or -1
 * @param analyticBytes the analytic profiler's prediction of the training-step peak, or -1
 */
public record MemorySample(String phase, String source, long currentBytes, long peakBytes,
        long baselineBytes, long analyticBytes) implements Event {}
