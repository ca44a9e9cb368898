package org.da3.workbench.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a run picks up: an earlier run of the same spec that stopped part-way, the patches of the
 * domains it finished, and the epoch checkpoint of the domain it stopped in. The new run reuses
 * those patches (copied into its own {@code patches/} before the worker starts, and checked there
 * against their SHA-256) instead of training those domains again, continues the domain of the
 * checkpoint (copied into its {@code checkpoints/}, checked the same way) from the epoch after
 * it, and trains the others. Sent in the worker request as {@code resume}.
 *
 * @param run the earlier run's id (its folder's name in the same runs folder)
 * @param patches the SHA-256 of each reused domain's patch file, by domain, in learning order
 * @param fingerprints the data fingerprint each reused domain, and the checkpoint's domain, had in
 *     the earlier run (its {@code domain_started} event's), by domain; a domain whose data now has
 *     another one is trained again from its start. Empty when not known.
 * @param checkpoint the epoch checkpoint to continue a domain from, or null for none
 */
public record ResumeFrom(@JsonProperty("run") String run, @JsonProperty("patches") Map<String, String> patches,
        @JsonProperty("fingerprints") Map<String, String> fingerprints,
        @JsonProperty("checkpoint") @JsonInclude(JsonInclude.Include.NON_NULL) Checkpoint checkpoint) {

    /**
     * An epoch checkpoint of the domain a run stopped in ({@code checkpoints/<domain>.safetensors}).
     *
     * @param domain the domain
     * @param epoch the epochs it holds: training continues with the next
     * @param epochs the epochs the domain takes in all (the spec's {@code training.epochs})
     * @param sha256 the file's SHA-256, as its {@code epoch_checkpoint} event gave it
     */
    public record Checkpoint(@JsonProperty("domain") String domain, @JsonProperty("epoch") int epoch,
            @JsonProperty("epochs") int epochs, @JsonProperty("sha256") String sha256) {

        /** Checks the fields. */
        public Checkpoint {
            Objects.requireNonNull(domain, "resume.checkpoint.domain");
            Objects.requireNonNull(sha256, "resume.checkpoint.sha256");
            if (epoch < 1 || epochs <= epoch) {
                throw new IllegalArgumentException("resume.checkpoint.epoch is " + epoch + " of " + epochs
                        + "; a checkpoint holds 1 to epochs - 1 epochs");
            }
        }
    }

    /** Checks the fields and keeps the order of the domains. */
    public ResumeFrom {
        Objects.requireNonNull(run, "resume.run");
        patches = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(patches, "resume.patches")));
        fingerprints = fingerprints == null ? Map.of() : Map.copyOf(fingerprints);
        if (checkpoint != null && patches.containsKey(checkpoint.domain())) {
            throw new IllegalArgumentException("resume.checkpoint.domain '" + checkpoint.domain() + "' is also in"
                    + " resume.patches; a domain is either taken over or continued");
        }
    }

    /**
     * Without an epoch checkpoint.
     *
     * @param run the earlier run's id
     * @param patches the SHA-256 of each reused patch, by domain
     * @param fingerprints the data fingerprint of each reused domain
     */
    public ResumeFrom(String run, Map<String, String> patches, Map<String, String> fingerprints) {
        this(run, patches, fingerprints, null);
    }

    /**
     * Without fingerprints.
     *
     * @param run the earlier run's id
     * @param patches the SHA-256 of each reused patch, by domain
     */
    public ResumeFrom(String run, Map<String, String> patches) {
        this(run, patches, Map.of(), null);
    }

    /**
     * In words, for the terminal and the GUI's log: what a run that resumes from here takes over,
     * where it continues and what it trains, for example {@code takes over shapes, textures from
     * RUN, resumes glyphs at epoch 3 of 5}.
     *
     * @param domains the run's domains
     * @return the phrase
     */
    public String describe(java.util.List<String> domains) {
        String taken = patches.isEmpty() ? null : "takes over " + String.join(", ", patches.keySet()) + " from " + run;
        String cont = checkpoint == null ? null : "resumes " + checkpoint.domain() + " at epoch " + (checkpoint.epoch()
                + 1) + " of " + checkpoint.epochs() + (taken == null ? " from " + run : "");
        String head = taken == null ? cont : cont == null ? taken : taken + ", " + cont;
        int handled = patches.size() + (checkpoint == null ? 0 : 1);
        if (handled < domains.size()) {
            return head + " and trains the rest";
        }
        return checkpoint == null ? head + " (every domain: it evaluates them again and trains none)" : head;
    }

    /**
     * How far the stopped run got, for example {@code 1 of 3 domains} or {@code 1 of 3 domains
     * and 2 of 5 epochs of glyphs}.
     *
     * @param domains the number of the run's domains
     * @return the phrase
     */
    public String progress(int domains) {
        return patches.size() + " of " + domains + " domains" + (checkpoint == null ? "" : " and "
                + checkpoint.epoch() + " of " + checkpoint.epochs() + " epochs of " + checkpoint.domain());
    }
}
