package org.da3.workbench.run.event;

import java.util.List;

/**
 * DA3 gate statistics over the last {@code log_every} steps (or an evaluation).
 *
 * @param domain the domain
 * @param step steps done in this domain (-1 for an evaluation)
 * @param runStep steps done in the run
 * @param openRatio mean open ratio over blocks and samples
 * @param perBlock open ratio per residual block, in network order
 * @param phase "train" or "eval"
 */
public record GateStats(String domain, long step, long runStep, double openRatio, List<Double> perBlock,
        String phase) implements Event {

    /** Copies the list. */
    public GateStats {
        perBlock = List.copyOf(perBlock);
    }

    /** @return gate sparsity, 1 - open ratio */
    public double sparsity() {
        return 1 - openRatio;
    }
}
