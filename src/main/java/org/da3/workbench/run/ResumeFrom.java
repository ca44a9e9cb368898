package org.da3.workbench.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a run picks up: an earlier run of the same spec that stopped part-way, and the patches of
 * the domains it finished. The new run reuses those patches (copied into its own {@code patches/}
 * before the worker starts, and checked there against their SHA-256) instead of training those
 * domains again, and trains the others. Sent in the worker request as {@code resume}.
 *
 * @param run the earlier run's id (its folder's name in the same runs folder)
 * @param patches the SHA-256 of each reused domain's patch file, by domain, in learning order
 * @param fingerprints the data fingerprint each reused domain had when its patch was trained (its
 *     {@code domain_started} event's), by domain; a domain whose data now has another one is
 *     trained again. Empty when not known.
 */
public record ResumeFrom(@JsonProperty("run") String run, @JsonProperty("patches") Map<String, String> patches,
        @JsonProperty("fingerprints") Map<String, String> fingerprints) {

    /** Checks the fields and keeps the order of the domains. */
    public ResumeFrom {
        Objects.requireNonNull(run, "resume.run");
        patches = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(patches, "resume.patches")));
        fingerprints = fingerprints == null ? Map.of() : Map.copyOf(fingerprints);
    }

    /**
     * Without fingerprints.
     *
     * @param run the earlier run's id
     * @param patches the SHA-256 of each reused patch, by domain
     */
    public ResumeFrom(String run, Map<String, String> patches) {
        this(run, patches, Map.of());
    }
}
