package org.da3.workbench.run.event;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one place that maps event type names to record classes. */
public final class EventTypes {
    private static final Map<String, Class<? extends Event>> BY_NAME = new LinkedHashMap<>();
    private static final Map<Class<? extends Event>, String> BY_CLASS = new LinkedHashMap<>();

    static {
        put("run_started", RunStarted.class);
        put("domain_started", DomainStarted.class);
        put("progress", Progress.class);
        put("train_metrics", TrainMetrics.class);
        put("evaluation", Evaluation.class);
        put("memory", MemorySample.class);
        put("gate_stats", GateStats.class);
        put("inference", InferenceStats.class);
        put("checkpoint_saved", CheckpointSaved.class);
        put("epoch_checkpoint", EpochCheckpointSaved.class);
        put("warning", Warning.class);
        put("error", RunError.class);
        put("run_finished", RunFinished.class);
    }

    private EventTypes() {}

    private static void put(String name, Class<? extends Event> c) {
        BY_NAME.put(name, c);
        BY_CLASS.put(c, name);
    }

    /**
     * The type name of an event class.
     *
     * @param c the class
     * @return the name written in the {@code type} field
     */
    public static String nameOf(Class<? extends Event> c) {
        String n = BY_CLASS.get(c);
        if (n == null) {
            throw new IllegalArgumentException("no type name for " + c);
        }
        return n;
    }

    /**
     * The record class of a type name.
     *
     * @param name the type name
     * @return the class, or null for an unknown type
     */
    public static Class<? extends Event> classOf(String name) {
        return BY_NAME.get(name);
    }

    /** @return every known type name */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
    }
}
