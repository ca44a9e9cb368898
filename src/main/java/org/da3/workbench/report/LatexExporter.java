package org.da3.workbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;

/**
 * LaTeX: a {@code table} float with a booktabs {@code tabular} (needs the booktabs package),
 * the best value of each ranked column in bold, {@code mean $\pm$ std}
 * when several seeds, runs that stopped part-way below a rule, the caption, the label, and notes
 * in small print under the table.
 */
public final class LatexExporter implements TableExporter {

    private final String label;

    /**
     * An exporter.
     *
     * @param label the label, or null for {@code tab:<table name>}
     */
    public LatexExporter(String label) {
        this.label = label;
    }

    @Override
    public String render(ComparisonTable t) {
        List<Column> cols = t.columns();
        List<Set<Integer>> best = new ArrayList<>();
        StringBuilder align = new StringBuilder();
        for (int c = 0; c < cols.size(); c++) {
            best.add(t.best(c));
            align.append(cols.get(c).text() ? 'l' : 'r');
        }
        StringBuilder sb = new StringBuilder();
        sb.append("% DA3 Workbench: ").append(t.name()).append(" table; needs \\usepackage{booktabs}\n");
        sb.append("\\begin{table}[tbp]\n");
        sb.append("  \\centering\n");
        sb.append("  \\caption{").append(escape(t.fullCaption())).append("}\n");
        sb.append("  \\label{").append(label == null ? "tab:" + t.name() : label).append("}\n");
        sb.append("  \\begin{tabular}{").append(align).append("}\n");
        sb.append("    \\toprule\n");
        groupRow(sb, cols);
        List<String> head = new ArrayList<>();
        for (Column c : cols) {
            head.add(escape(c.header()));
        }
        sb.append("    ").append(String.join(" & ", head)).append(" \\\\\n");
        sb.append("    \\midrule\n");
        boolean inPartial = false;
        for (int r = 0; r < t.rows().size(); r++) {
            Row row = t.rows().get(r);
            if (row.partial() && !inPartial && r > 0) {
                sb.append("    \\midrule\n");
            }
            inPartial = row.partial();
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < cols.size(); c++) {
                cells.add(cell(cols.get(c), row.cells().get(c), best.get(c).contains(r)));
            }
            sb.append("    ").append(String.join(" & ", cells)).append(" \\\\\n");
        }
        sb.append("    \\bottomrule\n");
        sb.append("  \\end{tabular}\n");
        if (!t.notes().isEmpty()) {
            sb.append("  \\par\\smallskip\n");
            sb.append("  {\\footnotesize\n");
            for (String n : t.notes()) {
                sb.append("    ").append(note(n)).append("\\par\n");
            }
            sb.append("  }\n");
        }
        sb.append("\\end{table}\n");
        return sb.toString();
    }

    /** A header row of column groups with a cmidrule under each, when any column has a group. */
    private static void groupRow(StringBuilder sb, List<Column> cols) {
        if (cols.stream().allMatch(c -> c.group().isEmpty())) {
            return;
        }
        List<String> cells = new ArrayList<>();
        StringBuilder rules = new StringBuilder();
        int c = 0;
        while (c < cols.size()) {
            String g = cols.get(c).group();
            int end = c;
            while (end + 1 < cols.size() && !g.isEmpty() && cols.get(end + 1).group().equals(g)) {
                end++;
            }
            if (g.isEmpty()) {
                cells.add("");
            } else {
                cells.add("\\multicolumn{" + (end - c + 1) + "}{c}{" + escape(g) + "}");
                rules.append(rules.length() == 0 ? "" : " ").append("\\cmidrule(lr){").append(c + 1).append('-')
                        .append(end + 1).append('}');
            }
            c = end + 1;
        }
        sb.append("    ").append(String.join(" & ", cells)).append(" \\\\\n");
        sb.append("    ").append(rules).append('\n');
    }

    private static String cell(Column col, Cell cell, boolean bold) {
        if (col.text()) {
            String t = escape(cell.text() == null ? "" : cell.text());
            // a row starting with [ would be read as the optional argument of the \\ or \midrule before it
            return t.startsWith("[") ? "{}" + t : t;
        }
        Stats s = cell.stats();
        if (!s.present()) {
            return "--";
        }
        String m = col.format(s.mean());
        String out = bold ? "\\textbf{" + m + "}" : m;
        if (s.hasSpread()) {
            out += "\\,$\\pm$\\," + col.format(s.std());
        }
        if (cell.provisional()) {
            out += "$^{*}$";
        }
        return out;
    }

    private static String note(String n) {
        if (n.startsWith("* ")) {
            return "$^{*}$\\," + escape(n.substring(2));
        }
        return escape(n);
    }

    /**
     * Escapes text for LaTeX: special characters, and the few Unicode symbols tables use (±, ×, −,
     * ≈, γ) as math.
     *
     * @param s text
     * @return LaTeX
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\':
                    sb.append("\\textbackslash{}");
                    break;
                case '&':
                case '%':
                case '$':
                case '#':
                case '_':
                case '{':
                case '}':
                    sb.append('\\').append(ch);
                    break;
                case '~':
                    sb.append("\\textasciitilde{}");
                    break;
                case '^':
                    sb.append("\\textasciicircum{}");
                    break;
                case '<':
                    sb.append("\\textless{}");
                    break;
                case '>':
                    sb.append("\\textgreater{}");
                    break;
                case '|':
                    sb.append("\\textbar{}");
                    break;
                case '±':
                    sb.append("$\\pm$");
                    break;
                case '×':
                    sb.append("$\\times$");
                    break;
                case '−':
                    sb.append("$-$");
                    break;
                case '≈':
                    sb.append("$\\approx$");
                    break;
                case 'γ':
                    sb.append("$\\gamma$");
                    break;
                case 'Σ':
                    sb.append("$\\Sigma$");
                    break;
                default:
                    sb.append(ch);
            }
        }
        return sb.toString();
    }
}
