package org.da3.workbench.ui.results;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the comparison table or its figure to a file. The Results view calls it off the UI
 * thread. {@link BasicResultsExporter} writes what the table shows; the report package's
 * exporters take over behind this interface as they land.
 */
public interface ResultsExporter {

    /**
     * Writes the rows.
     *
     * @param title the table's caption, for example the experiment name
     * @param domains the domain columns, in order
     * @param rows the rows, in the order shown
     * @param format the format
     * @param file the file to write
     * @throws IOException on a write error
     */
    void export(String title, List<String> domains, List<ResultRow> rows, ExportFormat format, Path file)
            throws IOException;
}
