package org.da3.workbench.ui.setup;

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
                s -> s.isEmpty() ? null : def.parse(s));
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
        return def.help() + " (" + def.allowed() + ")";
    }
}
