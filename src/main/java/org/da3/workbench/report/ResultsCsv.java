package org.da3.workbench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.da3.workbench.run.AtomicFiles;

/**
 * A run's results.csv: one row per (domain, after domain) evaluation, with the run's identity and
 * costs on every row so files from many runs concatenate into one table. Written atomically.
 */
public final class ResultsCsv {
    /** The header row. */
    public static final String HEADER = "run_id,experiment,method,label,seed,status,domain,domain_index,"
            + "after_domain,accuracy,trainable_params,patch_bytes,step_seconds,peak_step_bytes,gate_sparsity";

    private ResultsCsv() {}

    /**
     * Renders the CSV text.
     *
     * @param r the run
     * @return the CSV
     */
    public static String render(RunRecord r) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < r.domains().size(); i++) {
            String d = r.domains().get(i);
            boolean any = false;
            for (int j = 0; j < r.domains().size(); j++) {
                double a = r.evaluations()[i][j];
                if (Double.isNaN(a)) {
                    continue;
                }
                any = true;
                row(sb, r, d, i, j, a);
            }
            if (!any) {
                row(sb, r, d, i, -1, Double.NaN);
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, RunRecord r, String d, int i, int j, double a) {
        sb.append(csv(r.runId())).append(',').append(csv(r.experiment())).append(',').append(csv(r.method()))
                .append(',').append(csv(r.label())).append(',').append(r.seed()).append(',').append(r.status())
                .append(',').append(csv(d)).append(',').append(i).append(',').append(j < 0 ? "" : j).append(',')
                .append(num(a)).append(',').append(orEmpty(r.trainableParams().get(d))).append(',')
                .append(orEmpty(r.patchBytes().get(d))).append(',').append(num(r.stepSeconds())).append(',')
                .append(r.peakStepBytes() < 0 ? "" : r.peakStepBytes()).append(',').append(num(r.gateSparsity()))
                .append('\n');
    }

    /**
     * Writes results.csv atomically.
     *
     * @param r the run
     * @param file the destination
     * @throws IOException on a write error
     */
    public static void write(RunRecord r, Path file) throws IOException {
        AtomicFiles.writeString(file, render(r));
    }

    private static String orEmpty(Object o) {
        return o == null ? "" : o.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
