package org.da3.workbench.run.event;

/**
 * How far the run is.
 *
 * @param domainIndex the domain being trained
 * @param domain its name
 * @param epoch the epoch (1-based)
 * @param step steps done in this domain
 * @param steps steps this domain takes
 * @param runStep steps done in the whole run
 * @param runSteps steps the whole run takes
 * @param elapsedSeconds seconds since the run started
 * @param etaSeconds estimated seconds to the end of the run (training steps only)
 */
public record Progress(int domainIndex, String domain, int epoch, long step, long steps, long runStep,
        long runSteps, double elapsedSeconds, double etaSeconds) implements Event {}
