package org.da3.workbench.run.event;

/**
 * A worker event: one JSON object per line on the worker's stdout, wrapped in an {@link Envelope}
 * that adds the schema version, run id, sequence number, time and type. See docs/protocol.md.
 *
 * <p>Readers ignore unknown fields and keep unknown event types as {@link UnknownEvent}, so newer
 * workers can talk to older monitors.
 */
public sealed interface Event
        permits RunStarted, DomainStarted, Progress, TrainMetrics, Evaluation, MemorySample,
                GateStats, InferenceStats, CheckpointSaved, EpochCheckpointSaved, Warning, RunError, RunFinished,
                UnknownEvent {

    /** @return the type name written in the {@code type} field */
    default String type() {
        return EventTypes.nameOf(getClass());
    }
}
