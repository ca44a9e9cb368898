package org.da3.workbench.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecWriter;

/**
 * An experiment at the scale of a real sweep, made from one recorded run: a run folder per planned
 * run of a spec, as a long training leaves it. Nothing is trained; the events are the recorded
 * worker's, with the run's own id and seed, and its training events repeated.
 */
public final class ScaledRuns {
    /** What a long training logs over and over: the rest of a log is a few lines per domain. */
    private static final Set<String> REPEATED = Set.of("train_metrics", "progress", "memory");

    private ScaledRuns() {}

    /**
     * The recorded run of the report tests that completed: linear, seed 1, on tiny-shapes and
     * tiny-textures (53 events).
     *
     * @return its events.jsonl
     */
    public static Path recordedLinearRun() {
        return TestWorkspace.projectDir().resolve(
                "src/test/resources/org/da3/workbench/report/experiments/paper/runs/20261125-002255-linear-s1/events.jsonl");
    }

    /**
     * Writes a completed run for each planned run of a spec into the workspace's runs folder: its
     * {@code spec.yaml} as {@link RunDirectory#create} writes it, and the events of a recorded run
     * with this run's id, method, label and seed, each of its {@code train_metrics},
     * {@code progress} and {@code memory} events repeated with rising steps until the log has
     * about {@code lines} lines, numbered without gaps.
     *
     * @param ws the workspace
     * @param spec the experiment (its domains those of the recorded run)
     * @param recorded the recorded run's events.jsonl
     * @param lines the lines each log is to have, at least those of the recorded one
     * @return the run directories, in plan order
     * @throws IOException on a write error
     */
    public static List<Path> write(Workspace ws, ExperimentSpec spec, Path recorded, int lines) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        for (String l : Files.readAllLines(recorded, StandardCharsets.UTF_8)) {
            events.add((ObjectNode) EventCodec.JSON.readTree(l));
        }
        long repeated = events.stream().filter(e -> REPEATED.contains(e.path("type").asText())).count();
        int copies = (int) Math.max(1, Math.ceil((lines - (events.size() - repeated)) / (double) repeated));
        DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
        LocalDateTime start = LocalDateTime.of(2026, 1, 1, 8, 0);
        List<Path> dirs = new ArrayList<>();
        List<PlannedRun> plan = ExperimentRunner.plan(spec);
        for (int i = 0; i < plan.size(); i++) {
            PlannedRun run = plan.get(i);
            String id = stamp.format(start.plusMinutes(i)) + "-" + RunDirectory.safe(run.method().displayLabel())
                    + "-s" + run.seed();
            Path dir = Files.createDirectories(ws.runsDir(spec.name()).resolve(id));
            Files.writeString(dir.resolve("spec.yaml"), SpecWriter.toYaml(run.spec(), true));
            long seq = 0;
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
                for (ObjectNode e : events) {
                    String type = e.path("type").asText();
                    if ("run_started".equals(type)) {
                        e.put("experiment", spec.name()).put("method", run.method().name())
                                .put("label", run.method().displayLabel()).put("seed", run.seed());
                    }
                    int n = REPEATED.contains(type) ? copies : 1;
                    for (int k = 0; k < n; k++) {
                        ObjectNode c = e.deepCopy();
                        for (String step : List.of("step", "runStep")) {
                            JsonNode v = c.get(step);
                            if (n > 1 && v != null && v.asLong() >= 0) {
                                c.put(step, v.asLong() * copies + k);
                            }
                        }
                        c.put("run", id).put("seq", seq++);
                        w.write(EventCodec.JSON.writeValueAsString(c));
                        w.write('\n');
                    }
                }
            }
            dirs.add(dir);
        }
        return dirs;
    }
}
