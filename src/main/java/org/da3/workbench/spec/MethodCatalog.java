package org.da3.workbench.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that names the methods and their options.
 *
 * <p>The worker's {@code MethodRegistry} binds an implementation to every name listed here (a test
 * checks that the two agree); the CLI and GUI read this catalog to validate specs and to draw the
 * option fields.
 */
public final class MethodCatalog {

    /** Options every method accepts: per-method overrides of the training section. */
    public static final List<OptionDef> COMMON_OPTIONS =
            List.of(
                    OptionDef.ofDouble(
                            "learning_rate",
                            null,
                            TrainingSpec.MIN_LEARNING_RATE,
                            10,
                            "learning rate for this method; default: training.learning_rate"),
                    OptionDef.ofChoice(
                            "optimizer",
                            null,
                            List.of("sgd", "adam"),
                            "optimizer for this method; default: training.optimizer"),
                    OptionDef.ofDouble(
                            "weight_decay",
                            null,
                            0,
                            1,
                            "L2 weight decay for this method; default: training.weight_decay"));

    /**
     * The methods that train BatchNorms with batch statistics: the backbone's per domain, or, for
     * lite residual, its modules' own. They need more than one value per channel in every step.
     */
    public static final Set<String> BATCH_STATISTICS =
            Set.of("finetune", "bn+last", "series-adapter", "parallel-adapter", "lite-residual");

    private static final Map<String, MethodInfo> METHODS = new LinkedHashMap<>();

    static {
        register(new MethodInfo("finetune", "Fine-tune",
                "every weight of a per-domain copy of the backbone, BN statistics included", false, List.of(
                        OptionDef.ofDouble("drop_path", 0.0, 0, 0.9,
                                "stochastic depth: drop each block's main path per sample with this probability"
                                        + " while training (used to pretrain backbones that tolerate DA3's gates)"))));
        register(new MethodInfo("linear", "Linear probe",
                "only the classifier head; the backbone runs frozen, in inference mode", true,
                frozenPathOptions()));
        register(new MethodInfo("bn+last", "BN + last",
                "per-domain BatchNorm (affine parameters and statistics) and the head", true, List.of()));
        register(new MethodInfo("series-adapter", "Series res. adapter",
                "a zero-initialised 1x1 conv with its BN after each 3x3 conv (Rebuffi 2017), per-domain BN, head",
                true, List.of()));
        register(new MethodInfo("parallel-adapter", "Parallel res. adapter",
                "a zero-initialised 1x1 conv beside each 3x3 conv, same stride (Rebuffi 2018), per-domain BN, head",
                true, List.of()));
        register(new MethodInfo("piggyback", "Piggyback",
                "a real-valued mask per backbone weight, binarised at 5e-3 with a straight-through gradient"
                        + " (Mallya 2018); BN frozen; masks stored as bits",
                true, List.of(
                        OptionDef.ofDouble("learning_rate", 1e-4, TrainingSpec.MIN_LEARNING_RATE, 10,
                                "learning rate (Adam, as in the paper)"),
                        OptionDef.ofChoice("optimizer", "adam", List.of("sgd", "adam"), "optimizer"),
                        OptionDef.ofDouble("threshold", 5e-3, 0, 1, "binarisation threshold of the real-valued mask"),
                        OptionDef.ofDouble("mask_init", 1e-2, -1, 1, "initial value of every mask entry"),
                        OptionDef.ofDouble("head_lr_scale", 10.0, 0, 1000,
                                "learning-rate multiplier of the classifier head (the paper trains it 10x faster than"
                                        + " the masks)"))));
        register(new MethodInfo("lite-residual", "Lite residual",
                "TinyTL's lite residual module on each block (pooled input, grouped 5x5 conv, 1x1 conv, BN with"
                        + " gamma 0), the backbone's BN biases, and the head",
                true, List.of(
                        OptionDef.ofInt("group_width", 8, 1, 512, "channels per group of the 5x5 conv (a block"
                                + " whose channels it does not divide gets one group)"),
                        OptionDef.ofInt("pool", 2, 1, 16, "average-pooling factor of the module's input"),
                        OptionDef.ofChoice("engine", "frozen-path", List.of("frozen-path", "autograd"),
                                "training step: the frozen path (keeps no float activation of frozen layers) or plain"
                                        + " autograd (the naive reference)"))));
        register(new MethodInfo("da3", "DA3",
                "an additive channel and spatial attention adaptor per block computed from pooled inputs, per-sample"
                        + " block gates that skip the frozen main path, and the head (Yang et al., CVPRW 2022)",
                true, concat(List.of(
                        OptionDef.ofBool("gates", true, "per-sample block gates (off: the no-gate ablation)"),
                        OptionDef.ofChoice("attention", "both", List.of("both", "channel", "spatial", "none"),
                                "which additive attention terms to learn"),
                        OptionDef.ofInt("reduction", 16, 1, 1024, "channel-attention reduction r (hidden = C/r, at least 4)"),
                        OptionDef.ofInt("pool", 4, 1, 64, "spatial-attention pooling factor d"),
                        OptionDef.ofOddInt("kernel", 3, 1, 15, "spatial-attention conv kernel k (odd)"),
                        OptionDef.ofDouble("lambda", 20.0, 0, 1000, "weight of the compute budget, lambda * (open ratio - rho)^2"),
                        OptionDef.ofDouble("rho", 0.7, 0, 1, "target open ratio of the gates (1 - target sparsity)"),
                        OptionDef.ofDouble("gate_init", 1.5, -20, 20, "initial gate bias c_g (positive: open)"),
                        OptionDef.ofBool("skip", true, "skip the frozen main path of closed gates at inference"),
                        OptionDef.ofChoice("gate_blocks", "identity", List.of("identity", "all"),
                                "which blocks have gates: those with an identity shortcut, or all (downsampling too)"),
                        OptionDef.ofDouble("gate_lr_scale", 1.0, 0, 10,
                                "learning-rate multiplier of the gates"),
                        OptionDef.ofDouble("gate_temperature", 4.0, 0.1, 100,
                                "temperature tau of the gates' straight-through gradient, sigmoid'(z/tau)/tau"),
                        OptionDef.ofChoice("budget", "global", List.of("global", "block"),
                                "what the budget pulls to rho: the open ratio over all gated blocks (the gates choose which"
                                        + " blocks and which samples skip), or each gated block's open ratio on its own"),
                        OptionDef.ofChoice("budget_ramp", "lambda", List.of("lambda", "rho"),
                                "what ramps in over budget_warmup: the budget's weight (from 0 to lambda) or its target"
                                        + " open ratio (from 1 down to rho)"),
                        OptionDef.ofDouble("budget_warmup", 0.5, 0, 1,
                                "fraction of each domain's steps over which the budget ramps in (see budget_ramp)")),
                frozenPathOptions())));
    }

    private MethodCatalog() {}

    /** The options of every method that can train on the frozen path: its engine and micro-batches. */
    private static List<OptionDef> frozenPathOptions() {
        return List.of(
                OptionDef.ofChoice("engine", "frozen-path", List.of("frozen-path", "autograd"),
                        "training step: the frozen path (keeps no float activation of frozen layers) or plain"
                                + " autograd (the naive reference)"),
                OptionDef.ofInt("micro_batch", 8, 0, 4096,
                        "images per micro-batch of the frozen path's largest blocks (0: whole batch); exact,"
                                + " as frozen BN treats samples independently"),
                OptionDef.ofBool("grow_micro_batch", true,
                        "later blocks, whose activations per image are 2^k times smaller, run 2^k times larger"
                                + " micro-batches (at most the batch): the same transient memory, fewer and larger"
                                + " convolutions"),
                OptionDef.ofInt("micro_batch_floor_kib", 2048, 0, 1 << 20,
                        "with grow_micro_batch, the largest blocks' micro-batch also doubles (up to the batch)"
                                + " while their largest activation for it stays within this many KiB: a small"
                                + " network, whose per-call overhead outweighs its memory, runs whole batches"
                                + " (0: never)"),
                OptionDef.ofInt("micro_batch_ceiling_kib", 16384, 0, 1 << 20,
                        "with grow_micro_batch, the largest blocks' micro-batch then halves (down to one image)"
                                + " while their largest activation for it exceeds this many KiB: large images"
                                + " (ResNet-50 at 224 px) run fewer images at a time (0: never)"));
    }

    /** @return the two lists, one after the other */
    private static List<OptionDef> concat(List<OptionDef> first, List<OptionDef> second) {
        List<OptionDef> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    private static void register(MethodInfo info) {
        List<OptionDef> all = new ArrayList<>(info.options());
        for (OptionDef c : COMMON_OPTIONS) {
            if (info.option(c.name()) == null) {
                all.add(c);
            }
        }
        METHODS.put(
                info.name(),
                new MethodInfo(info.name(), info.title(), info.summary(), info.sharesBackbone(), all));
    }

    /** @return every method in display order */
    public static List<MethodInfo> all() {
        return Collections.unmodifiableList(new ArrayList<>(METHODS.values()));
    }

    /** @return the method names in display order */
    public static List<String> names() {
        return new ArrayList<>(METHODS.keySet());
    }

    /**
     * Looks a method up.
     *
     * @param name the registry name
     * @return the method's info, or null if there is none by that name
     */
    public static MethodInfo find(String name) {
        return METHODS.get(name);
    }
}
