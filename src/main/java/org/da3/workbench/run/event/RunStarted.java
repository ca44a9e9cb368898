package org.da3.workbench.run.event;

import java.util.Map;

/**
 * The first event of a run: what runs, where, with which versions.
 *
 * @param experiment the experiment name
 * @param method the method's registry name
 * @param label the method's label (name plus options)
 * @param seed the run's seed
 * @param domains the domains in learning order
 * @param spec the resolved spec (plain values, as in spec.yaml)
 * @param manifest versions, hardware, environment and dataset fingerprints
 */
public record RunStarted(String experiment, String method, String label, long seed,
        java.util.List<String> domains, Map<String, Object> spec, Map<String, Object> manifest)
        implements Event {}
