package org.da3.workbench.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the workbench knows about a method without loading DJL: its name, a title for tables, what
 * it trains, and its options.
 *
 * @param name the registry name used in specs, for example {@code da3}
 * @param title the display name for tables and the GUI, for example {@code DA3}
 * @param summary one line on what the method trains per domain
 * @param sharesBackbone true when the backbone stays frozen and shared (everything but fine-tune)
 * @param options the method's own options (the common ones are added by {@link MethodCatalog})
 */
public record MethodInfo(
        String name, String title, String summary, boolean sharesBackbone, List<OptionDef> options) {

    /** Copies the option list. */
    public MethodInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(title);
        Objects.requireNonNull(summary);
        options = List.copyOf(options);
    }

    /**
     * Finds an option by name.
     *
     * @param optionName the option name
     * @return the definition, or null
     */
    public OptionDef option(String optionName) {
        for (OptionDef o : options) {
            if (o.name().equals(optionName)) {
                return o;
            }
        }
        return null;
    }

    /** @return the option names in declaration order */
    public List<String> optionNames() {
        List<String> names = new ArrayList<>();
        for (OptionDef o : options) {
            names.add(o.name());
        }
        return names;
    }

    /**
     * Fills in defaults for the options not given.
     *
     * @param given the options as validated
     * @return every option with a non-null default, overridden by the given ones, in declaration
     *     order
     */
    public Map<String, Object> withDefaults(Map<String, Object> given) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (OptionDef o : options) {
            Object v = given.containsKey(o.name()) ? given.get(o.name()) : o.defaultValue();
            if (v != null) {
                out.put(o.name(), v);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
