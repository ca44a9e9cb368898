package org.da3.workbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.EventTypes;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.spec.YamlNodes;

/**
 * What one run produced, read back from its events: status, the accuracy of every domain after
 * every domain, and the costs. A run that stopped part-way keeps what it reached and its status.
 *
 * @param runId the run id
 * @param experiment the experiment name
 * @param method the method's registry name
 * @param label the method's label
 * @param seed the seed
 * @param status completed, failed, cancelled, running (no run_finished yet), or unknown (a
 *     run_finished with another status)
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

    /** The types of the events a record is made from: {@link #read} decodes no others. */
    public static final Set<String> EVENT_TYPES = Stream.of(RunStarted.class, DomainStarted.class, Evaluation.class,
            CheckpointSaved.class, TrainMetrics.class, MemorySample.class, GateStats.class, RunError.class,
            RunFinished.class).map(EventTypes::nameOf).collect(Collectors.toUnmodifiableSet());

    /** Status of a run whose events have no run_finished yet. */
    public static final String RUNNING = "running";
    /**
     * Status of a run without a run_finished whose worker ran on this machine and is gone: cut off
     * with the workbench that watched it (killed, crashed, the machine restarted).
     */
    public static final String CUT_OFF = "cut off";
    /** Status of a run whose run_finished names none of {@link #STATUSES}. */
    public static final String UNKNOWN = "unknown";
    /** The statuses a run_finished event may give. */
    public static final List<String> STATUSES = List.of(RunFinished.COMPLETED, RunFinished.FAILED,
            RunFinished.CANCELLED);

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
     * reported. Only the events of {@link #EVENT_TYPES} are decoded: a long run's progress events,
     * a third of its log, are passed over.
     *
     * @param runDir the run directory
     * @param warnings receives a message per problem, naming the file and line
     * @return the record
     * @throws IOException if the log cannot be read
     */
    public static RunRecord read(Path runDir, Consumer<String> warnings) throws IOException {
        List<EventLog.Line> lines = new ArrayList<>();
        EventLog.forEachLine(eventsFile(runDir), EVENT_TYPES, warnings, lines::add);
        return fromLines(runDir.getFileName().toString(), eventsFile(runDir), lines, warnings);
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
        if (Files.exists(events) && !Files.isRegularFile(events)) {
            throw new IOException(events + ": is not a file (a run's event log is a file of JSON lines, one event"
                    + " each)");
        }
        if (!Files.isRegularFile(events)) {
            throw new IOException(runDir + (Files.isRegularFile(runDir.resolve("spec.yaml"))
                    ? ": has no events.jsonl, the run's event log (it was cut off before its worker started, or the"
                            + " log was moved or deleted)"
                    : ": not a run directory (no events.jsonl)"));
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
        RunStarted started = null;
        int startedLine = 1;
        java.time.Instant startedAt = null;
        for (EventLog.Line line : lines) {
            if (line.envelope().event() instanceof RunStarted) {
                started = (RunStarted) line.envelope().event();
                startedLine = line.number();
                startedAt = line.envelope().time();
                break;
            }
        }
        Identity id = Identity.of(started, started == null ? file.toString() : file + ":" + startedLine,
                specFile(file), warnings);
        String experiment = id.experiment();
        String method = id.method();
        String label = id.label();
        long seed = id.seed();
        List<String> domains = id.domains();
        String status = RUNNING;
        String error = null;
        Map<String, Long> trainable = new LinkedHashMap<>();
        Map<String, Long> patches = new LinkedHashMap<>();
        List<double[]> evalList = new ArrayList<>();
        double stepSum = 0;
        long stepN = 0;
        long peak = -1;
        double seconds = Double.NaN;
        Map<String, Object> summary = Map.of();
        Map<String, Double> lastGateEval = new LinkedHashMap<>();
        int[] skipped = {0};
        Consumer<String> skip = w -> {
            if (++skipped[0] <= EventLog.WARNED_LINES) {
                warnings.accept(w + "; event skipped");
            }
        };
        for (EventLog.Line line : lines) {
            Object e = line.envelope().event();
            String where = file + ":" + line.number() + ": ";
            if (e instanceof DomainStarted) {
                DomainStarted d = (DomainStarted) e;
                trainable.put(d.domain(), d.trainableParams());
            } else if (e instanceof Evaluation) {
                Evaluation v = (Evaluation) e;
                String bad = outside("domainIndex", v.domainIndex(), domains.size());
                if (bad == null && v.fromCheckpoint()) {
                    bad = outside("afterDomain", v.afterDomain(), domains.size());
                }
                if (bad == null && !isFraction(v.accuracy())) {
                    bad = "accuracy " + v.accuracy() + " is not a fraction from 0 to 1 (correct / total)";
                }
                if (bad != null) {
                    skip.accept(where + "evaluation." + bad);
                } else if (v.fromCheckpoint()) {
                    while (evalList.size() <= v.domainIndex()) {
                        evalList.add(null);
                    }
                    if (evalList.get(v.domainIndex()) == null) {
                        double[] row = new double[domains.size()];
                        Arrays.fill(row, Double.NaN);
                        evalList.set(v.domainIndex(), row);
                    }
                    evalList.get(v.domainIndex())[v.afterDomain()] = v.accuracy();
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
                if (!STATUSES.contains(status)) {
                    warnings.accept(where + "run_finished.status " + (status == null ? "is missing" : "'" + status
                            + "' is not one of " + String.join(", ", STATUSES)) + "; the run is shown as " + UNKNOWN);
                    status = UNKNOWN;
                }
                seconds = f.seconds();
                summary = f.summary() == null ? Map.of() : f.summary();
            }
        }
        if (skipped[0] > EventLog.WARNED_LINES) {
            warnings.accept(file + ": " + (skipped[0] - EventLog.WARNED_LINES) + " more events skipped");
        }
        int nd = domains.size();
        double[][] ev = new double[nd][nd];
        for (int i = 0; i < nd; i++) {
            Arrays.fill(ev[i], Double.NaN);
            if (i < evalList.size() && evalList.get(i) != null) {
                double[] row = evalList.get(i);
                System.arraycopy(row, 0, ev[i], 0, Math.min(nd, row.length));
            }
        }
        double gate = lastGateEval.isEmpty() ? Double.NaN
                : lastGateEval.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (RUNNING.equals(status) && started != null && workerGone(started.manifest(), startedAt)) {
            status = CUT_OFF;
        }
        Object peakSummary = summary.get("peak_step_bytes");
        if (peakSummary instanceof Number && ((Number) peakSummary).longValue() > 0) {
            peak = ((Number) peakSummary).longValue();
        }
        return new RunRecord(runId, experiment, method, label, seed, status, error, domains, ev, trainable, patches,
                stepN == 0 ? Double.NaN : stepSum / stepN, peak, gate, seconds, summary);
    }

    /**
     * Whether the worker of a run without a run_finished is known to be gone: it ran on this machine
     * (the manifest's host) and no process with its pid has run since the run started. A worker on
     * another machine, or one whose pid is alive, may still be running.
     */
    static boolean workerGone(Map<String, Object> manifest, java.time.Instant startedAt) {
        String here = org.da3.workbench.Versions.host();
        if (manifest == null || !(manifest.get("pid") instanceof Number pid) || "unknown".equals(here)
                || !here.equals(manifest.get("host"))) {
            return false;
        }
        java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid.longValue());
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        // a pid used again by a process that started after the run did is not the worker
        java.util.Optional<java.time.Instant> since = p.get().info().startInstant();
        return startedAt != null && since.isPresent() && since.get().isAfter(startedAt.plusSeconds(60));
    }

    /** The run directory's spec.yaml beside an events file, or null for events held in memory. */
    private static Path specFile(Path eventsFile) {
        return eventsFile.getParent() == null ? null : eventsFile.resolveSibling("spec.yaml");
    }

    /**
     * Who a run is: from its run_started event, with what it lacks taken from the run directory's
     * spec.yaml (the resolved spec of this one run).
     */
    private record Identity(String experiment, String method, String label, long seed, List<String> domains) {

        /**
         * Resolves the identity.
         *
         * @param s the run_started event, or null when the log has none (a run that failed before
         *     its worker started, or whose first line cannot be read)
         * @param where the event's place (FILE:LINE), or the file when there is none
         * @param spec the spec.yaml, or null for events held in memory (then a log without
         *     run_started is a run without method, label and domains)
         * @param warnings receives what was taken from spec.yaml
         * @throws IllegalArgumentException when the method or the domains are not known
         */
        static Identity of(RunStarted s, String where, Path spec, Consumer<String> warnings) {
            if (s == null && spec == null) {
                return new Identity("", "", "", 0, new ArrayList<>());
            }
            String method = s == null ? null : blankToNull(s.method());
            String label = s == null ? null : blankToNull(s.label());
            List<String> domains = s == null || s.domains() == null || s.domains().isEmpty()
                    || s.domains().stream().anyMatch(d -> d == null || d.isBlank()) ? null
                    : new ArrayList<>(s.domains());
            String[] unread = {null};
            JsonNode y = s == null || method == null || label == null || domains == null ? readSpec(spec, unread)
                    : null;
            JsonNode m = y != null && y.path("methods").size() == 1 ? y.path("methods").get(0) : null;
            // what spec.yaml cannot tell, and why: missing, unreadable, or silent on the field
            String noSpec = spec == null ? "there is no spec.yaml"
                    : !Files.exists(spec) ? "there is no " + spec
                    : unread[0] != null ? spec + " cannot be read (" + unread[0] + ")"
                    : spec + " does not";
            boolean specSilent = spec != null && Files.exists(spec) && unread[0] == null;
            String started = s == null ? where + ": has no run_started" : where + ": run_started";
            if (method == null) {
                method = m == null ? null : text(m, "name");
                if (method == null) {
                    throw new IllegalArgumentException(started + (s == null ? "" : " has no method") + ", and "
                            + noSpec + (specSilent ? " name the run's method" : ""));
                }
                if (s != null) {
                    warnings.accept(started + " has no method; using '" + method + "' from spec.yaml");
                }
            }
            if (label == null) {
                String fromSpec = m == null ? null : text(m, "label");
                label = fromSpec != null ? fromSpec : method;
                if (s != null) {
                    warnings.accept(started + " has no label; using '" + label + "' from "
                            + (fromSpec != null ? "spec.yaml" : "its method"));
                }
            }
            if (domains == null) {
                List<String> d = new ArrayList<>();
                if (y != null) {
                    y.path("domains").forEach(n -> d.add(n.isTextual() && !n.asText().isBlank() ? n.asText() : null));
                }
                String lack = s == null ? "" : s.domains() == null || s.domains().isEmpty() ? " has no domains"
                        : " lists an empty domain";
                if (d.isEmpty() || d.contains(null)) {
                    throw new IllegalArgumentException(started + lack + ", and " + noSpec
                            + (specSilent ? " list the run's domains" : ""));
                }
                if (s != null) {
                    warnings.accept(started + lack + " (" + s.domains() + "); using " + d + " from spec.yaml");
                }
                domains = d;
            }
            String experiment = s != null && s.experiment() != null ? s.experiment()
                    : y != null && text(y, "name") != null ? text(y, "name") : "";
            long seed = s != null ? s.seed() : y.path("training").path("seed").asLong(0);
            return new Identity(experiment, method, label, seed, domains);
        }

        /** The spec.yaml as a tree, or null; {@code why[0]} says why one that exists cannot be read. */
        private static JsonNode readSpec(Path spec, String[] why) {
            if (spec == null || !Files.exists(spec)) {
                return null;
            }
            if (!Files.isRegularFile(spec)) {
                why[0] = "it is not a file";
                return null;
            }
            try {
                return YamlNodes.readTree(spec);
            } catch (RuntimeException e) {
                // the loader's message starts with the file, named already
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                why[0] = EventLog.oneLine(m.startsWith(spec + ": ") ? m.substring(spec.toString().length() + 2) : m, 160);
                return null;
            }
        }

        /**
         * A text field of a mapping; a method entry written as its bare name ({@code - bn+last}, as
         * spec.yaml gives a method without options) is its name.
         */
        private static String text(JsonNode n, String field) {
            if (n.isTextual()) {
                return field.equals("name") ? blankToNull(n.asText()) : null;
            }
            JsonNode v = n.get(field);
            return v != null && v.isTextual() ? blankToNull(v.asText()) : null;
        }

        private static String blankToNull(String t) {
            return t == null || t.isBlank() ? null : t;
        }
    }

    /**
     * Whether an accuracy can be right.
     *
     * @param accuracy the value
     * @return true from 0 to 1; false for NaN and anything else
     */
    static boolean isFraction(double accuracy) {
        return accuracy >= 0 && accuracy <= 1;
    }

    /**
     * Checks a domain index of an event against the run's domains.
     *
     * @param field the field's name
     * @param index its value
     * @param domains the number of the run's domains
     * @return null when it is one of them, else what is wrong ("domainIndex 7 is outside 0..2 ...")
     */
    static String outside(String field, int index, int domains) {
        if (index >= 0 && index < domains) {
            return null;
        }
        return field + " " + index + (domains == 0 ? " names no domain: the run has none"
                : " is outside 0.." + (domains - 1) + " (the run's " + domains + " domains)");
    }
}
