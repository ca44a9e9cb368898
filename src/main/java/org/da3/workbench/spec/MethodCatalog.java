package org.da3.workbench.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                            1e-7,
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

    private static final Map<String, MethodInfo> METHODS = new LinkedHashMap<>();

    static {
        register(
                new MethodInfo(
                        "finetune",
                        "Fine-tune",
                        "every weight of a per-domain copy of the backbone, BN statistics included",
                        false,
                        List.of()));
        register(
                new MethodInfo(
                        "linear",
                        "Linear probe",
                        "only the classifier head; the backbone runs frozen, in inference mode",
                        true,
                        List.of()));
    }

    private MethodCatalog() {}

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
