package org.da3.workbench.ui.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.da3.workbench.memory.MemoryProfile;
import org.da3.workbench.memory.Profiler;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.ui.field.Parsers;
import org.da3.workbench.ui.field.ValidatedField;
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The Memory view's state: the analytic training-memory profile ({@link Profiler}, plain
 * arithmetic, no engine) of every method of the spec set in {@link #specProperty()}, for its
 * backbone, batch and image size; the profile chosen for the per-layer table; and the gate open
 * ratio DA3 is assumed to reach. Profiles are computed off the UI thread whenever the spec
 * changes; only the newest result is kept.
 */
public final class MemoryViewModel {
    private final TaskExecutor executor;
    private final IntSupplier classes;
    private final ObjectProperty<ExperimentSpec> spec = new SimpleObjectProperty<>(this, "spec");
    private final ValidatedField<Double> openRatio = new ValidatedField<>("open_ratio", "1.0",
            Parsers.number(0, 1, "0.7"));
    private final ObservableList<MemoryProfile> profiles = FXCollections.observableArrayList();
    private final ObjectProperty<MemoryProfile> selected = new SimpleObjectProperty<>(this, "selected");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private long generation;

    /**
     * Creates the view model.
     *
     * @param executor runs the profiler off the UI thread
     * @param classes the number of classes of the head (the first domain's), read when profiling
     */
    public MemoryViewModel(TaskExecutor executor, IntSupplier classes) {
        this.executor = Objects.requireNonNull(executor);
        this.classes = Objects.requireNonNull(classes);
        spec.addListener((o, a, b) -> recompute());
        openRatio.valueProperty().addListener((o, a, b) -> recompute());
    }

    /** Profiles the spec's methods again, in the background. */
    public void recompute() {
        ExperimentSpec s = spec.get();
        Double open = openRatio.getValue();
        long gen = ++generation;
        if (s == null || open == null) {
            status.set(s == null ? "the spec in Setup has errors; the profile shows the last valid one" : "");
            return;
        }
        int n = Math.max(1, classes.getAsInt());
        status.set("profiling " + s.methods().size() + " method(s) ...");
        executor.execute(BackgroundTask.of(() -> profile(s, n, open))
                .onSuccess(list -> {
                    if (gen != generation) {
                        return; // a newer spec is being profiled
                    }
                    String keep = selected.get() == null ? null : selected.get().label();
                    profiles.setAll(list);
                    selected.set(list.stream().filter(p -> p.label().equals(keep)).findFirst()
                            .orElse(list.isEmpty() ? null : list.get(list.size() - 1)));
                    status.set(describe(s, n, open));
                })
                .onFailure(e -> {
                    if (gen == generation) {
                        status.set("cannot profile: " + e.getMessage());
                    }
                }));
    }

    /**
     * Profiles every method of a spec.
     *
     * @param s the spec
     * @param classes the head's outputs
     * @param open the DA3 gate open ratio to assume
     * @return one profile per method, in the spec's order
     */
    public static List<MemoryProfile> profile(ExperimentSpec s, int classes, double open) {
        List<MemoryProfile> out = new ArrayList<>();
        for (MethodSpec m : s.methods()) {
            out.add(Profiler.profile(s.backbone().name(), s.backbone().width(), m, classes, s.training().batchSize(),
                    s.training().imageSize(), s.training().optimizer(), s.training().momentum(), open));
        }
        return out;
    }

    private static String describe(ExperimentSpec s, int classes, double open) {
        return String.format(java.util.Locale.ROOT,
                "%s-%d · batch %d · %d px · %d classes · gates %.0f%% open · step memory above the idle"
                        + " baseline",
                s.backbone().name(), s.backbone().width(), s.training().batchSize(), s.training().imageSize(), classes,
                100 * open + 0.0); // + 0.0: a ratio of -0 prints as 0%, not -0%
    }

    /**
     * A profile's layers summed per block: the stem ({@code conv1}, {@code bn1}, ...), each
     * residual block ({@code layer1.0}), and the head, in network order.
     *
     * @param p the profile
     * @return bytes kept for the backward pass per block
     */
    public static Map<String, Long> keptPerBlock(MemoryProfile p) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (MemoryProfile.Layer l : p.layers()) {
            out.merge(blockOf(l.name()), l.keptBytes(), Long::sum);
        }
        return out;
    }

    /**
     * The block a layer belongs to.
     *
     * @param layer a layer name such as {@code layer2.1.conv1}
     * @return {@code layer2.1}, {@code stem} or {@code head}
     */
    static String blockOf(String layer) {
        String[] parts = layer.split("\\.");
        if (parts.length >= 2 && parts[0].startsWith("layer")) {
            return parts[0] + "." + parts[1];
        }
        return layer.startsWith("fc") || layer.startsWith("head") ? "head" : "stem";
    }

    /** @return the spec profiled (the Setup view's valid spec) */
    public ObjectProperty<ExperimentSpec> specProperty() {
        return spec;
    }

    /** @param s the spec to profile */
    public void setSpec(ExperimentSpec s) {
        spec.set(s);
    }

    /** @return the DA3 gate open ratio to assume, 0..1 */
    public ValidatedField<Double> openRatio() {
        return openRatio;
    }

    /** @return one profile per method of the spec */
    public ObservableList<MemoryProfile> profiles() {
        return profiles;
    }

    /** @return the profile whose layers the table lists */
    public ObjectProperty<MemoryProfile> selectedProperty() {
        return selected;
    }

    /** @return the profile whose layers the table lists, or null */
    public MemoryProfile getSelected() {
        return selected.get();
    }

    /** @param p the profile to list */
    public void setSelected(MemoryProfile p) {
        selected.set(p);
    }

    /** @return what was profiled, or why not */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
