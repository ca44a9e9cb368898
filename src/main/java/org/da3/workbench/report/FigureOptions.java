package org.da3.workbench.report;

/**
 * How figures are built.
 *
 * @param title the chart title, or null for the figure's own
 * @param memory which training memory the Pareto view plots: measured (peak RSS) or analytic
 */
public record FigureOptions(String title, Memory memory) {

    /** Defaults: the figure's own title, measured memory. */
    public static final FigureOptions DEFAULTS = new FigureOptions(null, Memory.MEASURED);

    /** Checks the fields. */
    public FigureOptions {
        java.util.Objects.requireNonNull(memory, "memory");
    }

    /** Which training memory. */
    public enum Memory {
        /** Peak RSS above the idle baseline during training. */
        MEASURED,
        /** The analytic profiler's training-step peak. */
        ANALYTIC
    }

    /**
     * @param t the title, or null
     * @return a copy
     */
    public FigureOptions withTitle(String t) {
        return new FigureOptions(t, memory);
    }

    /**
     * @param m the memory plotted
     * @return a copy
     */
    public FigureOptions withMemory(Memory m) {
        return new FigureOptions(title, m);
    }
}
