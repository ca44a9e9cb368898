package org.da3.workbench.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a worker needs for one run, sent as one JSON document on its stdin: the resolved spec,
 * the descriptors of its domains (so a remote worker needs no workspace), the backbone weights
 * path on the worker's machine, where to write patches, and the measurement probes to start.
 * Documented in docs/protocol.md.
 *
 * @param runId the run id (the run directory's name)
 * @param spec the resolved spec of the run as plain values (one method, one seed)
 * @param datasets the descriptor trees of the spec's domains, by name
 * @param weights the backbone weights file on the worker's machine, or null for random init
 * @param outputDir the folder the worker writes patches into, on the worker's machine
 * @param probes extra measurement probes the worker starts, for example {@code ["tegrastats"]}
 *     (see {@code memory.Probes}); empty for none
 * @param resume the domains whose patches already sit in the output folder's {@code patches/}, from
 *     a stopped run of the same spec, and the epoch checkpoint in its {@code checkpoints/} that the
 *     domain the run stopped in continues from; or null to train every domain from its start
 * @param eventsFile a file on the worker's machine the worker also appends every event line to,
 *     before it writes the line to stdout; or null for none. A remote target sets it, so that the
 *     events a lost connection kept from the workbench can be copied back ({@code
 *     ssh.SshTarget#collect}); a local run has the monitor's events.jsonl
 */
public record WorkerRequest(
        @JsonProperty("run_id") String runId,
        @JsonProperty("spec") Map<String, Object> spec,
        @JsonProperty("datasets") Map<String, JsonNode> datasets,
        @JsonProperty("weights") String weights,
        @JsonProperty("output_dir") String outputDir,
        @JsonProperty("probes") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> probes,
        @JsonProperty("resume") @JsonInclude(JsonInclude.Include.NON_NULL) ResumeFrom resume,
        @JsonProperty("events_file") @JsonInclude(JsonInclude.Include.NON_NULL) String eventsFile) {

    /** Checks the required fields. */
    public WorkerRequest {
        Objects.requireNonNull(runId, "run_id");
        Objects.requireNonNull(spec, "spec");
        datasets = datasets == null ? Map.of() : Map.copyOf(datasets);
        Objects.requireNonNull(outputDir, "output_dir");
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    /**
     * The environment the worker's process starts with, for its allocator setting ({@code
     * training.allocator} of the spec): {@link LocalTarget#MEMORY_ENVIRONMENT} for {@code exact},
     * and for {@code reuse} only the arena limit, so glibc keeps freed memory for reuse.
     *
     * @return variables to set
     */
    public Map<String, String> allocatorEnvironment() {
        Object training = spec.get("training");
        Object a = training instanceof Map<?, ?> t ? t.get("allocator") : null;
        if ("reuse".equals(a)) {
            return Map.of("MALLOC_ARENA_MAX", LocalTarget.MEMORY_ENVIRONMENT.get("MALLOC_ARENA_MAX"));
        }
        return LocalTarget.MEMORY_ENVIRONMENT;
    }

    /**
     * A request without probes.
     *
     * @param runId the run id
     * @param spec the resolved spec
     * @param datasets the descriptor trees
     * @param weights the weights path, or null
     * @param outputDir the output folder
     */
    public WorkerRequest(String runId, Map<String, Object> spec, Map<String, JsonNode> datasets, String weights,
            String outputDir) {
        this(runId, spec, datasets, weights, outputDir, List.of(), null, null);
    }

    /**
     * Copies with other weights and output paths (a remote target rewrites them).
     *
     * @param newWeights weights path on the worker's machine
     * @param newOutputDir output folder on the worker's machine
     * @return the copy
     */
    public WorkerRequest relocated(String newWeights, String newOutputDir) {
        return new WorkerRequest(runId, spec, datasets, newWeights, newOutputDir, probes, resume, eventsFile);
    }

    /**
     * Copies with other probes.
     *
     * @param newProbes the probe names
     * @return the copy
     */
    public WorkerRequest withProbes(List<String> newProbes) {
        return new WorkerRequest(runId, spec, datasets, weights, outputDir, newProbes, resume, eventsFile);
    }

    /**
     * Copies with a run to pick up from.
     *
     * @param from the stopped run and the patches reused from it, or null
     * @return the copy
     */
    public WorkerRequest resuming(ResumeFrom from) {
        return new WorkerRequest(runId, spec, datasets, weights, outputDir, probes, from, eventsFile);
    }

    /**
     * Copies with a file the worker also writes its events to.
     *
     * @param file the file on the worker's machine, or null for none
     * @return the copy
     */
    public WorkerRequest withEventsFile(String file) {
        return new WorkerRequest(runId, spec, datasets, weights, outputDir, probes, resume, file);
    }
}
