package org.da3.workbench.ui.results;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.da3.workbench.report.RunRecord;

/**
 * One row of the comparison table: a method (label) of an experiment, averaged over its seeds.
 *
 * @param experiment the experiment
 * @param label the method's label
 * @param method the method's registry name
 * @param seeds how many runs (seeds) the row averages
 * @param domains the domains, in the order of {@link #accuracy}
 * @param accuracy final test accuracy per domain (mean over seeds), NaN when not reached
 * @param accuracyStd its standard deviation over seeds (0 with one seed), NaN when not reached
 * @param meanAccuracy the mean over the domains reached
 * @param peakTrainBytes peak training memory above the idle baseline (max over seeds), -1 unknown
 * @param stepSeconds mean seconds per training step, NaN unknown
 * @param trainableParams mean trainable parameters per domain, NaN unknown
 * @param patchBytes mean patch size per domain in bytes, NaN unknown
 * @param gateSparsity mean gate sparsity, NaN for methods without gates
 * @param flops inference FLOPs per image as run (closed gates skipped), NaN unknown
 * @param status "completed", or how many runs did not complete
 * @param runIds the runs it averages
 */
public record ResultRow(String experiment, String label, String method, int seeds, List<String> domains,
        double[] accuracy, double[] accuracyStd, double meanAccuracy, long peakTrainBytes, double stepSeconds,
        double trainableParams, double patchBytes, double gateSparsity, double flops, String status,
        List<String> runIds) {

    /** Copies the lists. */
    public ResultRow {
        Objects.requireNonNull(label);
        domains = List.copyOf(domains);
        runIds = List.copyOf(runIds);
    }

    /**
     * The accuracy on a domain.
     *
     * @param domain the domain name
     * @return the mean final accuracy, NaN if this row has no such domain
     */
    public double accuracy(String domain) {
        int i = domains.indexOf(domain);
        return i < 0 ? Double.NaN : accuracy[i];
    }

    /**
     * Averages the runs of one method of one experiment.
     *
     * @param runs the runs (same experiment and label), at least one
     * @return the row
     */
    public static ResultRow of(List<RunRecord> runs) {
        RunRecord first = runs.get(0);
        Set<String> ds = new LinkedHashSet<>();
        for (RunRecord r : runs) {
            ds.addAll(r.domains());
        }
        List<String> domains = new ArrayList<>(ds);
        double[] acc = new double[domains.size()];
        double[] std = new double[domains.size()];
        for (int d = 0; d < domains.size(); d++) {
            List<Double> vals = new ArrayList<>();
            for (RunRecord r : runs) {
                int i = r.domains().indexOf(domains.get(d));
                if (i >= 0 && !Double.isNaN(r.finalAccuracy(i))) {
                    vals.add(r.finalAccuracy(i));
                }
            }
            acc[d] = mean(vals);
            std[d] = std(vals, acc[d]);
        }
        List<Double> means = new ArrayList<>();
        for (double a : acc) {
            if (!Double.isNaN(a)) {
                means.add(a);
            }
        }
        long peak = -1;
        List<Double> steps = new ArrayList<>();
        List<Double> trainable = new ArrayList<>();
        List<Double> patches = new ArrayList<>();
        List<Double> gates = new ArrayList<>();
        List<Double> flops = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int notDone = 0;
        for (RunRecord r : runs) {
            ids.add(r.runId());
            peak = Math.max(peak, r.peakStepBytes());
            if (!Double.isNaN(r.stepSeconds())) {
                steps.add(r.stepSeconds());
            }
            r.trainableParams().values().forEach(v -> trainable.add(v.doubleValue()));
            r.patchBytes().values().forEach(v -> patches.add(v.doubleValue()));
            if (!Double.isNaN(r.gateSparsity())) {
                gates.add(r.gateSparsity());
            }
            double f = flopsOf(r.summary());
            if (!Double.isNaN(f)) {
                flops.add(f);
            }
            if (!"completed".equals(r.status())) {
                notDone++;
            }
        }
        String status = notDone == 0 ? "completed" : notDone + " of " + runs.size() + " not completed";
        return new ResultRow(first.experiment(), first.label(), first.method(), runs.size(), domains, acc, std,
                mean(means), peak, mean(steps), mean(trainable), mean(patches), mean(gates), mean(flops), status, ids);
    }

    /**
     * Inference FLOPs per image from a run summary: twice the measured multiply-accumulates per
     * image as run ({@code macs_per_image}, per domain, closed gates skipped), averaged over the
     * domains; else {@code flops}; else twice the dense backbone's {@code backbone_macs}.
     *
     * @param summary the run_finished summary
     * @return the FLOPs, NaN when unknown
     */
    static double flopsOf(Map<String, Object> summary) {
        Object perDomain = summary.get("macs_per_image");
        if (perDomain instanceof Map && !((Map<?, ?>) perDomain).isEmpty()) {
            double s = 0;
            int n = 0;
            for (Object v : ((Map<?, ?>) perDomain).values()) {
                if (v instanceof Number) {
                    s += ((Number) v).doubleValue();
                    n++;
                }
            }
            if (n > 0) {
                return 2 * s / n;
            }
        }
        Object f = summary.get("flops");
        if (f instanceof Number) {
            return ((Number) f).doubleValue();
        }
        Object macs = summary.get("backbone_macs");
        if (macs instanceof Number) {
            return 2 * ((Number) macs).doubleValue();
        }
        return Double.NaN;
    }

    private static double mean(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double std(List<Double> v, double mean) {
        if (v.size() < 2) {
            return v.isEmpty() ? Double.NaN : 0;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / (v.size() - 1));
    }
}
