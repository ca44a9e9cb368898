package org.da3.workbench.ui.setup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javafx.beans.Observable;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.report.OutputGuard;
import org.da3.workbench.run.AtomicFiles;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.spec.AugmentationSpec;
import org.da3.workbench.spec.BackboneSpec;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodInfo;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.spec.SpecWriter;
import org.da3.workbench.spec.TargetsFile;
import org.da3.workbench.spec.TrainingSpec;
import org.da3.workbench.ui.TargetProvider;
import org.da3.workbench.ui.field.Parsers;
import org.da3.workbench.ui.field.ValidatedField;
import org.da3.workbench.ui.task.BackgroundTask;
import org.da3.workbench.ui.task.TaskExecutor;

/**
 * The Setup view's state and actions: every field of an experiment spec, validated as typed; the
 * spec they make (null while any field is wrong); save, load, launch and stop.
 *
 * <p>The whole spec is re-checked on every change with the same {@link SpecLoader} the CLI uses,
 * so what the GUI launches is exactly what {@code da3 run} would accept. Errors found that way are
 * put on the field they name.
 */
public final class SetupViewModel {
    private static final TrainingSpec D = TrainingSpec.DEFAULTS;

    private final Workspace workspace;
    private final TaskExecutor executor;
    private final TargetProvider targets;

    private final ValidatedField<String> name = new ValidatedField<>("name", "experiment", Parsers.name("experiment"));
    private final StringProperty description = new SimpleStringProperty(this, "description", "");
    private final ObservableList<DomainItem> domains =
            FXCollections.observableArrayList(d -> new Observable[] {d.selectedProperty()});
    private final ObservableList<MethodItem> methods =
            FXCollections.observableArrayList(MethodItem::observables);

    private final ObjectProperty<String> backbone = new SimpleObjectProperty<>(this, "backbone", "resnet26");
    private final ValidatedField<Integer> width = new ValidatedField<>("backbone.width", "64", Parsers.integer(4, 512));
    private final ValidatedField<String> weights = new ValidatedField<>("backbone.weights", "", s -> {
        if (!s.isEmpty() && !(s.endsWith(".safetensors") || s.endsWith(".npz"))) {
            throw new IllegalArgumentException("'" + s + "' is not a weights file; use a .safetensors or .npz file"
                    + " with torchvision parameter names, or leave empty for a random initialisation");
        }
        return s;
    });
    private final ReadOnlyStringWrapper weightsNote = new ReadOnlyStringWrapper(this, "weightsNote", "");

    private final ValidatedField<Integer> epochs = intField("training.epochs", D.epochs(), 1, 10_000);
    private final ValidatedField<Integer> batchSize = intField("training.batch_size", D.batchSize(), 1, 4096);
    private final ObjectProperty<String> optimizer = new SimpleObjectProperty<>(this, "optimizer", D.optimizer());
    private final ValidatedField<Double> learningRate = new ValidatedField<>("training.learning_rate",
            Double.toString(D.learningRate()), Parsers.number(TrainingSpec.MIN_LEARNING_RATE, 10, "0.01"));
    private final ValidatedField<Double> momentum = new ValidatedField<>("training.momentum",
            Double.toString(D.momentum()), Parsers.number(0, 0.999, "0.9"));
    private final ValidatedField<Double> weightDecay = new ValidatedField<>("training.weight_decay",
            Double.toString(D.weightDecay()), Parsers.number(0, 1, "5e-4"));
    private final ObjectProperty<String> schedule = new SimpleObjectProperty<>(this, "schedule", D.schedule());
    private final ObjectProperty<String> allocator = new SimpleObjectProperty<>(this, "allocator", D.allocator());
    private final ValidatedField<Integer> imageSize = intField("training.image_size", D.imageSize(), 8, 1024);
    private final BooleanProperty randomCrop = new SimpleBooleanProperty(this, "randomCrop", D.augmentation().randomCrop());
    private final ValidatedField<Integer> padding = intField("training.augmentation.padding", D.augmentation().padding(), 0, 64);
    private final BooleanProperty flip = new SimpleBooleanProperty(this, "flip", D.augmentation().flip());
    private final ValidatedField<Integer> trainLimit = intField("training.train_limit", D.trainLimit(), 0, Integer.MAX_VALUE);
    private final ValidatedField<Integer> testLimit = intField("training.test_limit", D.testLimit(), 0, Integer.MAX_VALUE);
    private final ValidatedField<Integer> evalBatchSize = intField("training.eval_batch_size", D.evalBatchSize(), 1, 4096);
    private final ValidatedField<Integer> logEvery = intField("training.log_every", D.logEvery(), 1, 1_000_000);
    private final ValidatedField<Integer> threads = intField("training.threads", D.threads(), 0, 1024);
    private final ValidatedField<List<Long>> seeds = new ValidatedField<>("seeds", Long.toString(D.seed()), Parsers.longList());

    private final ObservableList<String> targetNames = FXCollections.observableArrayList();
    /** The targets the provider knows (targetNames also holds a loaded spec's unknown target, to show it). */
    private List<String> knownTargets = List.of();
    private final ObjectProperty<String> target = new SimpleObjectProperty<>(this, "target", "local");
    private java.util.Map<String, String> targetNotes = java.util.Map.of();
    private final ReadOnlyStringWrapper targetStatus = new ReadOnlyStringWrapper(this, "targetStatus", "");

    private final ObjectProperty<Path> specFile = new SimpleObjectProperty<>(this, "specFile");
    private final ReadOnlyObjectWrapper<ExperimentSpec> spec = new ReadOnlyObjectWrapper<>(this, "spec");
    /** The valid spec as the form has it, before the loader expands sweeps into variants (what Save writes). */
    private ExperimentSpec asWritten;
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private final BooleanProperty resume = new SimpleBooleanProperty(this, "resume");
    private final ReadOnlyBooleanWrapper canLaunch = new ReadOnlyBooleanWrapper(this, "canLaunch");

    private Consumer<ExperimentSpec> onLaunch = s -> {};
    private Runnable onStop = () -> {};
    private boolean filling;
    private boolean catalogRead;

    /**
     * Creates the view model with an empty spec and the catalog's methods (none chosen).
     *
     * @param workspace the workspace (datasets/, experiments/, pretrained/)
     * @param executor runs catalog reads and connection tests off the UI thread
     * @param targets the targets to offer
     */
    public SetupViewModel(Workspace workspace, TaskExecutor executor, TargetProvider targets) {
        this.workspace = Objects.requireNonNull(workspace);
        this.executor = Objects.requireNonNull(executor);
        this.targets = Objects.requireNonNull(targets);
        knownTargets = List.copyOf(targets.names());
        targetNames.setAll(knownTargets);
        for (MethodInfo info : MethodCatalog.all()) {
            methods.add(new MethodItem(info, "methods[" + methods.size() + "]"));
        }
        // change listeners (not invalidation listeners, which go quiet until the value is read)
        ChangeListener<Object> check = (o, a, b) -> revalidate();
        for (ValidatedField<?> f : fields()) {
            f.textProperty().addListener(check);
        }
        for (ObservableValue<?> o : List.of(description, backbone, optimizer, schedule, allocator, randomCrop, flip, target,
                running)) {
            o.addListener(check);
        }
        target.addListener((o, a, b) -> showTargetNote());
        // a new architecture brings its own input size, unless the user has set one of their own
        backbone.addListener((o, a, b) -> {
            if (a != null && b != null && imageSize.getText().trim().equals(Integer.toString(BackboneSpec.nativeImageSize(a)))) {
                imageSize.setText(Integer.toString(BackboneSpec.nativeImageSize(b)));
            }
        });
        domains.addListener((ListChangeListener<DomainItem>) c -> revalidate());
        methods.addListener((ListChangeListener<MethodItem>) c -> revalidate());
        revalidate();
    }

    private static ValidatedField<Integer> intField(String name, int initial, long min, long max) {
        return new ValidatedField<>(name, Integer.toString(initial), Parsers.integer(min, max));
    }

    /** @return every text field of the form except method options */
    public List<ValidatedField<?>> fields() {
        return List.of(name, width, weights, epochs, batchSize, learningRate, momentum, weightDecay, imageSize, padding,
                trainLimit, testLimit, evalBatchSize, logEvery, threads, seeds);
    }

    // ---------------------------------------------------------------- actions

    /**
     * Sets what Launch does with the spec (the main view model hands it to the monitor).
     *
     * @param handler receives the valid spec
     */
    public void setOnLaunch(Consumer<ExperimentSpec> handler) {
        this.onLaunch = Objects.requireNonNull(handler);
    }

    /**
     * Sets what Stop does.
     *
     * @param handler the action
     */
    public void setOnStop(Runnable handler) {
        this.onStop = Objects.requireNonNull(handler);
    }

    /** Launches the current spec, if it is valid and nothing runs. */
    public void launch() {
        ExperimentSpec s = spec.get();
        if (s == null || !canLaunch.get()) {
            return;
        }
        onLaunch.accept(s);
    }

    /** Stops the running experiment. */
    public void stop() {
        onStop.run();
    }

    /**
     * Re-reads {@code datasets/} and the targets in the background and describes every dataset
     * (found or missing, classes, sizes), keeping the chosen domains, their order and the target.
     */
    public void refreshDomains() {
        executor.execute(BackgroundTask.of(() -> java.util.Map.entry(targets.names(), targets.descriptions()))
                .onSuccess(e -> {
                    targetNotes = e.getValue();
                    mergeTargets(e.getKey());
                    showTargetNote();
                }));
        executor.execute(BackgroundTask.of(this::describeDomains)
                .onSuccess(this::mergeDomains)
                .onFailure(e -> say("cannot read " + workspace.datasetsDir() + ": " + e.getMessage())));
    }

    /** The status line shows the chosen target's note until a connection test reports. */
    private String hereChecked;
    private boolean here = true;

    /** Whether the chosen target is this machine, read from targets.yaml once per target chosen. */
    private boolean targetIsHere() {
        String t = target.get();
        if (!Objects.equals(t, hereChecked)) {
            here = t == null || targets.isLocal(t);
            hereChecked = t;
        }
        return here;
    }

    private void showTargetNote() {
        String note = target.get() == null ? null : targetNotes.get(target.get());
        targetStatus.set(note == null ? "" : note);
    }

    private void mergeTargets(List<String> names) {
        hereChecked = null; // targets.yaml was read again: its kinds may have changed
        knownTargets = List.copyOf(names);
        String chosen = target.get();
        targetNames.setAll(names);
        if (chosen != null && !targetNames.contains(chosen)) {
            targetNames.add(chosen);
        }
        target.set(chosen);
        revalidate(); // the chosen target may have become known, or unknown
    }

    private List<DomainItem> describeDomains() {
        DatasetCatalog catalog = workspace.datasets();
        List<DomainItem> out = new ArrayList<>();
        for (DatasetDescriptor d : catalog.descriptors().values()) {
            try {
                DatasetInfo info = DomainSources.forKind(d.kind()).describe(d);
                out.add(DomainItem.of(info, d.title()));
            } catch (RuntimeException e) {
                out.add(new DomainItem(d.name(), d.title(), d.kind(), "", false, -1, -1, -1,
                        List.of(e.getMessage() == null ? e.toString() : e.getMessage())));
            }
        }
        for (Map.Entry<String, String> p : catalog.problems().entrySet()) {
            String base = Path.of(p.getKey()).getFileName().toString().replaceFirst("\\.ya?ml$", "");
            if (out.stream().noneMatch(i -> i.name().equals(base))) {
                out.add(DomainItem.missing(base, p.getValue()));
            }
        }
        return out;
    }

    private void mergeDomains(List<DomainItem> fresh) {
        List<String> chosen = selectedDomainNames();
        catalogRead = true;
        filling = true;
        try {
            domains.setAll(fresh);
            applyDomainSelection(chosen);
        } finally {
            filling = false;
        }
        revalidate();
    }

    private void applyDomainSelection(List<String> chosen) {
        List<DomainItem> ordered = new ArrayList<>();
        for (String n : chosen) {
            DomainItem item = domains.stream().filter(d -> d.name().equals(n)).findFirst()
                    .orElseGet(() -> DomainItem.missing(n, catalogRead
                            ? "no datasets/" + n + ".yaml in " + workspace.datasetsDir() : "reading datasets/ ..."));
            item.setSelected(true);
            ordered.add(item);
        }
        for (DomainItem d : domains) {
            if (!ordered.contains(d)) {
                d.setSelected(false);
                ordered.add(d);
            }
        }
        domains.setAll(ordered);
    }

    /** @return the chosen domains' names, in learning order (their order in the list) */
    public List<String> selectedDomainNames() {
        return domains.stream().filter(DomainItem::isSelected).map(DomainItem::name).collect(Collectors.toList());
    }

    /**
     * Moves a domain one place up or down in the learning order.
     *
     * @param item the domain
     * @param delta -1 for up, +1 for down
     */
    public void moveDomain(DomainItem item, int delta) {
        int i = domains.indexOf(item);
        int j = i + delta;
        if (i < 0 || j < 0 || j >= domains.size()) {
            return;
        }
        filling = true;
        try {
            DomainItem other = domains.get(j);
            domains.set(j, item);
            domains.set(i, other);
        } finally {
            filling = false;
        }
        revalidate();
    }

    /**
     * Adds an ImageFolder dataset ({@code train/<class>/*.jpg}, {@code test/<class>/...}): writes
     * {@code datasets/<name>.yaml} with {@code kind: imagefolder} and the folder's path, re-reads
     * the catalog and chooses the new domain.
     *
     * @param dir the dataset folder
     * @param datasetName the name to give it
     * @throws IOException if the descriptor cannot be written
     * @throws IllegalArgumentException if the name is unusable or taken
     */
    public void addImageFolder(Path dir, String datasetName) throws IOException {
        String n = org.da3.workbench.spec.Names.check("dataset", datasetName);
        DatasetCatalog.addImageFolder(workspace.datasetsDir(), n, dir, "the workbench GUI");
        String path = dir.toAbsolutePath().normalize().toString();
        List<String> chosen = new ArrayList<>(selectedDomainNames());
        chosen.add(n);
        filling = true;
        try {
            applyDomainSelection(chosen);
        } finally {
            filling = false;
        }
        say("added datasets/" + n + ".yaml (" + path + ")");
        refreshDomains();
    }

    /**
     * Suggests a dataset name for a folder: its name made safe.
     *
     * @param dir the folder
     * @return the suggestion
     */
    public static String suggestDatasetName(Path dir) {
        String base = dir.getFileName() == null ? "images" : dir.getFileName().toString();
        // accents dropped first (Ünïcödé is unicode, not n-c-d-); what is left that a name cannot hold
        // becomes '-', and no name starts or ends with one
        String plain = java.text.Normalizer.normalize(base, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        String safe = plain.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[^a-z0-9]+", "").replaceAll("-+$", "");
        return safe.isEmpty() ? "images" : safe;
    }

    /**
     * Shows a message in the status line, also when it repeats the last one (saving twice says so
     * twice, even after another view's message took the status bar in between).
     */
    private void say(String message) {
        status.set("");
        status.set(message);
    }

    /** Tests the chosen target in the background; the result shows in {@link #targetStatusProperty()}. */
    public void testConnection() {
        String t = target.get();
        targetStatus.set("testing " + t + " ...");
        executor.execute(BackgroundTask.of(() -> targets.test(t))
                .onSuccess(d -> targetStatus.set("OK: " + d))
                .onFailure(e -> targetStatus.set("failed: " + e.getMessage())));
    }

    /**
     * Loads a spec file into the form. Domains it names that the workspace lacks stay listed as
     * missing, so the problem shows instead of the load failing.
     *
     * @param file the YAML file
     * @throws SpecException if the file is not a valid spec (naming file and field)
     */
    public void load(Path file) {
        ExperimentSpec s = new SpecLoader(null).load(file);
        fill(s);
        specFile.set(file.toAbsolutePath().normalize());
        Path abs = file.toAbsolutePath().normalize();
        // a spec from another workspace is read here against this one's datasets, weights and runs
        say("loaded " + displayPath(file) + (abs.startsWith(workspace.root().toAbsolutePath().normalize()) ? ""
                : " (from outside this workspace, " + workspace.root() + ": its domains, weights and runs are"
                        + " this workspace's)"));
    }

    /**
     * Fills the form from a spec.
     *
     * @param s the spec
     */
    public void fill(ExperimentSpec s) {
        filling = true;
        try {
            name.setText(s.name());
            description.set(s.description());
            applyDomainSelection(s.domains());
            // the spec's entries first, in its order (the run order); then the other catalog methods
            List<MethodItem> items = new ArrayList<>();
            for (MethodSpec m : s.methods()) {
                MethodInfo info = MethodCatalog.find(m.name());
                if (info != null) {
                    MethodItem item = new MethodItem(info, "methods[" + items.size() + "]");
                    item.fill(m);
                    item.setSelected(true);
                    items.add(item);
                }
            }
            for (MethodInfo info : MethodCatalog.all()) {
                if (items.stream().noneMatch(i -> i.info().name().equals(info.name()))) {
                    items.add(new MethodItem(info, "methods[?]"));
                }
            }
            methods.setAll(items);
            backbone.set(s.backbone().name());
            width.setText(Integer.toString(s.backbone().width()));
            weights.setText(s.backbone().weights() == null ? "" : s.backbone().weights());
            TrainingSpec t = s.training();
            epochs.setText(Integer.toString(t.epochs()));
            batchSize.setText(Integer.toString(t.batchSize()));
            optimizer.set(t.optimizer());
            learningRate.setText(num(t.learningRate()));
            momentum.setText(num(t.momentum()));
            weightDecay.setText(num(t.weightDecay()));
            schedule.set(t.schedule());
            allocator.set(t.allocator());
            imageSize.setText(Integer.toString(t.imageSize()));
            randomCrop.set(t.augmentation().randomCrop());
            padding.setText(Integer.toString(t.augmentation().padding()));
            flip.set(t.augmentation().flip());
            trainLimit.setText(Integer.toString(t.trainLimit()));
            testLimit.setText(Integer.toString(t.testLimit()));
            evalBatchSize.setText(Integer.toString(t.evalBatchSize()));
            logEvery.setText(Integer.toString(t.logEvery()));
            threads.setText(Integer.toString(t.threads()));
            seeds.setText(s.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")));
            if (!targetNames.contains(s.target())) {
                targetNames.add(s.target());
            }
            target.set(s.target());
        } finally {
            filling = false;
        }
        revalidate();
    }

    /**
     * Adds another entry of a method (to compare option settings), right after the existing ones.
     *
     * @param of an entry of the method to repeat
     * @return the new entry, chosen
     */
    public MethodItem addVariant(MethodItem of) {
        MethodItem item = new MethodItem(of.info(), "methods[?]");
        int last = -1;
        for (int i = 0; i < methods.size(); i++) {
            if (methods.get(i).info().name().equals(of.info().name())) {
                last = i;
            }
        }
        item.label().setText(freeLabel(of.info().name()));
        methods.add(last + 1, item);
        item.setSelected(true);
        return item;
    }

    /**
     * Removes a repeated method entry (the first entry of each method stays).
     *
     * @param item the entry
     */
    public void removeVariant(MethodItem item) {
        if (countOf(item.info().name()) > 1) {
            methods.remove(item);
        }
    }

    /** The first of NAME-2, NAME-3, ... that no entry is labelled or named, so a new variant is never a clash. */
    private String freeLabel(String method) {
        Set<String> taken = new java.util.HashSet<>();
        for (MethodItem m : methods) {
            taken.add(m.info().name());
            taken.add(m.label().getText().trim());
        }
        for (int n = 2; ; n++) {
            if (!taken.contains(method + "-" + n)) {
                return method + "-" + n;
            }
        }
    }

    private int countOf(String method) {
        return (int) methods.stream().filter(m -> m.info().name().equals(method)).count();
    }

    /**
     * Saves the current spec as YAML.
     *
     * @param file the file
     * @throws IOException on a write error
     * @throws IllegalStateException if the form has errors
     * @throws IllegalArgumentException if the file is a run's record (its spec.yaml, or any file in
     *     a run directory that is one of a run's own) or the workspace's targets.yaml
     */
    public void save(Path file) throws IOException {
        ExperimentSpec s = spec.get();
        if (s == null) {
            throw new IllegalStateException("the spec has errors; fix them before saving: " + problem.get());
        }
        // a run's spec.yaml, opened to run it again, is its record: what --resume compares with
        OutputGuard.check(file, List.of(), "cannot save " + displayPath(file));
        Path abs = file.toAbsolutePath().normalize();
        if (abs.equals(workspace.experimentsDir().resolve(TargetsFile.FILE_NAME).toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("cannot save " + displayPath(file) + ": it lists the run targets of this"
                    + " workspace (docs/targets.md), and a spec there would replace them; save the spec under another"
                    + " name");
        }
        // as the form has it: a sweep typed into an option stays one entry with a list of values;
        // creates the folders; says in plain words why a file cannot be written there
        AtomicFiles.writeString(file, SpecWriter.toYaml(asWritten != null ? asWritten : s, false));
        specFile.set(file.toAbsolutePath().normalize());
        say("saved " + displayPath(file));
    }

    /**
     * The file a name chosen in the save dialog stands for: with {@code .yaml} added when it ends in
     * neither {@code .yaml} nor {@code .yml} (the dialog adds no ending on Linux, and Open lists only
     * *.yaml and *.yml files).
     *
     * @param chosen the file chosen
     * @return that file, or a sibling with .yaml added
     */
    public static Path withSpecEnding(Path chosen) {
        if (chosen.getFileName() == null) {
            return chosen;
        }
        String n = chosen.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") ? chosen
                : chosen.resolveSibling(chosen.getFileName() + ".yaml");
    }

    /** @return where specs are saved and loaded by default: the workspace's experiments folder */
    public Path experimentsDir() {
        return workspace.experimentsDir();
    }

    /** @return the workspace */
    public Workspace workspace() {
        return workspace;
    }

    private String displayPath(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(workspace.root()) ? workspace.root().relativize(abs).toString() : abs.toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e6 ? Long.toString((long) d) : Double.toString(d);
    }

    // ---------------------------------------------------------------- validation

    private void revalidate() {
        if (filling) {
            return;
        }
        // whole-spec errors are found again below: one whose cause went away (a recipe that now
        // exists beside the weights) must not keep its field red
        for (int i = 0; i < methods.size(); i++) {
            methods.get(i).label().setExternalError(null);
        }
        for (ValidatedField<?> f : fields()) {
            f.setExternalError(null);
        }
        ExperimentSpec s = null;
        ExperimentSpec built = null;
        String why = null;
        List<String> bad = new ArrayList<>();
        for (ValidatedField<?> f : fields()) {
            if (!f.isValid()) {
                bad.add(f.name());
            }
        }
        List<MethodSpec> ms = new ArrayList<>();
        for (MethodItem m : methods) {
            if (m.isSelected()) {
                MethodSpec x = m.toSpec();
                if (x == null) {
                    bad.add("options of " + m.info().name());
                } else {
                    ms.add(x);
                }
            }
        }
        List<String> ds = selectedDomainNames();
        List<String> unusable = new ArrayList<>();
        for (DomainItem d : domains) {
            // a remote target reads its own copy of the data (paths and variables are expanded
            // there): only a domain without a descriptor to send it stops the launch then
            if (d.isSelected() && !d.usable() && (d.kind().equals(DomainItem.NO_KIND) || targetIsHere())) {
                unusable.add(d.name() + " (" + d.statusText() + ")");
            }
        }
        updateWeightsNote();
        if (!bad.isEmpty()) {
            why = "fix the field" + (bad.size() > 1 ? "s" : "") + " marked in red: " + String.join(", ", bad);
        } else if (ds.isEmpty()) {
            why = "choose at least one domain";
        } else if (ms.isEmpty()) {
            why = "choose at least one method";
        } else if (!unusable.isEmpty()) {
            why = "cannot use domain " + String.join(", ", unusable);
        } else if (target.get() != null && !target.get().contains(":") && !knownTargets.contains(target.get())) {
            // every run would fail on opening it; an ssh:// address (with a ':') needs no entry
            why = "target: '" + target.get() + "' is not a known target; choose one of "
                    + String.join(", ", knownTargets) + ", or add it to experiments/targets.yaml and press Refresh"
                    + " (docs/targets.md)";
        } else {
            try {
                List<Long> sd = seeds.getValue();
                TrainingSpec t = new TrainingSpec(epochs.getValue(), batchSize.getValue(), optimizer.get(),
                        learningRate.getValue(), momentum.getValue(), weightDecay.getValue(), schedule.get(),
                        imageSize.getValue(), sd.get(0), new AugmentationSpec(randomCrop.get(), padding.getValue(), flip.get()),
                        trainLimit.getValue(), testLimit.getValue(), evalBatchSize.getValue(), logEvery.getValue(),
                        threads.getValue(), allocator.get());
                String w = weights.getValue();
                built = new ExperimentSpec(name.getValue(), description.get(), ds, ms,
                        new BackboneSpec(backbone.get(), width.getValue(), w == null || w.isEmpty() ? null : w), t, sd,
                        target.get());
                // the CLI's own validation, so the GUI launches only what `da3 run` accepts
                Set<String> known = new TreeSet<>();
                domains.forEach(d -> known.add(d.name()));
                s = new SpecLoader(known).parse("<setup>", SpecWriter.toYaml(built, false));
                why = weightsProblem(s);
                if (why != null) {
                    weights.setExternalError(why);
                    s = null;
                }
            } catch (SpecException e) {
                why = e.field() + ": " + e.problem();
                placeError(e);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
        }
        spec.set(why == null ? s : null);
        asWritten = why == null ? built : null;
        problem.set(why == null ? "" : why);
        canLaunch.set(spec.get() != null && !running.get());
    }

    private void placeError(SpecException e) {
        String f = e.field();
        if (f.startsWith("methods[")) {
            int idx = Integer.parseInt(f.substring(8, f.indexOf(']')));
            int seen = -1;
            for (MethodItem m : methods) {
                if (m.isSelected() && ++seen == idx) {
                    m.label().setExternalError(e.problem());
                    return;
                }
            }
            return;
        }
        for (ValidatedField<?> v : fields()) {
            if (v.name().equals(f)) {
                v.setExternalError(e.problem());
                return;
            }
        }
    }

    /** The last recipe checked: a check reads it and every dataset descriptor, so it runs when the file changes, not per keystroke. */
    private record RecipeCheck(Path recipe, long modified, long size, String problem) {}

    private RecipeCheck lastRecipe;

    /** @return why the recipe cannot pretrain, or null when it can */
    private String recipeProblem(Path recipe) {
        long modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(recipe).to(java.util.concurrent.TimeUnit.NANOSECONDS);
            size = Files.size(recipe);
        } catch (IOException e) {
            modified = -1;
            size = -1;
        }
        if (lastRecipe == null || !lastRecipe.recipe().equals(recipe) || lastRecipe.modified() != modified
                || lastRecipe.size() != size) {
            String problem = null;
            try {
                new Pretrainer(workspace).loadRecipe(recipe);
            } catch (SpecException e) {
                problem = e.field() + ": " + e.problem();
            }
            lastRecipe = new RecipeCheck(recipe, modified, size, problem);
        }
        return lastRecipe.problem();
    }

    private String weightsProblem(ExperimentSpec s) {
        String w = s.backbone().weights();
        if (w == null) {
            return null;
        }
        Path p = workspace.resolve(w);
        if (Files.exists(p)) {
            // the headers only: a damaged or foreign file, or one of another backbone, is marked before
            // Launch, as da3 run refuses it
            try {
                String problem = org.da3.workbench.nn.Weights.problem(p, s.backbone().name(), s.backbone().width());
                return problem == null ? null : "'" + w + "' " + problem;
            } catch (IOException e) {
                return "'" + w + "' cannot be read (" + e.getMessage() + ")";
            }
        }
        Path recipe = Pretrainer.recipeFor(p);
        if (recipe != null) {
            // a recipe that cannot pretrain is marked now, not after Launch
            String problem = recipeProblem(recipe);
            return problem == null ? null : "'" + w + "' does not exist, and its recipe " + recipe.getFileName()
                    + " cannot pretrain it: " + problem;
        }
        return "'" + w + "' does not exist and no recipe " + p.getFileName().toString().replaceFirst("\\.[^.]+$", ".yaml")
                + " sits beside it to pretrain it; pick an existing weights file or leave empty";
    }

    private void updateWeightsNote() {
        String w = weights.getValue();
        if (w == null || w.isEmpty()) {
            weightsNote.set(w == null ? "" : "random initialisation");
            return;
        }
        Path p = workspace.resolve(w);
        Path recipe = Files.exists(p) ? null : Pretrainer.recipeFor(p);
        if (Files.isRegularFile(p)) {
            weightsNote.set("found");
        } else if (Files.exists(p)) {
            // the note agrees with the error under the field
            weightsNote.set("not a file");
        } else if (recipe != null && recipeProblem(recipe) != null) {
            weightsNote.set("missing; its recipe " + recipe.getFileName() + " cannot pretrain it");
        } else if (recipe != null) {
            weightsNote.set("pretrained from " + recipe.getFileName() + " on first launch");
        } else {
            weightsNote.set("missing");
        }
    }

    // ---------------------------------------------------------------- properties

    /** @return the experiment name field */
    public ValidatedField<String> name() {
        return name;
    }

    /** @return the description */
    public StringProperty descriptionProperty() {
        return description;
    }

    /** @return the workspace's datasets, chosen ones first in learning order */
    public ObservableList<DomainItem> domains() {
        return domains;
    }

    /**
     * @return the method entries: chosen ones run in list order (a loaded spec's methods come
     *     first, in its order), then the rest of the catalog; variants follow their method
     */
    public ObservableList<MethodItem> methods() {
        return methods;
    }

    /** @return the backbone architecture */
    public ObjectProperty<String> backboneProperty() {
        return backbone;
    }

    /** @return the architectures offered */
    public List<String> backboneChoices() {
        return BackboneSpec.NAMES;
    }

    /** @return the backbone width field */
    public ValidatedField<Integer> width() {
        return width;
    }

    /** @return the weights file field (relative to the workspace; empty: random initialisation) */
    public ValidatedField<String> weights() {
        return weights;
    }

    /** @return whether the weights file is found, will be pretrained, or missing */
    public ReadOnlyStringProperty weightsNoteProperty() {
        return weightsNote.getReadOnlyProperty();
    }

    /** @return the epochs field */
    public ValidatedField<Integer> epochs() {
        return epochs;
    }

    /** @return the batch size field */
    public ValidatedField<Integer> batchSize() {
        return batchSize;
    }

    /** @return the optimizer */
    public ObjectProperty<String> optimizerProperty() {
        return optimizer;
    }

    /** @return the optimizers offered */
    public List<String> optimizerChoices() {
        return TrainingSpec.OPTIMIZERS;
    }

    /** @return the learning rate field */
    public ValidatedField<Double> learningRate() {
        return learningRate;
    }

    /** @return the momentum field */
    public ValidatedField<Double> momentum() {
        return momentum;
    }

    /** @return the weight decay field */
    public ValidatedField<Double> weightDecay() {
        return weightDecay;
    }

    /** @return the schedule */
    public ObjectProperty<String> scheduleProperty() {
        return schedule;
    }

    /** @return the allocator setting of the workers: exact or reuse */
    public ObjectProperty<String> allocatorProperty() {
        return allocator;
    }

    /** @return the allocator settings offered */
    public List<String> allocatorChoices() {
        return TrainingSpec.ALLOCATORS;
    }

    /** @return the schedules offered */
    public List<String> scheduleChoices() {
        return TrainingSpec.SCHEDULES;
    }

    /** @return the image size field */
    public ValidatedField<Integer> imageSize() {
        return imageSize;
    }

    /** @return whether to random-crop */
    public BooleanProperty randomCropProperty() {
        return randomCrop;
    }

    /** @return the crop padding field */
    public ValidatedField<Integer> padding() {
        return padding;
    }

    /** @return whether to flip */
    public BooleanProperty flipProperty() {
        return flip;
    }

    /** @return the train limit field */
    public ValidatedField<Integer> trainLimit() {
        return trainLimit;
    }

    /** @return the test limit field */
    public ValidatedField<Integer> testLimit() {
        return testLimit;
    }

    /** @return the evaluation batch size field */
    public ValidatedField<Integer> evalBatchSize() {
        return evalBatchSize;
    }

    /** @return the logging interval field */
    public ValidatedField<Integer> logEvery() {
        return logEvery;
    }

    /** @return the engine threads field */
    public ValidatedField<Integer> threads() {
        return threads;
    }

    /** @return the seeds field (comma-separated) */
    public ValidatedField<List<Long>> seeds() {
        return seeds;
    }

    /** @return the target names offered */
    public ObservableList<String> targetNames() {
        return targetNames;
    }

    /** @return the chosen target */
    public ObjectProperty<String> targetProperty() {
        return target;
    }

    /** @return the last connection test's result */
    public ReadOnlyStringProperty targetStatusProperty() {
        return targetStatus.getReadOnlyProperty();
    }

    /** @return the file the spec was loaded from or saved to */
    public ObjectProperty<Path> specFileProperty() {
        return specFile;
    }

    /** @return the file the spec was loaded from or saved to, or null */
    public Path getSpecFile() {
        return specFile.get();
    }

    /** @param file the spec file */
    public void setSpecFile(Path file) {
        specFile.set(file);
    }

    /** @return the valid spec, or null while anything is wrong */
    public ReadOnlyObjectProperty<ExperimentSpec> specProperty() {
        return spec.getReadOnlyProperty();
    }

    /** @return the valid spec, or null while anything is wrong */
    public ExperimentSpec getSpec() {
        return spec.get();
    }

    /** @return what keeps the spec from launching; empty when it can */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** @return what keeps the spec from launching; empty when it can */
    public String getProblem() {
        return problem.get();
    }

    /** @return the last action's result, for the status line */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** @return whether an experiment is running (set by the monitor) */
    public BooleanProperty runningProperty() {
        return running;
    }

    /**
     * @return whether Launch leaves out the methods and seeds that already completed with the
     *     same resolved spec, and resumes those whose runs stopped part-way (as {@code da3 run
     *     --resume})
     */
    public BooleanProperty resumeProperty() {
        return resume;
    }

    /** @return whether Launch is enabled: a valid spec and nothing running */
    public ReadOnlyBooleanProperty canLaunchProperty() {
        return canLaunch.getReadOnlyProperty();
    }

    /** @return whether Launch is enabled */
    public boolean canLaunch() {
        return canLaunch.get();
    }
}
