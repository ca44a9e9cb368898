package org.da3.workbench.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an {@link ExperimentSpec} from YAML and validates every field once, at the edge.
 *
 * <p>Every error is a {@link SpecException} naming the file, the field path, the value and what is
 * allowed. A typical spec:
 *
 * <pre>
 * name: quickstart
 * domains: [shapes, textures, glyphs]
 * methods:
 *   - linear
 *   - finetune
 *   - name: da3
 *     options: {reduction: 16, rho: 0.7}
 * backbone: {name: resnet26, width: 16, weights: pretrained/resnet26-w16-procsource.safetensors}
 * training: {epochs: 3, batch_size: 64, learning_rate: 0.05, image_size: 32, seed: 7}
 * </pre>
 */
public final class SpecLoader {

    // the keys of each mapping; package-visible for SpecDocTest, which holds docs/spec.md to them
    static final Set<String> TOP_KEYS =
            Set.of("name", "description", "domains", "methods", "backbone", "training", "seeds",
                    "target");
    static final Set<String> BACKBONE_KEYS = Set.of("name", "width", "weights");
    static final Set<String> TRAINING_KEYS =
            Set.of("epochs", "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay",
                    "schedule", "image_size", "seed", "augmentation", "train_limit", "test_limit",
                    "eval_batch_size", "log_every", "threads", "allocator");
    /** The training keys every method also takes as an option, and so can sweep. */
    private static final Set<String> METHOD_TRAINING_OPTIONS = Set.of("learning_rate", "optimizer", "weight_decay");
    static final Set<String> AUG_KEYS = Set.of("random_crop", "padding", "flip");
    static final Set<String> METHOD_KEYS = Set.of("name", "options", "label");

    private final Collection<String> knownDomains;
    private final Map<String, String> unusableDomains;

    /**
     * A loader that checks domain names against the datasets the workspace knows.
     *
     * @param knownDomains the dataset names, or null to skip that check
     */
    public SpecLoader(Collection<String> knownDomains) {
        this(knownDomains, Map.of());
    }

    /**
     * A loader that checks domain names against the datasets the workspace knows, and says why a
     * name whose descriptor cannot be used is not among them.
     *
     * @param knownDomains the dataset names, or null to skip that check
     * @param unusableDomains why each of some other names cannot be used (its descriptor's problem)
     */
    public SpecLoader(Collection<String> knownDomains, Map<String, String> unusableDomains) {
        this.knownDomains = knownDomains;
        this.unusableDomains = Map.copyOf(unusableDomains);
    }

    /**
     * Loads and validates a spec file.
     *
     * @param file the YAML file
     * @return the spec
     * @throws SpecException on the first problem, naming file, field and allowed values
     */
    public ExperimentSpec load(Path file) {
        return fromTree(file.toString(), YamlNodes.readTree(file));
    }

    /**
     * Parses and validates spec text.
     *
     * @param fileName the name used in messages
     * @param yaml the YAML text
     * @return the spec
     */
    public ExperimentSpec parse(String fileName, String yaml) {
        return fromTree(fileName, YamlNodes.parse(fileName, yaml));
    }

    /**
     * Validates a spec tree.
     *
     * @param file the name used in messages
     * @param root the tree
     * @return the spec
     */
    public ExperimentSpec fromTree(String file, JsonNode root) {
        YamlNodes y = new YamlNodes(file);
        y.onlyKeys(root, "", TOP_KEYS);
        String name = y.requiredText(root, "", "name");
        if (!name.matches(Names.PATTERN)) {
            throw new SpecException(file, "name", "'" + name
                    + "' is not a usable experiment name; use letters, digits, '.', '_' or '-' (at most 64)");
        }
        String description = y.text(root, "", "description", "");

        List<String> domains = y.textList(root, "", "domains");
        if (domains.isEmpty()) {
            throw new SpecException(file, "domains", "is missing or empty; list at least one dataset name"
                    + known());
        }
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < domains.size(); i++) {
            String d = domains.get(i);
            if (knownDomains != null && !knownDomains.contains(d) && unusableDomains.containsKey(d)) {
                throw new SpecException(file, "domains[" + i + "]", "domain '" + d + "' has no descriptor that"
                        + " can be used: " + unusableDomains.get(d) + " ('da3 datasets list' shows every"
                        + " descriptor's problem)");
            }
            if (knownDomains != null && !knownDomains.contains(d)) {
                throw new SpecException(file, "domains[" + i + "]", "unknown domain '" + d + "'"
                        + meant(d, knownDomains) + known());
            }
            if (!seen.add(d)) {
                throw new SpecException(file, "domains[" + i + "]", "'" + d + "' is listed twice; list each domain once");
            }
        }

        List<MethodSpec> methods = methods(y, root);
        BackboneSpec backbone = backbone(y, y.object(root, "", "backbone"));
        TrainingSpec training = training(y, y.object(root, "", "training"), backbone);
        oneValuePerChannel(file, methods, backbone, training);

        List<Long> seeds = new ArrayList<>();
        JsonNode seedsNode = root.get("seeds");
        if (seedsNode != null) {
            if (seedsNode.isNull()) {
                throw new SpecException(file, "seeds", "is empty; give a value or remove the key");
            }
            if (!seedsNode.isArray() || seedsNode.isEmpty()) {
                throw new SpecException(file, "seeds", "must be a non-empty list of whole numbers, for example [1, 2, 3]");
            }
            for (int i = 0; i < seedsNode.size(); i++) {
                JsonNode s = seedsNode.get(i);
                if (s.isNull()) {
                    throw new SpecException(file, "seeds[" + i + "]", "is empty; give a value or remove the entry");
                }
                if (s.isTextual() && s.asText().trim().matches("[+-]?[0-9]+")) {
                    // '3' in quotes, or 08 (YAML reads a leading 0 followed by 8 or 9 as text)
                    String plain = new java.math.BigInteger(s.asText().trim()).toString();
                    throw new SpecException(file, "seeds[" + i + "]", "'" + s.asText() + "' is text, not a number"
                            + " (in quotes, or with a leading 0); write " + plain);
                }
                if (!s.isIntegralNumber()) {
                    throw new SpecException(file, "seeds[" + i + "]", "'" + WrittenScalars.text(s)
                            + "' is not a whole number");
                }
                long seed = y.wholeNumber(s, "seeds[" + i + "]", Long.MIN_VALUE, Long.MAX_VALUE);
                if (seeds.contains(seed)) {
                    throw new SpecException(file, "seeds[" + i + "]", seed + " is already seeds["
                            + seeds.indexOf(seed) + "]; a seed repeated would run the same runs twice");
                }
                seeds.add(seed);
            }
        }
        String target = y.nonEmptyText(root, "", "target", "local");
        if (target.isEmpty() || !target.matches("[A-Za-z0-9@:/._\\-]+(\\?[A-Za-z0-9=&_\\-]+)?")) {
            throw new SpecException(file, "target", "'" + target
                    + "' is not a target; use local, a name from experiments/targets.yaml or"
                    + " ssh://user@host:port[/remote/dir][?kind=jetson]");
        }
        if (target.contains(":")) {
            TargetsFile.fromUri(target, file); // an address is checked here in full; a name when it is used
        }
        return new ExperimentSpec(name, description, domains, methods, backbone, training, seeds, target);
    }

    /**
     * Refuses a step of one image where a method's BatchNorm with batch statistics would see a 1x1
     * map: one value per channel, which libtorch refuses to normalise deep inside the run. That is
     * the backbone's last stage, or a lite residual module's input pooled to 1x1.
     */
    private static void oneValuePerChannel(String file, List<MethodSpec> methods, BackboneSpec backbone,
            TrainingSpec t) {
        boolean byLimit = t.trainLimit() > 0 && t.trainLimit() < t.batchSize();
        if ((byLimit ? t.trainLimit() : t.batchSize()) > 1) {
            return;
        }
        for (int i = 0; i < methods.size(); i++) {
            MethodSpec m = methods.get(i);
            String problem = oneImagePerStepProblem(m, m.displayLabel() + " (methods[" + i + "])", backbone,
                    t.imageSize(), "image_size");
            if (problem != null) {
                throw new SpecException(file, byLimit ? "training.train_limit" : "training.batch_size", problem + "; use"
                        + (byLimit ? " a train_limit of 0 or at least 2" : " a batch_size of at least 2") + ", or "
                        + smallestImage(m, backbone, t.imageSize(), "image_size"));
            }
        }
    }

    /**
     * Why a step of one image cannot train a method at an image size: one of its BatchNorms with
     * batch statistics would see a 1x1 map (see {@link #oneValuePerChannel}); null when it can.
     * The benchmarks ask it for their {@code --batch 1} rows.
     *
     * @param m the method
     * @param who how the message names the method
     * @param backbone the backbone
     * @param imageSize the image side
     * @param sizeName how the image size is named in the message (a field or a flag)
     * @return the reason, naming the method, or null
     */
    public static String oneImagePerStepProblem(MethodSpec m, String who, BackboneSpec backbone, int imageSize,
            String sizeName) {
        if (!MethodCatalog.BATCH_STATISTICS.contains(m.name())) {
            return null;
        }
        boolean lite = m.name().equals("lite-residual");
        int pool = lite ? (int) m.number("pool", 2) : 1;
        if (ceilDiv(backbone.lastStageSide(imageSize), pool) > 1) {
            return null;
        }
        String where = lite ? "its modules' BatchNorms, whose last stage's input pooled by " + pool + " is 1x1"
                : "its BatchNorms, whose last stage is 1x1";
        return "1 image per step leaves " + who + " one value per channel in " + where + " at "
                + sizeName + " " + imageSize + ", too few for batch statistics";
    }

    /**
     * The fix by image size for {@link #oneImagePerStepProblem}: the smallest that works.
     *
     * @param m the method
     * @param backbone the backbone
     * @param imageSize the image side that does not work
     * @param sizeName how the image size is named (a field or a flag)
     * @return "an image_size of at least N" (and ", or a smaller pool" for lite residual)
     */
    public static String smallestImage(MethodSpec m, BackboneSpec backbone, int imageSize, String sizeName) {
        int pool = m.name().equals("lite-residual") ? (int) m.number("pool", 2) : 1;
        int size = imageSize;
        while (ceilDiv(backbone.lastStageSide(size), pool) == 1) {
            size++;
        }
        return "an " + sizeName + " of at least " + size + (pool > 1 ? ", or a smaller pool" : "");
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** " (did you mean da3?)" when the name is a near miss of an allowed one, else "". */
    /**
     * Refuses the two usual ways of misplacing a method's options, saying where they go: the method
     * name as the key ({@code - da3: {rho: 0.5}}), and an option beside {@code name} rather than
     * under {@code options} ({@code - name: da3} with {@code rho: 0.5} below it).
     */
    private static void misplacedOptions(String file, String path, JsonNode m) {
        MethodInfo named = m.path("name").isTextual() ? MethodCatalog.find(m.path("name").asText().trim()) : null;
        Iterator<Map.Entry<String, JsonNode>> it = m.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (METHOD_KEYS.contains(k)) {
                continue;
            }
            if (!m.has("name") && MethodCatalog.find(k) != null) {
                throw new SpecException(file, path + "." + k, "'" + k + "' is a method name, not a field; write the"
                        + " entry as {name: " + k + (e.getValue().isObject() ? ", options: " + flow(e.getValue()) : "")
                        + "}");
            }
            if (named != null && named.option(k) != null) {
                throw new SpecException(file, path + "." + k, "'" + k + "' is an option of " + named.name()
                        + "; put it under options (options: {" + k + ": " + flow(e.getValue()) + "})");
            }
        }
    }

    /** A value as YAML's flow style writes it, to show in a message: {@code {rho: 0.5, gates: false}}. */
    private static String flow(JsonNode v) {
        if (v.isObject()) {
            List<String> parts = new ArrayList<>();
            v.fields().forEachRemaining(f -> parts.add(f.getKey() + ": " + flow(f.getValue())));
            return "{" + String.join(", ", parts) + "}";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(n -> parts.add(flow(n)));
            return "[" + String.join(", ", parts) + "]";
        }
        return WrittenScalars.text(v);
    }

    private static String meant(String given, java.util.Collection<String> allowed) {
        return Names.meant(given, allowed);
    }

    private String known() {
        if (knownDomains == null) {
            return "";
        }
        return "; known domains (datasets/*.yaml): " + String.join(", ", new TreeSet<>(knownDomains));
    }

    private List<MethodSpec> methods(YamlNodes y, JsonNode root) {
        String file = y.file();
        JsonNode list = root.get("methods");
        String allowed = "; allowed methods: " + String.join(", ", MethodCatalog.names());
        if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
            throw new SpecException(file, "methods", "is missing or empty; list at least one method" + allowed);
        }
        if (list.isValueNode()) {
            list = YamlNodes.YAML.createArrayNode().add(list);
        }
        if (!list.isArray()) {
            throw new SpecException(file, "methods", "must be a list of method names or {name, options} entries");
        }
        List<MethodSpec> out = new ArrayList<>();
        Set<String> labels = new TreeSet<>();
        Map<String, String> unlabelled = new java.util.HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "methods[" + i + "]";
            JsonNode m = list.get(i);
            String mName;
            Map<String, Object> options = new LinkedHashMap<>();
            String label = null;
            if (m.isNull() || m.isTextual() && m.asText().isBlank()) {
                throw new SpecException(file, path, "is empty; give a method name or remove the entry" + allowed);
            } else if (m.isValueNode()) {
                mName = m.asText().trim();
            } else if (m.isObject()) {
                misplacedOptions(file, path, m);
                y.onlyKeys(m, path, METHOD_KEYS);
                mName = y.requiredText(m, path, "name");
                label = y.nonEmptyText(m, path, "label", null);
                JsonNode opts = y.object(m, path, "options");
                MethodInfo info = MethodCatalog.find(mName);
                if (info == null) {
                    throw new SpecException(file, path + ".name", "unknown method '" + mName + "'"
                            + meant(mName, MethodCatalog.names()) + allowed);
                }
                Iterator<Map.Entry<String, JsonNode>> it = opts.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String optPath = path + ".options." + e.getKey();
                    OptionDef def = info.option(e.getKey());
                    if (def == null) {
                        throw new SpecException(file, optPath, "unknown option of method '" + mName + "'"
                                + meant(e.getKey(), info.optionNames()) + "; its options: "
                                + String.join(", ", info.optionNames()));
                    }
                    JsonNode v = y.given(opts, path + ".options", e.getKey());
                    List<Object> values = new ArrayList<>();
                    if (v.isArray()) {
                        // a sweep: one variant of the entry per value
                        if (v.isEmpty()) {
                            throw new SpecException(file, optPath, "is an empty list; give a value, or a list of the"
                                    + " values to sweep; " + def.allowed());
                        }
                        for (int k = 0; k < v.size(); k++) {
                            Object value = optionValue(y, def, v.get(k), optPath + "[" + k + "]");
                            if (values.contains(value)) {
                                throw new SpecException(file, optPath + "[" + k + "]", "lists " + value + " a second"
                                        + " time; sweep each value once");
                            }
                            values.add(value);
                        }
                    } else {
                        values.add(optionValue(y, def, v, optPath));
                    }
                    options.put(e.getKey(), values);
                }
            } else {
                throw new SpecException(file, path, "must be a method name or a {name, options} entry");
            }
            if (MethodCatalog.find(mName) == null) {
                throw new SpecException(file, m.isObject() ? path + ".name" : path,
                        "unknown method '" + mName + "'" + meant(mName, MethodCatalog.names()) + allowed);
            }
            List<Map<String, Object>> variants = sweep(file, path, options);
            for (Map<String, Object> variant : variants) {
                String variantLabel = label;
                if (label != null && variants.size() > 1) {
                    // the entry's label, then the swept values that tell its variants apart, written
                    // as a default label writes options: label[k=v,...]
                    Map<String, Object> swept = new LinkedHashMap<>();
                    options.forEach((k, vs) -> {
                        if (((List<?>) vs).size() > 1) {
                            swept.put(k, variant.get(k));
                        }
                    });
                    variantLabel = new MethodSpec(label, swept, null).displayLabel();
                }
                out.add(checked(file, path, label, new MethodSpec(mName, variant, variantLabel), labels, unlabelled));
            }
        }
        return out;
    }

    /** The most variants one method entry may sweep: a slip (a list of 100 values twice) is refused. */
    static final int MAX_SWEEP = 64;

    /**
     * The option values of each variant of a method entry: every combination of the listed
     * values, the first option's varying slowest; one variant when nothing is listed.
     */
    private static List<Map<String, Object>> sweep(String file, String path, Map<String, Object> options) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Map.Entry<String, Object> e : options.entrySet()) {
            List<?> values = (List<?>) e.getValue();
            if ((long) out.size() * values.size() > MAX_SWEEP) {
                long n = options.values().stream().mapToLong(v -> ((List<?>) v).size()).reduce(1, (a, b) -> a * b);
                throw new SpecException(file, path + ".options", "sweeps " + n + " combinations of values; an entry"
                        + " sweeps at most " + MAX_SWEEP + " (split it into several entries with labels)");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : out) {
                for (Object v : values) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /** One option value as written, parsed and checked against the option's type and range. */
    private static Object optionValue(YamlNodes y, OptionDef def, JsonNode v, String optPath) {
        y.plainNumber(v, optPath);
        Object raw = v.isBoolean() ? Boolean.valueOf(v.asBoolean())
                : v.isIntegralNumber() ? v.bigIntegerValue()
                : v.isNumber() && def.type() == OptionDef.Type.INT && Double.isFinite(v.asDouble())
                        ? WrittenScalars.text(v) // 1e3 as written, not 1000.0
                : v.isNumber() ? Double.valueOf(v.asDouble())
                : v.isValueNode() && !v.isNull() ? v.asText() : null;
        if (raw == null) {
            throw new SpecException(y.file(), optPath, "must be a single value, or a list of values to sweep; "
                    + def.allowed());
        }
        try {
            return def.parse(raw);
        } catch (IllegalArgumentException ex) {
            throw new SpecException(y.file(), optPath, ex.getMessage());
        }
    }

    /** A method entry (or one variant of a sweep) whose label is unique, usable and short enough. */
    private static MethodSpec checked(String file, String path, String label, MethodSpec spec, Set<String> labels,
            Map<String, String> unlabelled) {
        String mName = spec.name();
        Map<String, Object> options = spec.options();
        if (!labels.add(spec.displayLabel())) {
            throw new SpecException(file, path, "method '" + spec.displayLabel()
                    + "' is listed twice; give one of them other options or a 'label'");
        }
        if (label == null || label.isBlank()) {
            // the same options in another order make another label, but the same runs
            String same = unlabelled.putIfAbsent(mName + new java.util.TreeMap<>(options), spec.displayLabel());
            if (same != null) {
                throw new SpecException(file, path, "method '" + spec.displayLabel() + "' has the options of '"
                        + same + "', listed before it; give one of them other options or a 'label'");
            }
        }
        if (!spec.displayLabel().matches("[A-Za-z0-9+._\\-\\[\\],=]+")) {
            throw new SpecException(file, path + ".label", "'" + spec.displayLabel()
                    + "' is not a usable label; use letters, digits and + . _ - [ ] , =");
        }
        String shown = spec.displayLabel();
        if (shown.length() > MethodSpec.MAX_LABEL_LENGTH) {
            // it names the run directories, and a file name has at most 255 bytes
            throw new SpecException(file, label == null ? path : path + ".label", "the label '"
                    + shown.substring(0, 40) + "...' is " + shown.length() + " characters long; a label names"
                    + " the run directories, so use at most " + MethodSpec.MAX_LABEL_LENGTH
                    + (label == null ? " (give the entry a shorter 'label')" : ""));
        }
        return spec;
    }

    private BackboneSpec backbone(YamlNodes y, JsonNode b) {
        y.onlyKeys(b, "backbone", BACKBONE_KEYS);
        String name = y.choice(b, "backbone", "name", "resnet26", BackboneSpec.NAMES);
        int width = (int) y.integer(b, "backbone", "width", 64, 4, 512);
        String weights = y.text(b, "backbone", "weights", null);
        if (weights != null && weights.isEmpty()) {
            weights = null;
        }
        if (weights != null && !(weights.endsWith(".safetensors") || weights.endsWith(".npz"))) {
            throw new SpecException(y.file(), "backbone.weights", "'" + weights
                    + "' is not a weights file; use a .safetensors or .npz file with torchvision parameter names");
        }
        return new BackboneSpec(name, width, weights);
    }

    private TrainingSpec training(YamlNodes y, JsonNode t, BackboneSpec backbone) {
        y.onlyKeys(t, "training", TRAINING_KEYS);
        TrainingSpec d = TrainingSpec.DEFAULTS;
        String p = "training";
        for (String key : TRAINING_KEYS) {
            if (t.get(key) != null && t.get(key).isArray()) {
                // a list here is usually a sweep meant: only a method's options sweep
                throw new SpecException(y.file(), p + "." + key, "must be a single value, not a list; "
                        + (METHOD_TRAINING_OPTIONS.contains(key) ? "to sweep it, list the values under a method's"
                                + " options, as in {name: da3, options: {" + key + ": [...]}} (docs/spec.md, Sweeps)"
                                : "only a method's options sweep; for several values of " + key + ", write one spec"
                                        + " each"));
            }
        }
        int epochs = (int) y.integer(t, p, "epochs", d.epochs(), 1, 10_000);
        int batch = (int) y.integer(t, p, "batch_size", d.batchSize(), 1, 4096);
        String optimizer = y.choice(t, p, "optimizer", d.optimizer(), TrainingSpec.OPTIMIZERS);
        double lr = y.number(t, p, "learning_rate", d.learningRate(), TrainingSpec.MIN_LEARNING_RATE, 10,
                "a positive number such as 0.01");
        double momentum = y.number(t, p, "momentum", d.momentum(), 0, 0.999, "a number from 0 to 0.999");
        double wd = y.number(t, p, "weight_decay", d.weightDecay(), 0, 1, "a number from 0 to 1, such as 5e-4");
        String schedule = y.choice(t, p, "schedule", d.schedule(), TrainingSpec.SCHEDULES);
        int imageSize = (int) y.integer(t, p, "image_size", backbone.nativeImageSize(), 8, 1024);
        long seed = y.integer(t, p, "seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
        JsonNode a = y.object(t, p, "augmentation");
        y.onlyKeys(a, p + ".augmentation", AUG_KEYS);
        AugmentationSpec aug = new AugmentationSpec(
                y.bool(a, p + ".augmentation", "random_crop", d.augmentation().randomCrop()),
                (int) y.integer(a, p + ".augmentation", "padding", d.augmentation().padding(), 0, 64),
                y.bool(a, p + ".augmentation", "flip", d.augmentation().flip()));
        int trainLimit = (int) y.integer(t, p, "train_limit", d.trainLimit(), 0, Integer.MAX_VALUE);
        int testLimit = (int) y.integer(t, p, "test_limit", d.testLimit(), 0, Integer.MAX_VALUE);
        int evalBatch = (int) y.integer(t, p, "eval_batch_size", d.evalBatchSize(), 1, 4096);
        int logEvery = (int) y.integer(t, p, "log_every", d.logEvery(), 1, 1_000_000);
        int threads = (int) y.integer(t, p, "threads", d.threads(), 0, 1024);
        String allocator = y.choice(t, p, "allocator", d.allocator(), TrainingSpec.ALLOCATORS);
        return new TrainingSpec(epochs, batch, optimizer, lr, momentum, wd, schedule, imageSize, seed,
                aug, trainLimit, testLimit, evalBatch, logEvery, threads, allocator);
    }
}
