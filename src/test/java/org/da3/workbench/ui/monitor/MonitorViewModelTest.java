package org.da3.workbench.ui.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.run.event.Warning;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.monitor.RunTrace.Chart;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Monitor view model without the FX toolkit or a worker: events from "worker threads" wait in
 * the buffer until the UI tick, which applies a whole batch and redraws the charts once.
 */
class MonitorViewModelTest {
    private final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<java.nio.file.Path> finished = new ArrayList<>();
    private MonitorViewModel vm;
    private ExperimentSpec spec;

    @BeforeEach
    void setUp() {
        vm = new MonitorViewModel(executor, launcher);
        vm.setOnRunsFinished(finished::addAll);
        spec = new SpecLoader(null).parse("t.yaml", TestWorkspace.tinySpec("t", "linear, finetune", "a, b"));
    }

    private static RunStarted started(ExperimentSpec s) {
        return new RunStarted("t", "linear", "linear", 7, List.of("a", "b"),
                Map.of("training", Map.of("epochs", 2)), Map.of());
    }

    @Test
    void queuesRunsAndCoalescesEventsIntoOneUpdatePerTick() {
        vm.launch(spec);
        assertThat(vm.runs()).extracting(RunItem::label).containsExactly("linear s7", "finetune s7");
        assertThat(vm.runs()).extracting(RunItem::getStatus).containsOnly(RunStatus.QUEUED);
        assertThat(vm.isRunning()).isTrue();
        assertThat(vm.canStopSelectedProperty().get()).as("nothing chosen to stop").isFalse();
        assertThat(executor.tickerCount()).as("a periodic flush, not one UI update per event").isEqualTo(1);

        RunJob job = launcher.submitted.get(0);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        launcher.listener.started(job);
        launcher.emit(job, t0, started(spec));
        launcher.emit(job, t0, new DomainStarted(0, "a", 10, 100, 50, 20, 330, "f"));
        for (int step = 1; step <= 500; step++) {
            launcher.emit(job, t0.plusMillis(10L * step), new TrainMetrics("a", 1 + (step > 10 ? 1 : 0), step, step,
                    2.0 / step, 0.5, 0.1, 0.01, 100));
            launcher.emit(job, t0.plusMillis(10L * step), new MemorySample("train", "rss", 200_000_000L + step,
                    200_000_000L, 190_000_000L, 30_000_000L));
        }
        launcher.emit(job, t0.plusSeconds(6), new Progress(0, "a", 2, 20, 20, 20, 40, 6, 65));
        // nothing reaches the view model before the tick
        assertThat(vm.runs().get(0).getStatus()).isEqualTo(RunStatus.QUEUED);
        long version = vm.chartsVersionProperty().get();

        executor.tick();

        RunItem item = vm.runs().get(0);
        assertThat(item.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(vm.selected()).as("the first run to start is shown").containsExactly(item);
        assertThat(vm.canStopSelectedProperty().get()).isTrue();
        assertThat(item.getProgress()).isEqualTo(0.5);
        assertThat(item.getEta()).isEqualTo("ETA 1m05s");
        assertThat(item.getDetail()).contains("a").contains("epoch 2").contains("step 20/20");
        assertThat(item.trace().pointCount(Chart.LOSS)).isEqualTo(500);
        assertThat(item.trace().series(Chart.MEMORY)).extracting(RunTrace.Series::name)
                .containsExactly("RSS", "analytic prediction");
        // selection change plus one batch: two bumps, not a thousand
        assertThat(vm.chartsVersionProperty().get() - version).isLessThanOrEqualTo(2);

        executor.tick();
        assertThat(vm.chartsVersionProperty().get()).as("no events, no redraw").isEqualTo(version + 2);
    }

    @Test
    void finishedRunsGoToResultsAndWarningsToTheLog() {
        vm.launch(spec);
        RunJob a = launcher.submitted.get(0);
        RunJob b = launcher.submitted.get(1);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<Envelope> events = new ArrayList<>();
        launcher.listener.started(a);
        launcher.emit(a, t0, started(spec));
        launcher.emit(a, t0, new Warning("image size 16 is below the backbone's 64"));
        launcher.emit(a, t0, new Evaluation("a", 0, 0, 0, "test", 0.8, 80, 100, true));
        launcher.emit(a, t0, new RunFinished("completed", 3, Map.of()));
        events.add(new Envelope(1, "run-1", 0, t0, started(spec)));
        events.add(new Envelope(1, "run-1", 1, t0, new RunFinished("completed", 3, Map.of())));
        launcher.finish(a, events);
        launcher.listener.log(b, "[main] INFO org.da3 something routine");
        launcher.listener.log(b, "[main] WARN ai.djl.util.cuda.CudaUtils - Failed to detect GPU count");
        launcher.listener.log(b, "java.lang.OutOfMemoryError: Java heap space");
        launcher.listener.log(b, "Unrecognized VM option 'NoSuchFlag'");
        // the launcher's own notes (a pretraining it continues, a checkpoint it cannot use)
        launcher.listener.note(b, LogLine.Level.INFO, "continuing the pretraining that stopped: it resumes src"
                + " at epoch 2 of 3 from r1");
        launcher.listener.note(b, LogLine.Level.WARNING, "pretrain s7: the epoch checkpoint changed");
        executor.tick();

        assertThat(vm.runs().get(0).getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(vm.runs().get(0).getProgress()).isEqualTo(1.0);
        assertThat(vm.selected()).containsExactly(vm.runs().get(0));
        assertThat(vm.canStopSelectedProperty().get()).as("the chosen run is over").isFalse();
        assertThat(finished).containsExactly(java.nio.file.Path.of("runs", "run-1"));
        assertThat(vm.log()).extracting(LogLine::level).contains(LogLine.Level.WARNING, LogLine.Level.ERROR);
        assertThat(vm.log()).extracting(LogLine::message)
                .contains("image size 16 is below the backbone's 64", "java.lang.OutOfMemoryError: Java heap space",
                        "Unrecognized VM option 'NoSuchFlag'")
                .noneMatch(m -> m.contains("routine") || m.contains("GPU count"));
        assertThat(vm.log()).filteredOn(l -> l.message().startsWith("continuing the pretraining"))
                .extracting(LogLine::level).containsExactly(LogLine.Level.INFO);
        assertThat(vm.log()).filteredOn(l -> l.message().equals("pretrain s7: the epoch checkpoint changed"))
                .extracting(LogLine::level).containsExactly(LogLine.Level.WARNING);
        assertThat(vm.isRunning()).as("the second run is still queued").isTrue();
        assertThat(vm.summaryProperty().get()).isEqualTo("1 queued · 1 completed");

        launcher.listener.finished(b, null, null, "stopped before it started");
        executor.tick();
        assertThat(vm.runs().get(1).getStatus()).isEqualTo(RunStatus.CANCELLED);
        assertThat(vm.isRunning()).isFalse();
        vm.clearFinished();
        assertThat(vm.runs()).isEmpty();
    }

    @Test
    void stopGoesToTheLauncher() {
        vm.launch(spec);
        vm.selected().setAll(vm.runs());
        vm.stopSelected();
        assertThat(launcher.stopped).hasSize(2);
        vm.stopAll();
        assertThat(launcher.stoppedAll).isTrue();
    }

    @Test
    void aResumeLogsWhatCameBackFromAMachineAndWhatCouldNot() {
        launcher.collectNotes.add("run R1: copied 2 file(s) and 7 event(s) that had not come through back from a@b:22:/r");
        launcher.collectProblems.add("run R2: the run's patches, epoch checkpoint and events were not copied back");
        vm.launch(spec, true, n -> { });
        assertThat(vm.log()).extracting(LogLine::level, LogLine::message).contains(
                org.assertj.core.groups.Tuple.tuple(LogLine.Level.INFO, launcher.collectNotes.get(0)),
                org.assertj.core.groups.Tuple.tuple(LogLine.Level.WARNING, launcher.collectProblems.get(0)));
        assertThat(vm.runs()).hasSize(2);
    }
}
