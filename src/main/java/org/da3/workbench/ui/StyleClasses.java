package org.da3.workbench.ui;

/**
 * The style classes the workbench's views use, in one place. Views add these constants (or
 * AtlantaFX's {@code atlantafx.base.theme.Styles}) instead of raw style strings; the rules are in
 * {@code workbench.css} and each view's own CSS.
 */
public final class StyleClasses {
    private StyleClasses() {}

    /** The root of the main window. */
    public static final String WORKBENCH = "workbench";
    /** A section title inside a view ("Domains", "Methods"). */
    public static final String SECTION_TITLE = "section-title";
    /** A card grouping a section's controls. */
    public static final String SECTION = "section";
    /** The inline error under a field. */
    public static final String FIELD_ERROR = "field-error";
    /** A field's label in a form. */
    public static final String FIELD_LABEL = "field-label";
    /** A muted explanation line. */
    public static final String HINT = "hint";
    /** One method's card in the Setup view. */
    public static final String METHOD_CARD = "method-card";
    /** A method card whose method is chosen. */
    public static final String METHOD_CARD_SELECTED = "method-card-selected";
    /** The line that says why Launch is disabled. */
    public static final String PROBLEM = "problem";
    /** The status bar at the bottom of the window. */
    public static final String STATUS_BAR = "status-bar";
    /** A run status cell; combined with the status name, for example {@code run-status-failed}. */
    public static final String RUN_STATUS = "run-status";
    /** A log line of level warning. */
    public static final String LOG_WARNING = "log-warning";
    /** A log line of level error. */
    public static final String LOG_ERROR = "log-error";
    /** A numeric table cell (right-aligned, tabular figures). */
    public static final String NUMERIC = "numeric";
    /** The best value of a column in the results table. */
    public static final String BEST = "best";
    /** A chart tile in the Monitor. */
    public static final String CHART_TILE = "chart-tile";

    /**
     * The style class of a run status.
     *
     * @param status the status name in lower case, for example {@code running}
     * @return the class, for example {@code run-status-running}
     */
    public static String runStatus(String status) {
        return RUN_STATUS + "-" + status;
    }
}
