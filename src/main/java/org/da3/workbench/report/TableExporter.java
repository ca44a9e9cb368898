package org.da3.workbench.report;

/** Draws a {@link ComparisonTable} as text in one format. */
public interface TableExporter {

    /**
     * Renders the table.
     *
     * @param table the table
     * @return the text, ending with a newline
     */
    String render(ComparisonTable table);

    /**
     * The exporter of a table format.
     *
     * @param format latex, csv or md
     * @param label the LaTeX label (ignored by other formats), or null for {@code tab:<table name>}
     * @return the exporter
     * @throws IllegalArgumentException for a figure format
     */
    static TableExporter of(ExportFormat format, String label) {
        switch (format) {
            case LATEX:
                return new LatexExporter(label);
            case CSV:
                return new CsvExporter();
            case MD:
                return new MarkdownExporter();
            default:
                throw new IllegalArgumentException("format '" + format.id()
                        + "' draws figures, not tables; use latex, csv or md for a table");
        }
    }
}
