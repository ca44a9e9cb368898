package org.da3.workbench.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A method chosen in a spec: its registry name and the options given for it (validated against
 * {@link MethodCatalog}).
 *
 * @param name the method name, for example {@code da3}
 * @param options the options as given (defaults are not filled in; see {@link #resolvedOptions()})
 * @param label an optional display name that tells this entry apart from another of the same
 *     method, for example {@code da3-nogate}; null for the default label
 */
public record MethodSpec(String name, Map<String, Object> options, String label) {

    /**
     * The longest display label a spec accepts: the label names the run directories
     * ({@code <time>-<label>-s<seed>}), and a file name has at most 255 bytes.
     */
    public static final int MAX_LABEL_LENGTH = 160;

    /** Copies the options into an unmodifiable, ordered map. */
    public MethodSpec {
        Objects.requireNonNull(name, "name");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
    }

    /**
     * A method with no options.
     *
     * @param name the method name
     * @return the spec
     */
    public static MethodSpec of(String name) {
        return new MethodSpec(name, Map.of(), null);
    }

    /** @return the options with the catalog's defaults filled in */
    public Map<String, Object> resolvedOptions() {
        MethodInfo info = MethodCatalog.find(name);
        return info == null ? options : info.withDefaults(options);
    }

    /**
     * The label that tells apart two entries of the same method with different options, used in
     * run directory names and tables: the given label, else {@code da3} or {@code
     * da3[gates=false]}.
     *
     * @return the label
     */
    public String displayLabel() {
        if (label != null && !label.isBlank()) {
            return label;
        }
        if (options.isEmpty()) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name).append('[');
        boolean first = true;
        for (Map.Entry<String, Object> e : options.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return sb.append(']').toString();
    }

    /**
     * Reads a numeric option (given or default).
     *
     * @param key the option name
     * @param fallback the value when neither is present
     * @return the value
     */
    public double number(String key, double fallback) {
        Object v = resolvedOptions().get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : fallback;
    }

    /**
     * Reads a boolean option (given or default).
     *
     * @param key the option name
     * @param fallback the value when neither is present
     * @return the value
     */
    public boolean flag(String key, boolean fallback) {
        Object v = resolvedOptions().get(key);
        return v instanceof Boolean ? (Boolean) v : fallback;
    }

    /**
     * Reads a string option (given or default).
     *
     * @param key the option name
     * @param fallback the value when neither is present
     * @return the value
     */
    public String text(String key, String fallback) {
        Object v = resolvedOptions().get(key);
        return v == null ? fallback : v.toString();
    }
}
