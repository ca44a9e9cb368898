package org.da3.workbench.run.event;

/**
 * Training metrics over the last {@code log_every} steps.
 *
 * @param domain the domain
 * @param epoch the epoch (1-based)
 * @param step steps done in this domain
 * @param runStep steps done in the run
 * @param loss mean loss (cross-entropy plus any budget term)
 * @param accuracy training accuracy over those steps
 * @param learningRate the current learning rate
 * @param stepSeconds mean seconds per step
 * @param imagesPerSecond training throughput
 */
public record TrainMetrics(String domain, int epoch, long step, long runStep, double loss, double accuracy,
        double learningRate, double stepSeconds, double imagesPerSecond) implements Event {}
