package org.da3.workbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;

/**
 * Markdown: a pipe table (numbers right-aligned, the best value of each ranked column in bold,
 * {@code mean ± std} when several seeds), then the caption as a Pandoc {@code Table:} line, then
 * the notes.
 */
public final class MarkdownExporter implements TableExporter {

    @Override
    public String render(ComparisonTable t) {
        List<Column> cols = t.columns();
        List<Set<Integer>> best = new ArrayList<>();
        for (int c = 0; c < cols.size(); c++) {
            best.add(t.best(c));
        }
        List<String> head = new ArrayList<>();
        List<String> rule = new ArrayList<>();
        for (Column c : cols) {
            head.add(escape(c.flatHeader()));
            rule.add(c.text() ? ":---" : "---:");
        }
        StringBuilder sb = new StringBuilder();
        line(sb, head);
        line(sb, rule);
        for (int r = 0; r < t.rows().size(); r++) {
            Row row = t.rows().get(r);
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < cols.size(); c++) {
                cells.add(cell(cols.get(c), row.cells().get(c), best.get(c).contains(r)));
            }
            line(sb, cells);
        }
        sb.append('\n').append("Table: ").append(escape(t.fullCaption())).append('\n');
        for (String n : t.notes()) {
            sb.append('\n').append(n.startsWith("* ") ? "\\* " + escape(n.substring(2)) : escape(n)).append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static String cell(Column col, Cell cell, boolean bold) {
        if (col.text()) {
            return escape(cell.text() == null ? "" : cell.text());
        }
        Stats s = cell.stats();
        if (!s.present()) {
            return "-";
        }
        String m = col.format(s.mean());
        String out = bold ? "**" + m + "**" : m;
        if (s.hasSpread()) {
            out += " ± " + col.format(s.std());
        }
        if (cell.provisional()) {
            out += "\\*";
        }
        return out;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_");
    }
}
