package org.da3.workbench.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link ExperimentSpec} back to YAML, in the layout {@link SpecLoader} reads. With
 * {@code resolved} set, method options carry their defaults, so a run directory records exactly
 * what ran.
 */
public final class SpecWriter {

    private SpecWriter() {}

    /**
     * Converts a spec into an ordered map of plain values.
     *
     * @param spec the spec
     * @param resolved whether to fill in method option defaults
     * @return the map
     */
    public static Map<String, Object> toMap(ExperimentSpec spec, boolean resolved) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", spec.name());
        if (!spec.description().isEmpty()) {
            m.put("description", spec.description());
        }
        m.put("domains", spec.domains());
        List<Object> methods = new ArrayList<>();
        for (MethodSpec ms : spec.methods()) {
            Map<String, Object> opts = resolved ? ms.resolvedOptions() : ms.options();
            // a resolved spec keeps the label the user saw, not one made of the filled-in defaults
            String label = resolved && !opts.isEmpty() ? ms.displayLabel() : ms.label();
            if (opts.isEmpty() && label == null) {
                methods.add(ms.name());
            } else {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", ms.name());
                if (label != null) {
                    e.put("label", label);
                }
                if (!opts.isEmpty()) {
                    e.put("options", opts);
                }
                methods.add(e);
            }
        }
        m.put("methods", methods);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", spec.backbone().name());
        b.put("width", spec.backbone().width());
        if (spec.backbone().weights() != null) {
            b.put("weights", spec.backbone().weights());
        }
        m.put("backbone", b);
        TrainingSpec t = spec.training();
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("epochs", t.epochs());
        tm.put("batch_size", t.batchSize());
        tm.put("optimizer", t.optimizer());
        tm.put("learning_rate", t.learningRate());
        tm.put("momentum", t.momentum());
        tm.put("weight_decay", t.weightDecay());
        tm.put("schedule", t.schedule());
        tm.put("image_size", t.imageSize());
        tm.put("seed", t.seed());
        Map<String, Object> aug = new LinkedHashMap<>();
        aug.put("random_crop", t.augmentation().randomCrop());
        aug.put("padding", t.augmentation().padding());
        aug.put("flip", t.augmentation().flip());
        tm.put("augmentation", aug);
        tm.put("train_limit", t.trainLimit());
        tm.put("test_limit", t.testLimit());
        tm.put("eval_batch_size", t.evalBatchSize());
        tm.put("log_every", t.logEvery());
        tm.put("threads", t.threads());
        tm.put("allocator", t.allocator());
        m.put("training", tm);
        m.put("seeds", spec.seeds());
        m.put("target", spec.target());
        return m;
    }

    /**
     * Writes a spec as YAML text.
     *
     * @param spec the spec
     * @param resolved whether to fill in method option defaults
     * @return the YAML
     */
    public static String toYaml(ExperimentSpec spec, boolean resolved) {
        try {
            return YamlNodes.YAML.writeValueAsString(toMap(spec, resolved));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write spec " + spec.name(), e);
        }
    }
}
