package org.da3.workbench.report;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The export formats: three for tables, two for figures. One place lists them. */
public enum ExportFormat {
    /** LaTeX (booktabs) table. */
    LATEX("latex", "tex", false),
    /** CSV table (numbers at full precision in the displayed units). */
    CSV("csv", "csv", false),
    /** Markdown (pipe) table. */
    MD("md", "md", false),
    /** PNG figure. */
    PNG("png", "png", true),
    /** SVG figure. */
    SVG("svg", "svg", true);

    private final String id;
    private final String extension;
    private final boolean figure;

    ExportFormat(String id, String extension, boolean figure) {
        this.id = id;
        this.extension = extension;
        this.figure = figure;
    }

    /** @return the name used on the command line */
    public String id() {
        return id;
    }

    /** @return the file extension, without the dot */
    public String extension() {
        return extension;
    }

    /** @return true for figure formats (PNG, SVG), false for table formats */
    public boolean figure() {
        return figure;
    }

    /**
     * Looks a format up by name.
     *
     * @param name latex, csv, md, png or svg (tex and markdown are accepted too)
     * @return the format
     * @throws IllegalArgumentException listing the names
     */
    public static ExportFormat of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (ExportFormat f : values()) {
            if (f.id.equals(n) || f.extension.equals(n)) {
                return f;
            }
        }
        if (n.equals("markdown")) {
            return MD;
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; allowed: " + names());
    }

    /**
     * The format a file name implies by its extension.
     *
     * @param file the file
     * @return the format, or null if the extension is none of the formats'
     */
    public static ExportFormat ofFile(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String ext = n.substring(dot + 1);
        for (ExportFormat f : values()) {
            if (f.extension.equals(ext)) {
                return f;
            }
        }
        return ext.equals("markdown") ? MD : null;
    }

    /** @return the names, comma-separated */
    public static String names() {
        return Arrays.stream(values()).map(ExportFormat::id).collect(Collectors.joining(", "));
    }
}
