package org.da3.workbench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;

/**
 * What one run produced, read back from its events: status, the accuracy of every domain after
 * every domain, and the costs. A run that stopped part-way keeps what it reached and its status.
 *
 * @param runId the run id
 * @param experiment the experiment name
 * @param method the method's registry name
 * @param label the method's label
 * @param seed the seed
 * @param status completed, failed, cancelled, or running (no run_finished yet)
 * @param error the error message, or null
 * @param domains the domains in learning order
 * @param evaluations final (checkpoint) evaluations: [domain index][after domain index], NaN when
 *     not reached
 * @param trainableParams per domain
 * @param patchBytes per domain
 * @param stepSeconds mean seconds per training step, NaN if unknown
 * @param peakStepBytes peak RSS above the idle baseline during training, -1 if unknown
 * @param gateSparsity final evaluation gate sparsity (1 - open ratio) averaged over domains, NaN
 *     when the method has no gates
 * @param seconds wall time
 * @param summary the run_finished summary (empty if none)
 */
public record RunRecord(String runId, String experiment, String method, String label, long seed, String status,
        String error, List<String> domains, double[][] evaluations, Map<String, Long> trainableParams,
        Map<String, Long> patchBytes, double stepSeconds, long peakStepBytes, double gateSparsity, double seconds,
        Map<String, Object> summary) {

    /** Status of a run whose events have no run_finished yet. */
    public static final String RUNNING = "running";

    /**
     * The final accuracy of a domain (after the last domain reached), NaN if never evaluated.
     *
     * @param domainIndex the domain
     * @return the accuracy
     */
    public double finalAccuracy(int domainIndex) {
        double[] row = evaluations[domainIndex];
        for (int j = row.length - 1; j >= 0; j--) {
            if (!Double.isNaN(row[j])) {
                return row[j];
            }
        }
        return Double.NaN;
    }

    /** @return the mean final accuracy over the domains evaluated, NaN if none */
    public double meanAccuracy() {
        double s = 0;
        int n = 0;
        for (int i = 0; i < domains.size(); i++) {
            double a = finalAccuracy(i);
            if (!Double.isNaN(a)) {
                s += a;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /**
     * Reads a run directory's events.jsonl.
     *
     * @param runDir the run directory
     * @return the record
     * @throws IOException if the log cannot be read
     */
    public static RunRecord read(Path runDir) throws IOException {
        return read(runDir, w -> { });
    }

    /**
     * Reads a run directory's events.jsonl; lines and events that cannot be used are skipped and
     * reported.
     *
     * @param runDir the run directory
     * @param warnings receives a message per problem, naming the file and line
     * @return the record
     * @throws IOException if the log cannot be read
     */
    public static RunRecord read(Path runDir, Consumer<String> warnings) throws IOException {
        return fromLines(runDir.getFileName().toString(), eventsFile(runDir), readLines(runDir, warnings), warnings);
    }

    /**
     * The events file of a run directory.
     *
     * @param runDir the run directory
     * @return its events.jsonl
     * @throws IOException if there is none
     */
    static Path eventsFile(Path runDir) throws IOException {
        Path events = runDir.resolve("events.jsonl");
        if (!Files.isRegularFile(events)) {
            throw new IOException(runDir + ": not a run directory (no events.jsonl)");
        }
        return events;
    }

    /**
     * The lines of a run directory's events.jsonl that hold events.
     *
     * @param runDir the run directory
     * @param warnings receives a message per line skipped
     * @return the events with their line numbers
     * @throws IOException if the log cannot be read
     */
    static List<EventLog.Line> readLines(Path runDir, Consumer<String> warnings) throws IOException {
        return EventLog.readLines(eventsFile(runDir), warnings);
    }

    /**
     * Builds the record from events.
     *
     * @param runId the run id
     * @param events the events in order
     * @return the record
     */
    public static RunRecord fromEvents(String runId, List<Envelope> events) {
        List<EventLog.Line> lines = new ArrayList<>();
        for (Envelope e : events) {
            lines.add(new EventLog.Line(lines.size() + 1, e));
        }
        return fromLines(runId, Path.of(runId), lines, w -> { });
    }

    /**
     * Builds the record from the events of a log.
     *
     * @param runId the run id
     * @param file the events file, named in warnings
     * @param lines the events in order, with their line numbers
     * @param warnings receives a message per event that cannot be used (FILE:LINE: ...)
     * @return the record
     */
    static RunRecord fromLines(String runId, Path file, List<EventLog.Line> lines, Consumer<String> warnings) {
        List<Envelope> events = new ArrayList<>();
        for (EventLog.Line l : lines) {
            events.add(l.envelope());
        }
        String experiment = "";
        String method = "";
        String label = "";
        long seed = 0;
        String status = RUNNING;
        String error = null;
        List<String> domains = new ArrayList<>();
        Map<String, Long> trainable = new LinkedHashMap<>();
        Map<String, Long> patches = new LinkedHashMap<>();
        List<double[]> evalList = new ArrayList<>();
        double stepSum = 0;
        long stepN = 0;
        long peak = -1;
        double seconds = Double.NaN;
        Map<String, Object> summary = Map.of();
        Map<String, Double> lastGateEval = new LinkedHashMap<>();
        for (Envelope env : events) {
            Object e = env.event();
            if (e instanceof RunStarted) {
                RunStarted s = (RunStarted) e;
                experiment = s.experiment();
                method = s.method();
                label = s.label();
                seed = s.seed();
                domains = new ArrayList<>(s.domains());
            } else if (e instanceof DomainStarted) {
                DomainStarted d = (DomainStarted) e;
                trainable.put(d.domain(), d.trainableParams());
            } else if (e instanceof Evaluation) {
                Evaluation v = (Evaluation) e;
                if (v.fromCheckpoint() && v.domainIndex() >= 0) {
                    while (evalList.size() <= v.domainIndex()) {
                        evalList.add(null);
                    }
                    double[] row = evalList.get(v.domainIndex());
                    int n = Math.max(domains.size(), v.afterDomain() + 1);
                    if (row == null || row.length < n) {
                        double[] r2 = new double[n];
                        java.util.Arrays.fill(r2, Double.NaN);
                        if (row != null) {
                            System.arraycopy(row, 0, r2, 0, row.length);
                        }
                        row = r2;
                        evalList.set(v.domainIndex(), row);
                    }
                    row[v.afterDomain()] = v.accuracy();
                }
            } else if (e instanceof CheckpointSaved) {
                CheckpointSaved c = (CheckpointSaved) e;
                patches.put(c.domain(), c.bytes());
            } else if (e instanceof TrainMetrics) {
                TrainMetrics m = (TrainMetrics) e;
                if (Double.isFinite(m.stepSeconds())) {
                    stepSum += m.stepSeconds();
                    stepN++;
                }
            } else if (e instanceof MemorySample) {
                MemorySample m = (MemorySample) e;
                if ("train".equals(m.phase()) && m.peakBytes() > 0 && m.baselineBytes() > 0) {
                    peak = Math.max(peak, m.peakBytes() - m.baselineBytes());
                }
            } else if (e instanceof GateStats) {
                GateStats g = (GateStats) e;
                if ("eval".equals(g.phase())) {
                    lastGateEval.put(g.domain(), g.sparsity());
                }
            } else if (e instanceof RunError) {
                error = ((RunError) e).message();
            } else if (e instanceof RunFinished) {
                RunFinished f = (RunFinished) e;
                status = f.status();
                seconds = f.seconds();
                summary = f.summary() == null ? Map.of() : f.summary();
            }
        }
        int nd = domains.size();
        double[][] ev = new double[nd][nd];
        for (int i = 0; i < nd; i++) {
            java.util.Arrays.fill(ev[i], Double.NaN);
            if (i < evalList.size() && evalList.get(i) != null) {
                double[] row = evalList.get(i);
                System.arraycopy(row, 0, ev[i], 0, Math.min(nd, row.length));
            }
        }
        double gate = lastGateEval.isEmpty() ? Double.NaN
                : lastGateEval.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        Object peakSummary = summary.get("peak_step_bytes");
        if (peakSummary instanceof Number && ((Number) peakSummary).longValue() > 0) {
            peak = ((Number) peakSummary).longValue();
        }
        return new RunRecord(runId, experiment, method, label, seed, status, error, domains, ev, trainable, patches,
                stepN == 0 ? Double.NaN : stepSum / stepN, peak, gate, seconds, summary);
    }
}
