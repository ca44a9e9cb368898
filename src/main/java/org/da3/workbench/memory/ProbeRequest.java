package org.da3.workbench.memory;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One measurement: a method's training steps on a synthetic batch, in a fresh worker JVM.
 *
 * @param arch backbone architecture
 * @param width backbone width
 * @param imageSize input side
 * @param batch images per step
 * @param classes head outputs
 * @param method the method's name
 * @param options the method's options
 * @param label the label to report
 * @param steps measured steps
 * @param warmup steps before measuring (their peaks are reported too)
 * @param optimizer sgd or adam (a method option overrides it)
 * @param learningRate learning rate (a method option overrides it)
 * @param momentum SGD momentum
 * @param threads intra-op threads (0: default)
 * @param seed seed of the synthetic data and initialisation
 * @param gateOpen for gated methods: set the gates so that this fraction of the batch passes each
 *     gate before every step (as training leaves them at the budget's target) and hold them there;
 *     null: as created (every gate open), then trained by the measured steps
 */
public record ProbeRequest(
        @JsonProperty("arch") String arch,
        @JsonProperty("width") int width,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("batch") int batch,
        @JsonProperty("classes") int classes,
        @JsonProperty("method") String method,
        @JsonProperty("options") Map<String, Object> options,
        @JsonProperty("label") String label,
        @JsonProperty("steps") int steps,
        @JsonProperty("warmup") int warmup,
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("momentum") double momentum,
        @JsonProperty("threads") int threads,
        @JsonProperty("seed") long seed,
        @JsonProperty("gate_open") Double gateOpen) {

    /** Fills defaults. */
    public ProbeRequest {
        options = options == null ? Map.of() : Map.copyOf(options);
        label = label == null ? method : label;
    }
}
