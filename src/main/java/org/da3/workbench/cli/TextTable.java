package org.da3.workbench.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Column-aligned plain-text tables, as the listing commands ({@code datasets list}, {@code targets list}) print them. */
final class TextTable {
    private TextTable() {}

    /**
     * Prints rows with every column padded to its widest cell, two spaces between columns.
     *
     * @param out where to
     * @param rows the header row first; every row has the same number of cells
     */
    static void print(PrintWriter out, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                sb.append(String.format(Locale.ROOT, "%-" + w[c] + "s", r[c])).append(c < r.length - 1 ? "  " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
