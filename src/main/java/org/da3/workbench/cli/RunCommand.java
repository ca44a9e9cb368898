package org.da3.workbench.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.ConsoleTable;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.Target;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code da3 run SPEC}: runs every method (and seed) of an experiment, one worker each, shows
 * progress, and prints the results table at the end.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an experiment: every method and seed of the spec, each in its own worker.",
            "Runs go to experiments/<name>/runs/<time>-<method>-s<seed>/."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every run completed", "1:a run failed", "2:invalid spec (nothing was run)",
            "3:engine unusable"})
public final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "the experiment spec (YAML)")
    private Path specFile;

    @Option(names = "--target", paramLabel = "NAME", description = "where to run: local (default: the spec's target)")
    private String target;

    @Option(names = {"-m", "--method"}, paramLabel = "LABEL", description = "run only these methods (repeatable)")
    private List<String> only = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "print only final evaluations and the table")
    private boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Workspace ws = Workspace.locate(specFile);
        ExperimentSpec spec = new SpecLoader(ws.datasets().names()).load(specFile);
        if (!only.isEmpty()) {
            List<MethodSpec> keep = new ArrayList<>();
            for (MethodSpec m : spec.methods()) {
                if (only.contains(m.displayLabel()) || only.contains(m.name())) {
                    keep.add(m);
                }
            }
            if (keep.isEmpty()) {
                throw new SpecException(specFile.toString(), "--method", "none of " + only
                        + " is in the spec; its methods: " + spec.methods().stream().map(MethodSpec::displayLabel).toList());
            }
            spec = spec.withMethods(keep);
        }
        ExperimentRunner runner = new ExperimentRunner(ws);
        runner.check(spec);
        String targetName = target != null ? target : spec.target();
        List<RunRecord> records = new ArrayList<>();
        try (Target t = TargetOption.resolve(ws, targetName)) {
            Pretrainer pre = new Pretrainer(ws);
            if (spec.backbone().weights() != null && !java.nio.file.Files.isRegularFile(runner.weightsPath(spec))) {
                out.println("Pretraining the source backbone " + spec.backbone().weights() + " (first use; cached"
                        + " afterwards) ...");
                pre.ensureWeights(spec, t, new ConsoleProgress(out, "pretrain", quiet));
            }
            List<PlannedRun> runs = ExperimentRunner.plan(spec);
            out.printf("Experiment %s: %d run(s) on %s; domains %s%n", spec.name(), runs.size(), t.describe(),
                    String.join(", ", spec.domains()));
            for (PlannedRun r : runs) {
                RunMonitor monitor = new RunMonitor();
                RunRecord rec = runner.execute(r, t, monitor, new ConsoleProgress(out, r.label(), quiet));
                records.add(rec);
                out.println("[" + r.label() + "] run directory: " + ws.root().relativize(
                        ws.runsDir(spec.name()).resolve(rec.runId())));
            }
        }
        out.println();
        out.println("Results: " + spec.name() + " (final test accuracy per domain, after all domains)");
        out.print(ConsoleTable.render(records));
        boolean ok = records.stream().allMatch(r -> r.status().equals("completed"));
        return ok ? 0 : 1;
    }
}
