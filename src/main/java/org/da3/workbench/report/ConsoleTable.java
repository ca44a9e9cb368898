package org.da3.workbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results table the CLI prints at the end of a run: one row per run (method, seed), a column
 * per domain with its final accuracy, the mean, and the costs.
 */
public final class ConsoleTable {
    private ConsoleTable() {}

    /**
     * Renders runs of one experiment as an aligned text table.
     *
     * @param runs the runs (same domains)
     * @return the table text
     */
    public static String render(List<RunRecord> runs) {
        if (runs.isEmpty()) {
            return "(no runs)\n";
        }
        List<String> domains = runs.get(0).domains();
        List<String> header = new ArrayList<>();
        header.add("method");
        header.add("seed");
        header.addAll(domains);
        header.add("mean");
        header.add("trainable/domain");
        header.add("patch/domain");
        header.add("step s");
        header.add("measured MB");
        header.add("gate sparsity");
        header.add("status");
        List<List<String>> rows = new ArrayList<>();
        for (RunRecord r : runs) {
            List<String> row = new ArrayList<>();
            row.add(r.label());
            row.add(Long.toString(r.seed()));
            for (int i = 0; i < domains.size(); i++) {
                row.add(pct(i < r.domains().size() ? r.finalAccuracy(i) : Double.NaN));
            }
            row.add(pct(r.meanAccuracy()));
            row.add(human(avg(r.trainableParams().values()), ""));
            row.add(human(avg(r.patchBytes().values()), "B"));
            row.add(Double.isNaN(r.stepSeconds()) ? "-" : String.format(Locale.ROOT, "%.3f", r.stepSeconds()));
            row.add(r.peakStepBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.peakStepBytes() / 1e6));
            row.add(Double.isNaN(r.gateSparsity()) ? "-" : String.format(Locale.ROOT, "%.2f", r.gateSparsity()));
            row.add(r.status());
            rows.add(row);
        }
        int[] w = new int[header.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = header.get(c).length();
            for (List<String> row : rows) {
                w[c] = Math.max(w[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        StringBuilder sep = new StringBuilder();
        for (int c = 0; c < w.length; c++) {
            sep.append("-".repeat(w[c])).append(c == w.length - 1 ? "" : "  ");
        }
        sb.append(sep).append('\n');
        for (List<String> row : rows) {
            line(sb, row, w);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w) {
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            boolean left = c == 0 || c == cells.size() - 1;
            String pad = " ".repeat(w[c] - s.length());
            sb.append(left ? s + pad : pad + s);
            if (c < cells.size() - 1) {
                sb.append("  ");
            }
        }
        sb.append('\n');
    }

    private static double avg(java.util.Collection<Long> v) {
        return v.isEmpty() ? Double.NaN : v.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
    }

    static String pct(double a) {
        return Double.isNaN(a) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * a);
    }

    static String human(double v, String unit) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String[] s = {"", "k", "M", "G"};
        int i = 0;
        while (Math.abs(v) >= 1000 && i < s.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f%s%s" : "%.2f%s%s", v, s[i], unit);
    }
}
