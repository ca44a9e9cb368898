package org.da3.workbench.spec;

import java.util.List;
import java.util.Objects;

/**
 * An experiment: which domains, in which order, with which methods, on which backbone, trained
 * how, on which target. Immutable; read by {@link SpecLoader}, written by {@link SpecWriter}.
 *
 * <p>Each (method, seed) pair is one run: a worker that learns the domains in order and evaluates
 * every domain seen so far after each one.
 *
 * @param name the experiment name; runs go under {@code experiments/<name>/runs/}
 * @param description free text
 * @param domains dataset names from {@code datasets/}, in learning order
 * @param methods the methods to compare
 * @param backbone the shared backbone
 * @param training how each domain is trained
 * @param seeds the seeds to repeat each method with (at least one)
 * @param target where runs execute: {@code local}, a name from {@code experiments/targets.yaml},
 *     or {@code ssh://user@host:port}
 */
public record ExperimentSpec(
        String name,
        String description,
        List<String> domains,
        List<MethodSpec> methods,
        BackboneSpec backbone,
        TrainingSpec training,
        List<Long> seeds,
        String target) {

    /** Copies the lists and checks the invariants. */
    public ExperimentSpec {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        domains = List.copyOf(domains);
        methods = List.copyOf(methods);
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(training, "training");
        seeds = seeds == null || seeds.isEmpty() ? List.of(training.seed()) : List.copyOf(seeds);
        target = target == null || target.isBlank() ? "local" : target;
        if (domains.isEmpty() || methods.isEmpty()) {
            throw new IllegalArgumentException("an experiment needs a domain and a method");
        }
    }

    /**
     * The spec of one run: a single method and a single seed.
     *
     * @param method the method
     * @param seed the seed
     * @return the copy
     */
    public ExperimentSpec forRun(MethodSpec method, long seed) {
        return new ExperimentSpec(name, description, domains, List.of(method), backbone,
                training.withSeed(seed), List.of(seed), target);
    }

    /**
     * Copies with another method list.
     *
     * @param newMethods the methods
     * @return the copy
     */
    public ExperimentSpec withMethods(List<MethodSpec> newMethods) {
        return new ExperimentSpec(name, description, domains, newMethods, backbone, training, seeds,
                target);
    }

    /**
     * Copies with another target.
     *
     * @param newTarget the target
     * @return the copy
     */
    public ExperimentSpec withTarget(String newTarget) {
        return new ExperimentSpec(name, description, domains, methods, backbone, training, seeds,
                newTarget);
    }
}
