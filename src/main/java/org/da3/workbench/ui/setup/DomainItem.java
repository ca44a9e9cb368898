package org.da3.workbench.ui.setup;

import java.util.List;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import org.da3.workbench.data.DatasetInfo;

/**
 * One dataset of the workspace as the Setup view lists it: what it is, whether its data is there,
 * and whether the experiment uses it.
 */
public final class DomainItem {
    /** The kind shown for a name that no readable descriptor provides. */
    public static final String NO_KIND = "?";

    private final String name;
    private final String title;
    private final String kind;
    private final String location;
    private final boolean found;
    private final int classes;
    private final int trainSize;
    private final int testSize;
    private final List<String> problems;
    private final BooleanProperty selected = new SimpleBooleanProperty(this, "selected");

    /**
     * Creates an item.
     *
     * @param name the dataset name
     * @param title its display title
     * @param kind the source kind
     * @param location where its data is (or "built-in")
     * @param found whether the data is there
     * @param classes classes, -1 if unknown
     * @param trainSize training images, -1 if unknown
     * @param testSize test images, -1 if unknown
     * @param problems what is wrong with it (empty when usable)
     */
    public DomainItem(String name, String title, String kind, String location, boolean found, int classes,
            int trainSize, int testSize, List<String> problems) {
        this.name = Objects.requireNonNull(name);
        this.title = title == null ? name : title;
        this.kind = kind == null ? NO_KIND : kind;
        this.location = location == null ? "" : location;
        this.found = found;
        this.classes = classes;
        this.trainSize = trainSize;
        this.testSize = testSize;
        this.problems = List.copyOf(problems);
    }

    /**
     * An item from a dataset's description.
     *
     * @param info the description
     * @param title the descriptor's title
     * @return the item
     */
    public static DomainItem of(DatasetInfo info, String title) {
        return new DomainItem(info.name(), title, info.kind(), info.location(), info.found(), info.classes(),
                info.trainSize(), info.testSize(), info.problems());
    }

    /**
     * An item for a name a spec uses that no descriptor provides.
     *
     * @param name the name
     * @param problem why it cannot be used
     * @return the item
     */
    public static DomainItem missing(String name, String problem) {
        return new DomainItem(name, name, NO_KIND, "", false, -1, -1, -1, List.of(problem));
    }

    /** @return the dataset name */
    public String name() {
        return name;
    }

    /** @return the display title */
    public String title() {
        return title;
    }

    /** @return the source kind */
    public String kind() {
        return kind;
    }

    /** @return where the data is */
    public String location() {
        return location;
    }

    /** @return whether the data is there and usable */
    public boolean usable() {
        return found && problems.isEmpty();
    }

    /** @return whether the data is there */
    public boolean found() {
        return found;
    }

    /** @return the number of classes, -1 if unknown */
    public int classes() {
        return classes;
    }

    /** @return training images, -1 if unknown */
    public int trainSize() {
        return trainSize;
    }

    /** @return test images, -1 if unknown */
    public int testSize() {
        return testSize;
    }

    /** @return the problems, empty when usable */
    public List<String> problems() {
        return problems;
    }

    /** @return "found", "missing" or the first problem, for the status column */
    public String statusText() {
        if (usable()) {
            return "found";
        }
        return problems.isEmpty() ? "missing" : (found ? "problem: " : "missing: ") + problems.get(0);
    }

    /** @return "3000 / 1000" (train / test), or "-" when unknown */
    public String sizesText() {
        if (trainSize < 0 && testSize < 0) {
            return "-";
        }
        return (trainSize < 0 ? "?" : Integer.toString(trainSize)) + " / " + (testSize < 0 ? "?" : Integer.toString(testSize));
    }

    /** @return whether the experiment uses this domain */
    public BooleanProperty selectedProperty() {
        return selected;
    }

    /** @return whether the experiment uses this domain */
    public boolean isSelected() {
        return selected.get();
    }

    /** @param value whether the experiment uses this domain */
    public void setSelected(boolean value) {
        selected.set(value);
    }
}
