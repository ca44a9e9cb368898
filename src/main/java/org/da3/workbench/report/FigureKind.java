package org.da3.workbench.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jfree.chart.JFreeChart;

/** The figures, by name: one place lists them (the CLI and the GUI offer these). */
public enum FigureKind {
    /** Mean accuracy against peak training memory, with the Pareto front of the methods. */
    PARETO("pareto"),
    /** Peak training memory per method, analytic and measured, mean ± standard deviation. */
    MEMORY("memory"),
    /** Per-epoch test accuracy against training steps, one curve per method (mean over seeds). */
    ACCURACY("accuracy"),
    /** Training gate sparsity against training steps, one curve per method (mean over seeds). */
    GATES("gates");

    private final String id;

    FigureKind(String id) {
        this.id = id;
    }

    /** @return the name used on the command line */
    public String id() {
        return id;
    }

    /**
     * Builds the chart.
     *
     * @param store the results
     * @param options the options
     * @return the chart
     */
    public JFreeChart build(ResultsStore store, FigureOptions options) {
        switch (this) {
            case PARETO:
                return Figures.pareto(store, options);
            case MEMORY:
                return Figures.memory(store, options);
            case ACCURACY:
                return Figures.accuracyCurves(store, options);
            default:
                return Figures.gateCurves(store, options);
        }
    }

    /**
     * Looks a figure up by name.
     *
     * @param name the name
     * @return the kind
     * @throws IllegalArgumentException listing the names
     */
    public static FigureKind of(String name) {
        for (FigureKind k : values()) {
            if (k.id.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown figure '" + name + "'; allowed: " + names());
    }

    /** @return the names, comma-separated */
    public static String names() {
        return Arrays.stream(values()).map(FigureKind::id).collect(Collectors.joining(", "));
    }
}
