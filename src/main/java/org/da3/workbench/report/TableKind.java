package org.da3.workbench.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The comparison tables, by name: one place lists them (the CLI and the GUI offer these). */
public enum TableKind {
    /** Accuracy per domain and method, the mean, and the Decathlon score where it applies. */
    ACCURACY("accuracy"),
    /** Training memory (analytic, measured, ratio to fine-tune), step time, sizes, gates, MACs. */
    COST("cost");

    private final String id;

    TableKind(String id) {
        this.id = id;
    }

    /** @return the name used on the command line */
    public String id() {
        return id;
    }

    /**
     * Builds the table.
     *
     * @param store the results
     * @param options the options
     * @return the table
     */
    public ComparisonTable build(ResultsStore store, TableOptions options) {
        return this == ACCURACY ? ComparisonTables.accuracy(store, options) : ComparisonTables.cost(store, options);
    }

    /**
     * Looks a table up by name.
     *
     * @param name the name
     * @return the kind
     * @throws IllegalArgumentException listing the names
     */
    public static TableKind of(String name) {
        for (TableKind k : values()) {
            if (k.id.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown table '" + name + "'; allowed: " + names());
    }

    /** @return the names, comma-separated */
    public static String names() {
        return Arrays.stream(values()).map(TableKind::id).collect(Collectors.joining(", "));
    }
}
