package org.da3.workbench.ui.results;

import java.util.Locale;

/** What the Results view exports: tables as text, the accuracy figure as an image. */
public enum ExportFormat {
    /** A LaTeX tabular (booktabs). */
    LATEX("tex", "LaTeX table"),
    /** Comma-separated values, one row per method. */
    CSV("csv", "CSV table"),
    /** A GitHub Markdown table. */
    MARKDOWN("md", "Markdown table"),
    /** The accuracy figure as a PNG image. */
    PNG("png", "PNG figure"),
    /** The accuracy figure as SVG. */
    SVG("svg", "SVG figure");

    private final String extension;
    private final String title;

    ExportFormat(String extension, String title) {
        this.extension = extension;
        this.title = title;
    }

    /** @return the file extension without the dot */
    public String extension() {
        return extension;
    }

    /** @return a title for menus and file choosers */
    public String title() {
        return title;
    }

    /** @return whether this is a figure rather than a table */
    public boolean isFigure() {
        return this == PNG || this == SVG;
    }

    /**
     * The format of a file name's extension.
     *
     * @param fileName the file name
     * @return the format, or null
     */
    public static ExportFormat ofFile(String fileName) {
        String f = fileName.toLowerCase(Locale.ROOT);
        for (ExportFormat x : values()) {
            if (f.endsWith("." + x.extension)) {
                return x;
            }
        }
        return null;
    }
}
