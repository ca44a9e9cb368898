package org.da3.workbench.run.event;

/**
 * The training state of the domain in training was written at the end of one of its epochs (all
 * but the last), so that a stopped run can continue the domain from the next epoch; it replaces
 * the domain's previous one and is removed when the domain's patch is saved. In a resumed run, one
 * also follows the {@code domain_started} of a domain continued from a stopped run's checkpoint at
 * once, for that checkpoint (then {@code seconds} is 0).
 *
 * @param domain the domain
 * @param epoch the epochs it holds (training continues with the next)
 * @param step the steps done in the domain
 * @param path the file, relative to the run directory ({@code checkpoints/<domain>.safetensors})
 * @param bytes the file size
 * @param sha256 the file's SHA-256 (hex)
 * @param seconds the time writing it and hashing it took
 */
public record EpochCheckpointSaved(String domain, int epoch, long step, String path, long bytes, String sha256,
        double seconds) implements Event {}
