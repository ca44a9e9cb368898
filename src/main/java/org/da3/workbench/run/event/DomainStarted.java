package org.da3.workbench.run.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Training of a domain begins, or, when the run resumes a stopped one, the domain's patch is
 * taken over from that run ({@code reusedFrom} set, no training steps).
 *
 * @param domainIndex position in the learning order (0-based)
 * @param domain the dataset name
 * @param classes number of classes
 * @param trainSize training images
 * @param testSize test images
 * @param steps training steps this domain will take (0 for a reused patch)
 * @param trainableParams scalars the method trains for this domain
 * @param fingerprint the data's fingerprint
 * @param reusedFrom the run whose patch this domain reuses, or null when the domain is trained
 */
public record DomainStarted(int domainIndex, String domain, int classes, int trainSize, int testSize,
        long steps, long trainableParams, String fingerprint,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reusedFrom) implements Event {

    /**
     * A domain that is trained.
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
        this(domainIndex, domain, classes, trainSize, testSize, steps, trainableParams, fingerprint, null);
    }
}
