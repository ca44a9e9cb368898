package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.Workspace;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.test.ScaledRuns;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.results.ResultsViewModel;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launch with "Skip completed, resume stopped runs" on an experiment whose runs folder holds many
 * long runs that completed: each joins the queue with its curves, and Results gets them all, in a
 * heap that holds their chart points but not all their events at once.
 */
class PastRunsScaleTest {
    /** Runs of the experiment, and lines of each run's log (a long training's). */
    private static final int RUNS = 40;
    private static final int LINES = 5000;
    /**
     * The child's heap: ample for the chart points and results of all the runs and the events of
     * one, not for the events of all 40 (200,000 events, about 60 MB decoded).
     */
    private static final String HEAP = "-Xmx48m";

    @TempDir
    Path dir;

    @Test
    void aLaunchTakesOverManyLongCompletedRunsInABoundedHeap() throws Exception {
        Workspace ws = TestWorkspace.create(dir, 32, 16);
        Path specFile = Files.writeString(ws.experimentsDir().resolve("sweep.yaml"), spec());
        ExperimentSpec spec = ws.datasets().specLoader().load(specFile);
        List<Path> runs = ScaledRuns.write(ws, spec, ScaledRuns.recordedLinearRun(), LINES);
        assertThat(runs).hasSize(RUNS);
        assertThat(Files.readAllLines(runs.get(0).resolve("events.jsonl"))).hasSizeGreaterThanOrEqualTo(LINES);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-cp", System.getProperty("java.class.path"), PastRunsScaleTest.class.getName(), specFile.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("queue: " + RUNS + " completed").contains("curves: " + RUNS + " runs")
                .contains("results: " + RUNS + " runs in 1 table");
    }

    /** The spec of the recorded run (linear on tiny-shapes, tiny-textures), with {@link #RUNS} seeds. */
    private static String spec() {
        List<String> seeds = new ArrayList<>();
        for (int s = 1; s <= RUNS; s++) {
            seeds.add(String.valueOf(s));
        }
        return TestWorkspace.tinySpec("sweep", "linear", "tiny-shapes, tiny-textures") + "seeds: ["
                + String.join(", ", seeds) + "]\n";
    }

    /**
     * The child: launches the spec as the GUI does with the box ticked (the real launcher's
     * planning; nothing is started), with the Monitor handing finished runs to Results as the main
     * window wires them, and prints what the queue, the charts and Results hold.
     *
     * @param args the spec file
     * @throws Exception on a failure (the child exits non-zero)
     */
    public static void main(String[] args) throws Exception {
        Path specFile = Path.of(args[0]);
        Workspace ws = Workspace.locate(specFile);
        ExperimentSpec spec = ws.datasets().specLoader().load(specFile);
        CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
        List<RunJob> submitted = new ArrayList<>();
        RunLauncher launcher = TargetPoolLauncherTest.recording(ws, submitted);
        MonitorViewModel monitor = new MonitorViewModel(executor, launcher);
        ResultsViewModel results = new ResultsViewModel(ws, executor);
        int[] tables = {0};
        results.storeProperty().addListener((o, a, b) -> tables[0]++);
        monitor.setOnRunsFinished(results::addRuns);
        try {
            monitor.launch(spec, true, n -> { });
            executor.tick();
        } finally {
            launcher.shutdown();
        }
        System.out.println("queue: " + monitor.summaryProperty().get() + "; submitted " + submitted.size());
        System.out.println("curves: " + monitor.runs().stream()
                .filter(r -> r.trace().pointCount(RunTrace.Chart.LOSS) > 0).count() + " runs");
        System.out.println("results: " + results.runs().size() + " runs in " + tables[0] + " table"
                + (tables[0] == 1 ? "" : "s"));
    }
}
