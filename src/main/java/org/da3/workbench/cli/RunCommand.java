package org.da3.workbench.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.ConsoleTable;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.RunQueue;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.TargetsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code da3 run SPEC}: runs every method (and seed) of an experiment, one worker each, shows
 * progress, and prints the results table at the end.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an experiment: every method and seed of the spec, each in its own worker.",
            "Runs go to experiments/<name>/runs/<time>-<method label>-s<seed>/."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every run completed", "1:a run failed", "2:invalid spec (nothing was run)",
            "3:engine unusable: every run that did not complete failed because its worker could not start the engine",
            "130:interrupted (Ctrl-C): the runs under way are recorded as cancelled; the table is still printed"})
public final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "the experiment spec (YAML)")
    private Path specFile;

    @Option(names = "--target", paramLabel = "NAME", description = {"where to run: local, a name from"
        + " experiments/targets.yaml, or ssh://user@host:port (default: the spec's target).",
        "Repeat it to spread the runs over several targets, one run at a time on each."})
    private List<String> targets = new ArrayList<>();

    @Option(names = {"-m", "--method"}, paramLabel = "LABEL", description = "run only these methods (repeatable)")
    private List<String> only = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "print only final evaluations and the table")
    private boolean quiet;

    @Option(names = "--skip-completed", description = {"run only the methods and seeds that have not completed yet:"
        + " one whose latest completed run in experiments/<name>/runs has the same resolved spec (target and"
        + " description aside) and weights is not run again, and its results join the table.", "For picking up a"
        + " sweep after a failure or a crash; changed dataset files are not noticed."})
    private boolean skipCompleted;

    @Option(names = "--resume", description = {"--skip-completed, and a method and seed whose latest runs with this"
        + " spec stopped part-way (failed, stopped, or cut off by a crash) picks up in a new run from the domains"
        + " they finished: their saved patches are reused (checked by SHA-256) and evaluated again; the domain"
        + " it stopped in continues from its last finished epoch (its epoch checkpoint, checked by SHA-256), and"
        + " the others are trained."})
    private boolean resume;

    @Option(names = {"-n", "--dry-run"}, description = {"check the spec, its data and its weights, and print the"
        + " runs that would start (with --skip-completed or --resume, also those skipped or resumed); start"
        + " nothing, pretrain nothing."})
    private boolean dryRun;

    private static String label(RunQueue.Entry e, boolean withTarget) {
        return e.run().label() + (withTarget && e.target() != null ? " @" + e.target().name() : "");
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Workspace ws = Workspace.locate(specFile);
        ExperimentSpec spec = ws.datasets().specLoader().load(specFile);
        spec = MethodFilter.apply(spec, only, specFile);
        ExperimentRunner runner = new ExperimentRunner(ws);
        try {
            runner.check(spec);
        } catch (SpecException e) {
            // the runner knows the experiment, not the file it came from: name the file
            throw new SpecException(specFile.toString(), e.field(), e.problem());
        }
        List<String> names = new ArrayList<>(new LinkedHashSet<>(targets.isEmpty() ? List.of(spec.target()) : targets));
        List<Target> ts = new ArrayList<>();
        List<RunRecord> records = new ArrayList<>();
        // on Ctrl-C the JVM exits when the shutdown hook returns: it waits for the results table
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        try {
            for (String n : names) {
                // a target from the spec's own target field is blamed on the spec file, not on --target
                ts.add(TargetOption.resolve(ws, n, targets.isEmpty() ? specFile.toString() : TargetsFile.COMMAND_LINE));
            }
            if (ts.stream().allMatch(t -> t instanceof org.da3.workbench.run.LocalTarget)) {
                // one clear error now, not one failed run per method and seed (a remote machine
                // reads its own copy of the data, so only runs here are checked)
                try {
                    runner.checkData(spec);
                } catch (SpecException e) {
                    throw new SpecException(specFile.toString(), e.field(), e.problem());
                }
            }
            Pretrainer pre = new Pretrainer(ws);
            // missing weights with a recipe beside them: restored from its completed pretraining, or pretrained
            Pretrainer.FirstUse firstUse = pre.firstUse(spec, w -> out.println("warning: " + w));
            if (firstUse != null && dryRun) {
                out.println("Would start by " + firstUse.description());
            } else if (firstUse != null) {
                String d = firstUse.description();
                out.println(Character.toUpperCase(d.charAt(0)) + d.substring(1) + " ...");
                pre.provide(firstUse, ts.get(0), new RunMonitor(), new ConsoleProgress(out, "pretrain", quiet));
            }
            List<PlannedRun> runs = new ArrayList<>(ExperimentRunner.plan(spec));
            if (resume && !dryRun) {
                // what stopped runs left on a machine that answers again comes back first: it may
                // complete them, or spare their finished domains
                runner.collectLeftBehind(runs, n -> out.println("note: " + n), w -> out.println("warning: " + w));
            }
            if (skipCompleted || resume) {
                java.util.Map<PlannedRun, RunRecord> done = runner.completed(runs);
                if (!done.isEmpty()) {
                    out.println((dryRun ? "Would skip " : "Skipping ") + done.size() + " run(s) that already"
                            + " completed with this spec: " + done.entrySet().stream()
                                    .map(e -> e.getKey().label() + " (" + e.getValue().runId() + ")")
                                    .collect(Collectors.joining(", ")));
                    records.addAll(done.values());
                    runs.removeAll(done.keySet());
                }
            }
            if (resume) {
                java.util.Map<PlannedRun, org.da3.workbench.run.ResumeFrom> from = runner.resumable(runs,
                        w -> out.println("warning: " + w));
                if (!from.isEmpty()) {
                    out.println((dryRun ? "Would resume " : "Resuming ") + from.size() + " run(s) from the"
                            + " domains they finished: " + from.entrySet().stream()
                                    .map(e -> e.getKey().label() + " (" + e.getValue().run() + ": "
                                            + e.getValue().progress(e.getKey().spec().domains().size()) + ")")
                                    .collect(Collectors.joining(", ")));
                    runs.replaceAll(r -> from.containsKey(r) ? r.resuming(from.get(r)) : r);
                }
            }
            out.printf("Experiment %s: %d run(s) on %s; domains %s%n", spec.name(), runs.size(),
                    ts.stream().map(Target::describe).collect(Collectors.joining(", ")),
                    String.join(", ", spec.domains()));
            if (dryRun) {
                for (PlannedRun r : runs) {
                    out.println("  " + r.label() + ": " + (r.resume() == null ? "trains every domain"
                            : r.resume().describe(r.spec().domains())));
                }
                out.println("Dry run: nothing was started.");
                return 0;
            }
            boolean several = ts.size() > 1 || ts.get(0).maxConcurrentRuns() > 1;
            RunQueue queue = new RunQueue(runner, ts, runs);
            String experiment = spec.name();
            Thread onInterrupt = new Thread(() -> {
                queue.stop();
                try {
                    queue.awaitFinished(Duration.ofSeconds(20));
                    reported.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "da3-run-stop");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            try {
                queue.run(new RunQueue.Listener() {
                    @Override
                    public RunMonitor.Listener events(RunQueue.Entry e) {
                        return new ConsoleProgress(out, label(e, several), quiet, !several);
                    }

                    @Override
                    public void stateChanged(RunQueue.Entry e) {
                        if (e.record() != null && e.state().done()) {
                            out.println("[" + label(e, several) + "] run directory: " + ws.root().relativize(
                                    ws.runsDir(experiment).resolve(e.record().runId())));
                        } else if (e.state() == RunQueue.State.FAILED) {
                            out.println("[" + label(e, several) + "] error: " + e.message());
                        }
                    }
                });
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException e) {
                    // shutting down: the hook stops the queue
                }
            }
            int failed = 0;
            int skipped = 0;
            for (RunQueue.Entry e : queue.entries()) {
                if (e.record() != null) {
                    records.add(e.record());
                } else if (e.state() == RunQueue.State.FAILED) {
                    failed++;
                } else {
                    skipped++;
                }
            }
            if (failed > 0 || skipped > 0) {
                out.println();
            }
            if (failed > 0) {
                out.println(failed + " run(s) could not start; see the errors above");
            }
            if (skipped > 0) {
                out.println(skipped + " run(s) were stopped before they started");
            }
        } finally {
            for (Target t : ts) {
                t.close();
            }
        }
        out.println();
        // in plan order: runs skipped as completed were recorded first
        List<String> order = ExperimentRunner.plan(spec).stream().map(PlannedRun::label).toList();
        records.sort(java.util.Comparator.comparingInt(r -> order.indexOf(r.label() + " s" + r.seed())));
        out.println("Results: " + spec.name() + " (final test accuracy per domain, after all domains)");
        out.print(ConsoleTable.render(records));
        out.flush();
        reported.countDown();
        boolean all = records.size() == ExperimentRunner.plan(spec).size();
        if (all && records.stream().allMatch(r -> r.status().equals("completed"))) {
            return WorkerExit.OK;
        }
        // every run that did not complete failed because its worker found the engine or the
        // environment unusable: that is the machine's problem, not the experiment's
        boolean engine = all && records.stream().filter(r -> !r.status().equals("completed"))
                .allMatch(r -> r.status().equals("failed") && r.summary().get("exit_code") instanceof Number n
                        && n.intValue() == WorkerExit.ENVIRONMENT);
        return engine ? WorkerExit.ENVIRONMENT : WorkerExit.RUN_FAILED;
    }
}
