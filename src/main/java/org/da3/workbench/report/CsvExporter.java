package org.da3.workbench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;

/**
 * CSV (RFC 4180): a header row, then one row per table row. Every number column becomes three:
 * the mean, its standard deviation over seeds ({@code <header> std}) and the number of runs that
 * have the value ({@code <header> n}), in the units the table displays (named in the header) with
 * six significant digits; missing values are empty. A column {@code partial} says whether the row
 * is a run that stopped part-way, {@code provisional} lists the columns holding a per-epoch value.
 */
public final class CsvExporter implements TableExporter {

    @Override
    public String render(ComparisonTable t) {
        List<String> head = new ArrayList<>();
        for (Column c : t.columns()) {
            String h = c.headerWithUnit();
            head.add(h);
            if (!c.text()) {
                head.add(h + " std");
                head.add(h + " n");
            }
        }
        head.add("partial");
        head.add("provisional");
        StringBuilder sb = new StringBuilder();
        line(sb, head);
        for (Row row : t.rows()) {
            List<String> cells = new ArrayList<>();
            List<String> provisional = new ArrayList<>();
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                Cell cell = row.cells().get(i);
                if (c.text()) {
                    cells.add(cell.text() == null ? "" : cell.text());
                    continue;
                }
                Stats s = cell.stats();
                cells.add(s.present() ? number(s.mean() / c.divisor()) : "");
                cells.add(s.hasSpread() ? number(s.std() / c.divisor()) : "");
                cells.add(Integer.toString(s.present() ? s.n() : 0));
                if (cell.provisional()) {
                    provisional.add(c.header());
                }
            }
            cells.add(Boolean.toString(row.partial()));
            cells.add(String.join(";", provisional));
            line(sb, cells);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(cells.get(i)));
        }
        sb.append('\n');
    }

    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static String quote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
