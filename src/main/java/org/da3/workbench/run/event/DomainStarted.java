package org.da3.workbench.run.event;

/**
 * Training of a domain begins.
 *
 * @param domainIndex position in the learning order (0-based)
 * @param domain the dataset name
 * @param classes number of classes
 * @param trainSize training images
 * @param testSize test images
 * @param steps training steps this domain will take
 * @param trainableParams scalars the method trains for this domain
 * @param fingerprint the data's fingerprint
 */
public record DomainStarted(int domainIndex, String domain, int classes, int trainSize, int testSize,
        long steps, long trainableParams, String fingerprint) implements Event {}
