package org.da3.workbench.ui.setup;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.da3.workbench.spec.OptionDef;
import org.da3.workbench.ui.field.ValidatedField;

/**
 * One option of a method in the Setup view: its definition from the method catalog and a field
 * validated as typed with {@link OptionDef#parse}. An empty field means "use the default".
 */
public final class OptionItem {
    private final OptionDef def;
    private final ValidatedField<Object> field;

    /**
     * Creates the item.
     *
     * @param methodPath the spec path of the method, for example {@code methods[2]}
     * @param def the option's definition
     */
    public OptionItem(String methodPath, OptionDef def) {
        this.def = Objects.requireNonNull(def);
        this.field = new ValidatedField<>(methodPath + ".options." + def.name(), "",
                s -> s.isEmpty() ? null : parse(def, s));
    }

    /**
     * A field's value: one value, or several separated by commas, which sweep the option (a
     * list, as under {@code options} in a spec file: the entry runs once per value).
     *
     * @param def the option
     * @param text what was typed
     * @return the value, or the list of values
     * @throws IllegalArgumentException naming the value that is not allowed
     */
    static Object parse(OptionDef def, String text) {
        if (!text.contains(",")) {
            return def.parse(text);
        }
        List<Object> values = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("a value between commas is empty; to sweep, give the values"
                        + " separated by commas, such as " + example(def));
            }
            Object v = def.parse(part.trim());
            if (values.contains(v)) {
                throw new IllegalArgumentException("lists " + v + " a second time; sweep each value once");
            }
            values.add(v);
        }
        return List.copyOf(values);
    }

    private static String example(OptionDef def) {
        return switch (def.type()) {
            case INT -> "2, 4";
            case DOUBLE -> "0.01, 0.05";
            case BOOL -> "true, false";
            case CHOICE -> String.join(", ", def.choices());
        };
    }

    /** @return the option's definition */
    public OptionDef def() {
        return def;
    }

    /** @return the option's field */
    public ValidatedField<Object> field() {
        return field;
    }

    /** @return the text shown in the empty field: the default, or where it is inherited from */
    public String promptText() {
        Object d = def.defaultValue();
        return d == null ? "inherit" : "default " + d;
    }

    /** @return help text: what the option does and what values are allowed */
    public String helpText() {
        return def.help() + " (" + def.allowed() + "; several, separated by commas, sweep it)";
    }
}
