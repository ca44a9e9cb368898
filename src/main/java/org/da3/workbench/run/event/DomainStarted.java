package org.da3.workbench.run.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Training of a domain begins; when the run resumes a stopped one, the domain's patch may instead
 * be taken over from that run ({@code reusedFrom} set, no training steps), or its training may
 * continue from that run's last epoch checkpoint ({@code continuedFrom} and {@code startEpoch}
 * set).
 *
 * @param domainIndex position in the learning order (0-based)
 * @param domain the dataset name
 * @param classes number of classes
 * @param trainSize training images
 * @param testSize test images
 * @param steps training steps this domain takes in all, those done before a checkpoint it
 *     continues from included (0 for a reused patch)
 * @param trainableParams scalars the method trains for this domain
 * @param fingerprint the data's fingerprint
 * @param reusedFrom the run whose patch this domain reuses, or null when the domain is trained
 * @param continuedFrom the run whose epoch checkpoint this domain continues from, or null when it
 *     trains from its first epoch
 * @param startEpoch with {@code continuedFrom}, the first epoch this run trains (the checkpoint
 *     holds the ones before it); null otherwise
 */
public record DomainStarted(int domainIndex, String domain, int classes, int trainSize, int testSize,
        long steps, long trainableParams, String fingerprint,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reusedFrom,
        @JsonInclude(JsonInclude.Include.NON_NULL) String continuedFrom,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer startEpoch) implements Event {

    /**
     * A domain that is trained from its first epoch.
     *
     * @param domainIndex position in the learning order
     * @param domain the dataset name
     * @param classes number of classes
     * @param trainSize training images
     * @param testSize test images
     * @param steps training steps
     * @param trainableParams scalars trained
     * @param fingerprint the data's fingerprint
     */
    public DomainStarted(int domainIndex, String domain, int classes, int trainSize, int testSize, long steps,
            long trainableParams, String fingerprint) {
        this(domainIndex, domain, classes, trainSize, testSize, steps, trainableParams, fingerprint, null, null,
                null);
    }
}
