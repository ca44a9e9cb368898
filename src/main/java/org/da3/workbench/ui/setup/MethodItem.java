package org.da3.workbench.ui.setup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import org.da3.workbench.spec.MethodInfo;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.OptionDef;
import org.da3.workbench.ui.field.ValidatedField;

/**
 * One method entry in the Setup view: a method from the catalog, whether it is chosen, an
 * optional label and its options, each validated as typed. Options left empty take the catalog's
 * defaults.
 */
public final class MethodItem {
    private final MethodInfo info;
    private final BooleanProperty selected = new SimpleBooleanProperty(this, "selected");
    private final ValidatedField<String> label;
    private final List<OptionItem> options;

    /**
     * Creates an entry for a method with empty (default) options.
     *
     * @param info the method
     * @param path its spec path for messages, for example {@code methods[0]}
     */
    public MethodItem(MethodInfo info, String path) {
        this.info = Objects.requireNonNull(info);
        this.label = new ValidatedField<>(path + ".label", "", s -> {
            if (!s.isEmpty() && !s.matches("[A-Za-z0-9+._\\-\\[\\],=]+")) {
                throw new IllegalArgumentException("'" + s + "' is not a usable label; use letters, digits and + . _ - [ ] , =");
            }
            return s;
        });
        List<OptionItem> list = new ArrayList<>();
        for (OptionDef d : info.options()) {
            list.add(new OptionItem(path, d));
        }
        this.options = List.copyOf(list);
    }

    /** @return the method */
    public MethodInfo info() {
        return info;
    }

    /** @return the options in catalog order */
    public List<OptionItem> options() {
        return options;
    }

    /** @return the optional label field (empty: the default label) */
    public ValidatedField<String> label() {
        return label;
    }

    /** @return whether the experiment runs this entry */
    public BooleanProperty selectedProperty() {
        return selected;
    }

    /** @return whether the experiment runs this entry */
    public boolean isSelected() {
        return selected.get();
    }

    /** @param value whether the experiment runs this entry */
    public void setSelected(boolean value) {
        selected.set(value);
    }

    /**
     * Finds an option item.
     *
     * @param name the option name
     * @return the item, or null
     */
    public OptionItem option(String name) {
        for (OptionItem o : options) {
            if (o.def().name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** @return whether the label and every option are valid */
    public boolean isValid() {
        if (!label.isValid()) {
            return false;
        }
        for (OptionItem o : options) {
            if (!o.field().isValid()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fills the fields from a spec entry (options not given are left empty).
     *
     * @param spec the entry
     */
    public void fill(MethodSpec spec) {
        label.setText(spec.label() == null ? "" : spec.label());
        for (OptionItem o : options) {
            Object v = spec.options().get(o.def().name());
            o.field().setText(v == null ? "" : v.toString());
        }
    }

    /**
     * The spec entry these fields describe.
     *
     * @return the entry, or null while a field is invalid
     */
    public MethodSpec toSpec() {
        if (!isValid()) {
            return null;
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        for (OptionItem o : options) {
            Object v = o.field().getValue();
            if (v != null) {
                opts.put(o.def().name(), v);
            }
        }
        String l = label.getValue();
        return new MethodSpec(info.name(), opts, l == null || l.isEmpty() ? null : l);
    }

    /** @return the label this entry gets in run names and tables */
    public String displayLabel() {
        MethodSpec s = toSpec();
        return s == null ? info.name() : s.displayLabel();
    }

    /** @return the observables whose change changes the spec (for list extractors) */
    public Observable[] observables() {
        List<Observable> out = new ArrayList<>();
        out.add(selected);
        out.add(label.textProperty());
        for (OptionItem o : options) {
            out.add(o.field().textProperty());
        }
        return out.toArray(new Observable[0]);
    }
}
