package org.da3.workbench.run.event;

/**
 * An accuracy measured on a domain's test split.
 *
 * @param domain the domain evaluated
 * @param domainIndex its position in the learning order
 * @param afterDomain the index of the last domain trained when this was measured
 * @param epoch the epoch of {@code afterDomain} just finished (0 for the final evaluation after
 *     the domain, with its saved patch reloaded)
 * @param split "test" (or "train")
 * @param accuracy correct / total
 * @param correct images classified right
 * @param total images evaluated
 * @param fromCheckpoint true when the patch was reloaded from disk onto a fresh backbone
 */
public record Evaluation(String domain, int domainIndex, int afterDomain, int epoch, String split,
        double accuracy, long correct, long total, boolean fromCheckpoint) implements Event {}
