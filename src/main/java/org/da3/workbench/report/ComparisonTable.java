package org.da3.workbench.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A comparison table ready to export: typed columns, one row per {@link ResultsStore.Entry entry},
 * cells holding raw values (fractions, bytes, seconds) with their spread over seeds, a caption and
 * notes. Exporters ({@link TableExporter}) decide how to draw it; the numbers, their rounding and
 * which cell is best are decided here, once, so every format agrees.
 *
 * @param name a short name ("accuracy", "cost")
 * @param caption the caption, without {@code captionFacts}
 * @param captionFacts sentences the reader needs (for example where the score's reference errors
 *     come from): appended to the default caption, kept as notes when the caption is replaced
 * @param columns the columns
 * @param rows the rows: entries of completed runs first, then runs that stopped part-way
 * @param notes notes shown under the table
 */
public record ComparisonTable(String name, String caption, List<String> captionFacts, List<Column> columns,
        List<Row> rows, List<String> notes) {

    /** Copies the lists and checks the row widths. */
    public ComparisonTable {
        captionFacts = List.copyOf(captionFacts);
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
        for (Row r : rows) {
            if (r.cells().size() != columns.size()) {
                throw new IllegalArgumentException("row has " + r.cells().size() + " cells, table has "
                        + columns.size() + " columns");
            }
        }
    }

    /** Which way a column's values are better. */
    public enum Better {
        /** Higher is better (accuracy, score). */
        HIGHER,
        /** Lower is better (memory, time, parameters). */
        LOWER,
        /** Not ranked. */
        NONE
    }

    /**
     * A column.
     *
     * @param header the header, with its unit where the caption does not give it, for example
     *     "Measured (MB)"
     * @param group a header spanning this column and its neighbours of the same group (LaTeX draws
     *     it above them; flat formats prefix it), or empty
     * @param unit the unit of displayed values when the header does not name it (for example "%"
     *     for accuracy columns, whose unit the caption gives), else empty
     * @param text true for a text column (method, status)
     * @param divisor raw values are divided by this for display (100 shows fractions as %: 0.01)
     * @param decimals decimals shown
     * @param better which way is better (the best value is drawn in bold)
     */
    public record Column(String header, String group, String unit, boolean text, double divisor, int decimals, Better better) {

        /**
         * A text column.
         *
         * @param header the header
         * @return the column
         */
        public static Column text(String header) {
            return new Column(header, "", "", true, 1, 0, Better.NONE);
        }

        /**
         * A number column.
         *
         * @param header the header, with its unit
         * @param divisor display value = raw value / divisor
         * @param decimals decimals shown
         * @param better which way is better
         * @return the column
         */
        public static Column number(String header, double divisor, int decimals, Better better) {
            return new Column(header, "", "", false, divisor, decimals, better);
        }

        /**
         * A number column whose unit the caption gives (the header does not name it).
         *
         * @param header the header
         * @param group a header spanning this column and its neighbours of the same group (LaTeX draws
     *     it above them; flat formats prefix it), or empty
     * @param unit the unit of displayed values, for example "%"
         * @param divisor display value = raw value / divisor
         * @param decimals decimals shown
         * @param better which way is better
         * @return the column
         */
        public static Column number(String header, String unit, double divisor, int decimals, Better better) {
            return new Column(header, "", unit, false, divisor, decimals, better);
        }

        /**
         * The same column under a group header.
         *
         * @param g the group header
         * @return the column
         */
        public Column inGroup(String g) {
            return new Column(header, g, unit, text, divisor, decimals, better);
        }

        /**
         * The same column with other decimals.
         *
         * @param d decimals shown
         * @return the column
         */
        public Column withDecimals(int d) {
            return new Column(header, group, unit, text, divisor, d, better);
        }

        /** @return the group and the header, for formats with one header row (Markdown) */
        public String flatHeader() {
            return group.isEmpty() ? header : group + " " + header;
        }

        /** @return the flat header with the unit, for formats without a caption (CSV) */
        public String headerWithUnit() {
            return unit.isEmpty() ? flatHeader() : flatHeader() + " (" + unit + ")";
        }

        /**
         * Formats a raw value as shown: scaled and rounded.
         *
         * @param raw the raw value
         * @return the text, "-" for NaN
         */
        public String format(double raw) {
            if (Double.isNaN(raw)) {
                return "-";
            }
            String s = String.format(Locale.ROOT, "%." + decimals + "f", raw / divisor);
            return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
        }

        /**
         * The value as shown, as a number (for comparisons).
         *
         * @param raw the raw value
         * @return the rounded display value
         */
        public double rounded(double raw) {
            double scale = Math.pow(10, decimals);
            return Math.round(raw / divisor * scale) / scale;
        }
    }

    /**
     * A cell: text for text columns, stats for number columns.
     *
     * @param text the text (text columns), or null
     * @param stats the value over the entry's runs (number columns), or {@link Stats#NONE}
     * @param provisional true when the value is not final (a per-epoch accuracy of a run that
     *     stopped before its final evaluation): exporters mark it with a star
     */
    public record Cell(String text, Stats stats, boolean provisional) {
        /**
         * A text cell.
         *
         * @param text the text
         * @return the cell
         */
        public static Cell text(String text) {
            return new Cell(text, Stats.NONE, false);
        }

        /**
         * A number cell.
         *
         * @param stats the value
         * @return the cell
         */
        public static Cell of(Stats stats) {
            return new Cell(null, stats, false);
        }
    }

    /**
     * A row.
     *
     * @param cells one per column
     * @param partial true for a run that stopped part-way (never bold, set apart by a rule)
     */
    public record Row(List<Cell> cells, boolean partial) {
        /** Copies the list. */
        public Row {
            cells = List.copyOf(cells);
        }
    }

    /** @return the caption with its facts, as the table shows it by default */
    public String fullCaption() {
        StringBuilder sb = new StringBuilder(caption);
        for (String f : captionFacts) {
            sb.append(' ').append(f);
        }
        return sb.toString();
    }

    /**
     * The same table with the user's caption; the caption facts move to the notes so they stay
     * visible.
     *
     * @param newCaption the caption, or null to keep the default
     * @return the table
     */
    public ComparisonTable withCaption(String newCaption) {
        if (newCaption == null) {
            return this;
        }
        List<String> n = new ArrayList<>(captionFacts);
        n.addAll(notes);
        return new ComparisonTable(name, newCaption, List.of(), columns, rows, n);
    }

    /**
     * The rows whose value in a column is best (ties included), among rows of completed runs.
     * Nothing is best when fewer than two rows have a value or when all values are equal.
     *
     * @param column the column index
     * @return the row indices to draw in bold
     */
    public Set<Integer> best(int column) {
        Column c = columns.get(column);
        Set<Integer> out = new LinkedHashSet<>();
        if (c.text() || c.better() == Better.NONE) {
            return out;
        }
        double best = Double.NaN;
        int values = 0;
        Set<Double> distinct = new LinkedHashSet<>();
        for (Row r : rows) {
            Stats s = r.cells().get(column).stats();
            if (r.partial() || !s.present()) {
                continue;
            }
            double v = c.rounded(s.mean());
            values++;
            distinct.add(v);
            if (Double.isNaN(best) || (c.better() == Better.HIGHER ? v > best : v < best)) {
                best = v;
            }
        }
        if (values < 2 || distinct.size() < 2) {
            return out;
        }
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Stats s = r.cells().get(column).stats();
            if (!r.partial() && s.present() && c.rounded(s.mean()) == best) {
                out.add(i);
            }
        }
        return out;
    }

    /** @return whether any cell shows a standard deviation */
    public boolean hasSpread() {
        for (Row r : rows) {
            for (Cell c : r.cells()) {
                if (c.stats().hasSpread()) {
                    return true;
                }
            }
        }
        return false;
    }
}
