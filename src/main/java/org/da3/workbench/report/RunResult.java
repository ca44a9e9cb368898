package org.da3.workbench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.TrainMetrics;

/**
 * One run as the comparison tables and figures see it: its {@link RunRecord} plus the values a run
 * reached before it stopped, its costs (from the run_finished summary where present, else from the
 * events), and its curves. Values that a run does not report are NaN (or -1 for byte counts), and
 * the exporters show them as "-".
 *
 * @param dir the run directory, or null when built from events in memory
 * @param record the run read back from its events
 * @param reachedAccuracy per domain (learning order): the final accuracy from the reloaded patch,
 *     else, for a run that stopped part-way, the last per-epoch test accuracy; NaN if none
 * @param fromCheckpoint per domain: whether {@code reachedAccuracy} is a final evaluation from the
 *     saved patch (false for a per-epoch value of a run that stopped)
 * @param stoppedIn the domain being trained when the run ended (the last one started), or null
 * @param analyticStepBytes the analytic profiler's training-step peak, -1 if not reported
 * @param gateSparsity per domain, 1 - open ratio at the final evaluation (absent without gates)
 * @param macsPerImage per domain, inference multiply-accumulates per image with gate skipping
 * @param fullMacsPerImage the backbone's multiply-accumulates per image, NaN if not reported
 * @param latencyMs per domain: {"skip": ms, "full": ms} inference latency per image
 * @param testCurve per-epoch test accuracy (value) at the run step it was measured
 * @param trainCurve training accuracy per logging window (value) at its run step
 * @param lossCurve training loss per logging window (value) at its run step
 * @param gateCurve training gate sparsity per logging window (value) at its run step
 */
public record RunResult(Path dir, RunRecord record, double[] reachedAccuracy, boolean[] fromCheckpoint,
        String stoppedIn, long analyticStepBytes, Map<String, Double> gateSparsity, Map<String, Double> macsPerImage,
        double fullMacsPerImage, Map<String, Map<String, Double>> latencyMs, List<CurvePoint> testCurve,
        List<CurvePoint> trainCurve, List<CurvePoint> lossCurve, List<CurvePoint> gateCurve) {

    /** Copies the collections. */
    public RunResult {
        reachedAccuracy = reachedAccuracy.clone();
        fromCheckpoint = fromCheckpoint.clone();
        gateSparsity = Collections.unmodifiableMap(new LinkedHashMap<>(gateSparsity));
        macsPerImage = Collections.unmodifiableMap(new LinkedHashMap<>(macsPerImage));
        latencyMs = Collections.unmodifiableMap(new LinkedHashMap<>(latencyMs));
        testCurve = List.copyOf(testCurve);
        trainCurve = List.copyOf(trainCurve);
        lossCurve = List.copyOf(lossCurve);
        gateCurve = List.copyOf(gateCurve);
    }

    /**
     * One point of a curve.
     *
     * @param domain the domain being trained
     * @param domainIndex its position in the learning order
     * @param epoch the epoch (1-based), 0 when not known
     * @param runStep training steps done in the run when it was measured
     * @param value the value
     */
    public record CurvePoint(String domain, int domainIndex, int epoch, long runStep, double value) {}

    /** @return whether the run completed (its values enter the means over seeds) */
    public boolean completed() {
        return RunFinished.COMPLETED.equals(record.status());
    }

    /** @return the domains in learning order */
    public List<String> domains() {
        return record.domains();
    }

    /**
     * The accuracy a domain reached (see {@link #reachedAccuracy}).
     *
     * @param domain the domain
     * @return the accuracy, NaN when the domain was never evaluated or is not in this run
     */
    public double accuracy(String domain) {
        int i = record.domains().indexOf(domain);
        return i < 0 ? Double.NaN : reachedAccuracy[i];
    }

    /**
     * Whether a domain's accuracy is a final evaluation from the saved patch.
     *
     * @param domain the domain
     * @return true for a final evaluation (and for a domain without a value)
     */
    public boolean isFinal(String domain) {
        int i = record.domains().indexOf(domain);
        return i < 0 || Double.isNaN(reachedAccuracy[i]) || fromCheckpoint[i];
    }

    /** @return the mean accuracy over all the run's domains, NaN unless every domain has a value */
    public double meanAccuracy() {
        if (reachedAccuracy.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double a : reachedAccuracy) {
            if (Double.isNaN(a)) {
                return Double.NaN;
            }
            s += a;
        }
        return s / reachedAccuracy.length;
    }

    /** @return measured peak training-step memory above the idle baseline, -1 if unknown */
    public long measuredStepBytes() {
        return record.peakStepBytes();
    }

    /** @return mean gate sparsity over domains, NaN when the method has no gates */
    public double meanGateSparsity() {
        if (!gateSparsity.isEmpty()) {
            return gateSparsity.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
        return record.gateSparsity();
    }

    /**
     * Inference multiply-accumulates per image averaged over domains: with gate skipping where the
     * run reports it, else the full backbone's.
     *
     * @return MACs per image, NaN if unknown
     */
    public double meanMacsPerImage() {
        if (!macsPerImage.isEmpty()) {
            return macsPerImage.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
        return fullMacsPerImage;
    }

    /**
     * Mean inference latency per image over domains.
     *
     * @param mode "skip" (closed gates skip their blocks) or "full"
     * @return milliseconds, NaN if not reported
     */
    public double meanLatencyMs(String mode) {
        double s = 0;
        int n = 0;
        for (Map<String, Double> m : latencyMs.values()) {
            Double v = m.get(mode);
            if (v != null && !v.isNaN()) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /**
     * Mean trainable parameters per domain over the domains started.
     *
     * @return the count, NaN if none
     */
    public double meanTrainableParams() {
        return record.trainableParams().values().stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
    }

    /**
     * Mean patch size per domain over the domains saved.
     *
     * @return bytes, NaN if none
     */
    public double meanPatchBytes() {
        return record.patchBytes().values().stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
    }

    /**
     * Reads a run directory's events.jsonl.
     *
     * @param runDir the run directory
     * @return the result
     * @throws IOException if the log cannot be read
     */
    public static RunResult read(Path runDir) throws IOException {
        return read(runDir, w -> { });
    }

    /**
     * Reads a run directory's events.jsonl; lines and events that cannot be used are skipped and
     * reported.
     *
     * @param runDir the run directory
     * @param warnings receives a message per problem, naming the file and line
     * @return the result
     * @throws IOException if the log cannot be read
     */
    public static RunResult read(Path runDir, Consumer<String> warnings) throws IOException {
        List<EventLog.Line> lines = RunRecord.readLines(runDir, warnings);
        if (lines.isEmpty()) {
            throw new IOException(RunRecord.eventsFile(runDir) + ": holds no events that can be read (the run never"
                    + " started, or its log was emptied or overwritten)");
        }
        RunRecord rec = RunRecord.fromLines(runDir.getFileName().toString(), RunRecord.eventsFile(runDir), lines,
                warnings);
        List<Envelope> events = new ArrayList<>();
        for (EventLog.Line l : lines) {
            events.add(l.envelope());
        }
        return of(runDir, rec, events);
    }

    /**
     * Builds a result from events.
     *
     * @param dir the run directory, or null
     * @param runId the run id
     * @param events the events in order
     * @return the result
     */
    public static RunResult fromEvents(Path dir, String runId, List<Envelope> events) {
        return of(dir, RunRecord.fromEvents(runId, events), events);
    }

    private static RunResult of(Path dir, RunRecord rec, List<Envelope> events) {
        int nd = rec.domains().size();
        double[] lastEpoch = new double[nd];
        Arrays.fill(lastEpoch, Double.NaN);
        String stoppedIn = null;
        long runStep = 0;
        long analytic = -1;
        Map<String, Double> gateEval = new LinkedHashMap<>();
        List<CurvePoint> test = new ArrayList<>();
        List<CurvePoint> train = new ArrayList<>();
        List<CurvePoint> loss = new ArrayList<>();
        List<CurvePoint> gates = new ArrayList<>();
        for (Envelope env : events) {
            Object e = env.event();
            if (e instanceof DomainStarted) {
                stoppedIn = ((DomainStarted) e).domain();
            } else if (e instanceof TrainMetrics) {
                TrainMetrics m = (TrainMetrics) e;
                runStep = Math.max(runStep, m.runStep());
                int di = rec.domains().indexOf(m.domain());
                String d = di < 0 ? m.domain() : rec.domains().get(di);
                train.add(new CurvePoint(d, di, m.epoch(), m.runStep(), m.accuracy()));
                loss.add(new CurvePoint(d, di, m.epoch(), m.runStep(), m.loss()));
            } else if (e instanceof Progress) {
                runStep = Math.max(runStep, ((Progress) e).runStep());
            } else if (e instanceof Evaluation) {
                Evaluation v = (Evaluation) e;
                // what RunRecord skipped with a warning is skipped here too
                boolean known = v.domainIndex() >= 0 && v.domainIndex() < nd && RunRecord.isFraction(v.accuracy());
                if (!v.fromCheckpoint() && "test".equals(v.split()) && known) {
                    test.add(new CurvePoint(shared(rec.domains(), v.domain()), v.domainIndex(), v.epoch(), runStep,
                            v.accuracy()));
                    lastEpoch[v.domainIndex()] = v.accuracy();
                }
            } else if (e instanceof GateStats) {
                GateStats g = (GateStats) e;
                if ("train".equals(g.phase())) {
                    gates.add(new CurvePoint(shared(rec.domains(), g.domain()), rec.domains().indexOf(g.domain()), 0,
                            g.runStep(), g.sparsity()));
                } else if ("eval".equals(g.phase())) {
                    gateEval.put(g.domain(), g.sparsity());
                }
            } else if (e instanceof MemorySample) {
                MemorySample m = (MemorySample) e;
                if (m.analyticBytes() > 0) {
                    analytic = Math.max(analytic, m.analyticBytes());
                }
            }
        }
        double[] reached = new double[nd];
        boolean[] fromCkpt = new boolean[nd];
        for (int i = 0; i < nd; i++) {
            double f = rec.finalAccuracy(i);
            fromCkpt[i] = !Double.isNaN(f);
            reached[i] = fromCkpt[i] ? f : lastEpoch[i];
        }
        Map<String, Object> s = rec.summary();
        long analyticSummary = longOf(s.get("analytic_step_bytes"));
        if (analyticSummary > 0) {
            analytic = analyticSummary;
        }
        Map<String, Double> gateSummary = doubles(s.get("gate_sparsity"));
        Map<String, Double> macs = doubles(s.get("macs_per_image"));
        double full = doubleOf(s.get("macs_per_image_full"));
        if (Double.isNaN(full)) {
            full = doubleOf(s.get("backbone_macs"));
        }
        Map<String, Map<String, Double>> latency = new LinkedHashMap<>();
        if (s.get("latency_ms") instanceof Map) {
            for (Map.Entry<?, ?> en : ((Map<?, ?>) s.get("latency_ms")).entrySet()) {
                latency.put(String.valueOf(en.getKey()), doubles(en.getValue()));
            }
        }
        return new RunResult(dir, rec, reached, fromCkpt, stoppedIn, analytic,
                gateSummary.isEmpty() ? gateEval : gateSummary, macs, full, latency, test, train, loss, gates);
    }

    /**
     * A domain's name as the run's list of domains holds it: a curve point keeps that one string,
     * not the copy each event decodes (a long run's curves hold hundreds of thousands of points).
     */
    private static String shared(List<String> domains, String domain) {
        int i = domains.indexOf(domain);
        return i < 0 ? domain : domains.get(i);
    }

    private static Map<String, Double> doubles(Object o) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (o instanceof Map) {
            for (Map.Entry<?, ?> en : ((Map<?, ?>) o).entrySet()) {
                double v = doubleOf(en.getValue());
                if (!Double.isNaN(v)) {
                    out.put(String.valueOf(en.getKey()), v);
                }
            }
        }
        return out;
    }

    private static double doubleOf(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    private static long longOf(Object o) {
        return o instanceof Number ? ((Number) o).longValue() : -1;
    }
}
