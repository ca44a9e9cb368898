package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code da3 run} end to end: real worker processes on tiny domains. */
class RunCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String err, String out) {}

    private Result run(String... args) {
        CommandLine cl = Da3.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, err.toString(), "");
    }

    /** {@link #run}, keeping what the command prints on standard output. */
    private Result runPrinting(String... args) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        Result r;
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r = run(args);
        } finally {
            System.setOut(stdout);
        }
        return new Result(r.code(), r.err(), buf.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private List<Path> runDirs(String experiment) throws IOException {
        Path runs = dir.resolve("experiments").resolve(experiment).resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.sorted().toList();
        }
    }

    @Test
    void runsEveryMethodInItsOwnWorkerAndLeavesSelfDescribingRunDirectories() throws IOException {
        TestWorkspace.create(dir, 128, 64);
        Path spec = dir.resolve("experiments/tiny.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("tiny", "linear, finetune", "tiny-shapes, tiny-glyphs"));
        Result r = run("run", "--quiet", spec.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        List<Path> dirs = runDirs("tiny");
        assertThat(dirs).hasSize(2);
        for (Path d : dirs) {
            assertThat(d.resolve("spec.yaml")).isRegularFile();
            assertThat(d.resolve("manifest.json")).content().contains("\"pytorch\"", "\"djl\"", "\"java.version\"",
                    "\"os.arch\"", "\"dataset_fingerprints\"", "\"malloc_mmap_threshold\" : \"131072\"");
            assertThat(d.resolve("patches/tiny-shapes.safetensors")).isRegularFile();
            assertThat(d.resolve("patches/tiny-glyphs.safetensors")).isRegularFile();
            List<Envelope> events = EventLog.read(d.resolve("events.jsonl"));
            assertThat(events.get(0).event()).isInstanceOf(RunStarted.class);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).seq()).isEqualTo(i);
            }
            RunRecord rec = RunRecord.read(d);
            assertThat(rec.status()).isEqualTo("completed");
            // measured on Linux: a few tiny steps may stay under the idle baseline, which is 0, not -1
            assertThat(((Number) rec.summary().get("peak_step_bytes")).longValue()).isGreaterThanOrEqualTo(0);
            // tiny-shapes was evaluated after both domains, tiny-glyphs after the second
            assertThat(rec.evaluations()[0][0]).isBetween(0.0, 1.0);
            assertThat(rec.evaluations()[0][1]).isBetween(0.0, 1.0);
            assertThat(rec.evaluations()[1][1]).isBetween(0.0, 1.0);
            List<String> csv = Files.readAllLines(d.resolve("results.csv"));
            assertThat(csv).hasSize(4);
            assertThat(csv.get(0)).startsWith("run_id,experiment,method,label,seed,status,domain");
        }
        RunRecord linear = RunRecord.read(dirs.stream().filter(p -> p.toString().contains("linear")).findFirst().get());
        // a method on the frozen backbone does not change earlier domains at all
        assertThat(linear.evaluations()[0][1]).isEqualTo(linear.evaluations()[0][0]);
        assertThat(linear.summary().get("backbone_checksum_after"))
                .isEqualTo(linear.summary().get("backbone_checksum_before"));
    }

    @Test
    void badSpecsExitWithCode2AndOneLineAndWriteNothing() throws IOException {
        TestWorkspace.create(dir, 32, 16);
        String[][] cases = {
            {"dance", "tiny-shapes", "methods[0]: unknown method 'dance'; allowed methods: "
                + String.join(", ", org.da3.workbench.spec.MethodCatalog.names())},
            {"linear", "birds", "domains[0]: unknown domain 'birds'; known domains (datasets/*.yaml): tiny-glyphs,"
                + " tiny-shapes, tiny-signs, tiny-textures"},
        };
        for (String[] c : cases) {
            Path spec = dir.resolve("experiments/bad.yaml");
            Files.writeString(spec, TestWorkspace.tinySpec("bad", c[0], c[1]));
            Result r = run("run", spec.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err().strip()).startsWith("da3: " + spec + ": ").endsWith(c[2]);
        }
        Path spec = dir.resolve("experiments/bad.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes")
                .replace("learning_rate: 0.05", "learning_rate: -0.05"));
        Result r = run("run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("da3: " + spec
                + ": training.learning_rate: -0.05 is out of range; use a positive number such as 0.01");
        assertThat(runDirs("bad")).isEmpty();
        assertThat(dir.resolve("experiments/bad")).doesNotExist();

        // weights that do not exist: pretrained by the recipe beside them, which writes safetensors only
        Files.createDirectories(dir.resolve("pretrained"));
        Files.writeString(dir.resolve("pretrained/src.yaml"), TestWorkspace.tinySpec("src", "finetune", "tiny-shapes"));
        Files.writeString(dir.resolve("pretrained/other.yml"), TestWorkspace.tinySpec("other", "finetune", "tiny-shapes"));
        Files.createSymbolicLink(dir.resolve("pretrained/moved.safetensors"), dir.resolve("elsewhere/r26.safetensors"));
        for (String[] c : new String[][] {
            {"pretrained/moved.safetensors", "backbone.weights: 'pretrained/moved.safetensors' is a symbolic link to "
                + dir.resolve("elsewhere/r26.safetensors") + ", which does not exist; point the link (or the field) at"
                + " the weights file"},
            {"pretrained/other.npz", "backbone.weights: 'pretrained/other.npz' does not exist; its recipe other.yml"
                + " pretrains other.safetensors; name that file instead"},
            {"pretrained/nothing.safetensors", "backbone.weights: 'pretrained/nothing.safetensors' does not exist in the"
                + " workspace " + dir + ", and no recipe nothing.yaml sits beside it to pretrain it; run 'da3 pretrain"
                + " RECIPE.yaml' or remove the field"},
            {"pretrained/src.npz", "backbone.weights: 'pretrained/src.npz' does not exist; its recipe src.yaml pretrains"
                + " src.safetensors; name that file instead"}}) {
            Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes")
                    .replace("backbone: {name: resnet26, width: 8}", "backbone: {name: resnet26, width: 8, weights: " + c[0] + "}"));
            r = run("run", spec.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("da3: " + spec + ": " + c[1]);
        }
        assertThat(dir.resolve("pretrained/src.npz")).doesNotExist();
        assertThat(dir.resolve("experiments/bad")).doesNotExist();

        // weights of another width: told from the file's header, before any run directory or worker
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.da3.workbench.nn.ResNet wide = org.da3.workbench.nn.ResNet.create("resnet26", 16);
            wide.allocate(m, 1);
            org.da3.workbench.nn.Weights.save(org.da3.workbench.nn.Weights.arrays(wide.stateDict()),
                    dir.resolve("pretrained/wide.safetensors"));
        }
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes").replace(
                "backbone: {name: resnet26, width: 8}", "backbone: {name: resnet26, width: 8, weights: pretrained/wide.safetensors}"));
        r = run("run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("da3: " + spec + ": backbone.weights: 'pretrained/wide.safetensors' does not"
                + " fit resnet26 width 8. Mis-shaped (").endsWith("the file holds a resnet26 width 16: set backbone.name:"
                + " resnet26 and backbone.width: 16, or give a file of resnet26 width 8.");
        assertThat(dir.resolve("experiments/bad")).doesNotExist();

        // a domain whose data is not there: one error before anything runs, not a failed run per method
        Files.writeString(dir.resolve("datasets/gone.yaml"), "kind: imagefolder\npath: " + dir.resolve("no-such-folder")
                + "\n");
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear, finetune", "tiny-shapes, gone"));
        r = run("run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("da3: " + spec + ": domains[1]: cannot use domain 'gone' (missing: ")
                .endsWith("'da3 datasets check gone' lists every problem");
        assertThat(dir.resolve("experiments/bad")).doesNotExist();
        Files.delete(dir.resolve("datasets/gone.yaml"));

        // a file where the experiment's folder would be
        Files.writeString(spec, TestWorkspace.tinySpec("blocked", "linear", "tiny-shapes"));
        Files.writeString(dir.resolve("experiments/blocked"), "a file");
        r = run("run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("da3: " + spec + ": name: experiments/blocked exists and is not a folder, so"
                + " the runs of 'blocked' cannot be stored; move that file or rename the experiment");

        // weights that exist but are not a tensor file: refused before any run directory or worker
        Files.writeString(dir.resolve("pretrained/notes.safetensors"), "{\"these\": \"are not tensors\"}");
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes")
                .replace("backbone: {name: resnet26, width: 8}", "backbone: {name: resnet26, width: 8, weights:"
                        + " pretrained/notes.safetensors}"));
        r = run("run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("da3: " + spec + ": backbone.weights: 'pretrained/notes.safetensors' is not"
                + " a safetensors file: its first 8 bytes announce a header of ");
        assertThat(dir.resolve("experiments/bad")).doesNotExist();
    }

    /**
     * A domain whose descriptor cannot be used is named with the descriptor's problem, not called
     * unknown; and a copy of a descriptor whose name was not changed never stands in for the file
     * named after it, whichever sorts first.
     */
    @Test
    void aDomainWhoseDescriptorCannotBeUsedIsRefusedWithItsProblem() throws IOException {
        TestWorkspace.create(dir, 32, 16);
        Path spec = dir.resolve("experiments/bad.yaml");
        Files.writeString(dir.resolve("datasets/warped.yaml"), "kind: warp\n");
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes, warped"));
        Result r = run("run", "--dry-run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("da3: " + spec + ": domains[1]: domain 'warped' has no descriptor that can"
                + " be used: " + dir.resolve("datasets/warped.yaml") + ": kind: 'warp' is not a source kind; allowed:"
                + " procedural, idx, cifar, imagefolder, decathlon ('da3 datasets list' shows every descriptor's"
                + " problem)");

        // a copy edited to 500 images, its name: left as it was; it sorts before the original
        Files.writeString(dir.resolve("datasets/tiny-shapes-big.yaml"), "name: tiny-shapes\nkind: procedural\n"
                + "generator: shapes\ntrain_size: 500\ntest_size: 16\nseed: 1\n");
        org.da3.workbench.data.DatasetCatalog catalog = org.da3.workbench.data.DatasetCatalog.load(
                dir.resolve("datasets"));
        assertThat(catalog.get("tiny-shapes").file()).isEqualTo(dir.resolve("datasets/tiny-shapes.yaml"));
        assertThat(catalog.problems().get(dir.resolve("datasets/tiny-shapes-big.yaml").toString())).isEqualTo(
                dir.resolve("datasets/tiny-shapes-big.yaml") + ": name: 'tiny-shapes' is also given by "
                        + dir.resolve("datasets/tiny-shapes.yaml") + ", the descriptor named after it, which is the one"
                        + " used; dataset names must be unique: change name: here");
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes"));
        Result dry = runPrinting("run", "--dry-run", spec.toString());
        assertThat(dry.code()).as(dry.err()).isZero();

        // two copies and no tiny-shapes.yaml: neither is used, and a spec naming it says why
        Files.move(dir.resolve("datasets/tiny-shapes.yaml"), dir.resolve("datasets/tiny-shapes-copy.yaml"));
        Files.writeString(dir.resolve("datasets/tiny-shapes-copy.yaml"), "name: tiny-shapes\n"
                + Files.readString(dir.resolve("datasets/tiny-shapes-copy.yaml")));
        Files.writeString(spec, TestWorkspace.tinySpec("bad", "linear", "tiny-shapes"));
        r = run("run", "--dry-run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("da3: " + spec + ": domains[0]: domain 'tiny-shapes' has no descriptor"
                + " that can be used: " + dir.resolve("datasets/tiny-shapes-big.yaml") + ": name: 'tiny-shapes' is also"
                + " given by " + dir.resolve("datasets/tiny-shapes-copy.yaml") + ", and no tiny-shapes.yaml says which"
                + " to use, so none is; dataset names must be unique: change name: in all but one ('da3 datasets list'"
                + " shows every descriptor's problem)");

        // the file named after it cannot be read: a copy does not stand in for it
        Files.writeString(dir.resolve("datasets/tiny-shapes.yaml"), "kind: procedurall\n");
        Files.delete(dir.resolve("datasets/tiny-shapes-copy.yaml"));
        r = run("run", "--dry-run", spec.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("da3: " + spec + ": domains[0]: domain 'tiny-shapes' has no descriptor"
                + " that can be used: " + dir.resolve("datasets/tiny-shapes.yaml") + ": kind: 'procedurall' is not a"
                + " source kind (did you mean procedural?); allowed: ");
        assertThat(org.da3.workbench.data.DatasetCatalog.load(dir.resolve("datasets")).problems().get(dir.resolve("datasets/tiny-shapes-big.yaml").toString()))
                .contains("is also the name of tiny-shapes.yaml, which cannot be read, so this file is not used in its"
                        + " place");
        assertThat(dir.resolve("experiments/bad")).doesNotExist();
    }

    @Test
    void skipCompletedRunsOnlyWhatHasNotCompletedWithThisSpec() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path spec = dir.resolve("experiments/sweep.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("sweep", "linear", "tiny-shapes"));
        assertThat(run("run", "--quiet", spec.toString()).code()).isZero();
        assertThat(runDirs("sweep")).hasSize(1);
        String first = runDirs("sweep").get(0).getFileName().toString();

        // the sweep grows by a method: only the new one runs, and the table has both, in the spec's order
        Files.writeString(spec, TestWorkspace.tinySpec("sweep", "bn+last, linear", "tiny-shapes"));
        Result r = runPrinting("run", "--quiet", "--skip-completed", spec.toString());
        String out = r.out();
        assertThat(r.code()).as(out + r.err()).isZero();
        assertThat(out).contains("Skipping 1 run(s) that already completed with this spec: linear s7 (" + first + ")")
                .contains("Experiment sweep: 1 run(s)").containsPattern("(?ms)^bn\\+last +7 .*^linear +7 ");
        assertThat(runDirs("sweep")).hasSize(2);

        // described anew and moved to another machine, it is still the same training: nothing runs
        Files.writeString(spec, TestWorkspace.tinySpec("sweep", "linear, bn+last", "tiny-shapes")
                + "description: now on the board\ntarget: ssh://me@127.0.0.1:9\n");
        Result moved = runPrinting("run", "--quiet", "--skip-completed", spec.toString());
        assertThat(moved.code()).as(moved.out() + moved.err()).isZero();
        assertThat(moved.out()).contains("Skipping 2 run(s)").contains("Experiment sweep: 0 run(s)");
        assertThat(runDirs("sweep")).hasSize(2);

        // a changed setting is a different run: it runs again
        Files.writeString(spec, TestWorkspace.tinySpec("sweep", "linear", "tiny-shapes").replace("epochs: 1", "epochs: 2"));
        assertThat(run("run", "--quiet", "--skip-completed", spec.toString()).code()).isZero();
        assertThat(runDirs("sweep")).hasSize(3);
    }

    /**
     * A run cut off after its first domain (its events end with that domain's checkpoint, the second
     * domain's patch is missing, as after a crash) picks up with --resume: the finished domain's patch
     * is reused unchanged and evaluated again, only the second domain trains, and a run that then
     * completed is skipped.
     */
    @Test
    void resumeTakesOverTheDomainsAStoppedRunFinished() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path spec = dir.resolve("experiments/cut.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("cut", "linear", "tiny-shapes, tiny-glyphs"));
        assertThat(run("run", "--quiet", spec.toString()).code()).isZero();
        Path first = runDirs("cut").get(0);
        Evaluation was = checkpointEvaluation(EventLog.read(first.resolve("events.jsonl")), "tiny-shapes", 0);
        TestWorkspace.cutAfterFirstDomain(first, "tiny-glyphs");
        List<Envelope> before = EventLog.read(first.resolve("events.jsonl"));
        String sha = before.stream().map(Envelope::event).filter(e -> e instanceof CheckpointSaved)
                .map(e -> ((CheckpointSaved) e).sha256()).findFirst().orElseThrow();

        // a patch that changed since is not taken over
        org.da3.workbench.run.ExperimentRunner runner = new org.da3.workbench.run.ExperimentRunner(
                org.da3.workbench.Workspace.locate(spec));
        List<org.da3.workbench.run.PlannedRun> plan = org.da3.workbench.run.ExperimentRunner.plan(
                new org.da3.workbench.spec.SpecLoader(runner.workspace().datasets().names()).load(spec));
        Path patch = first.resolve("patches/tiny-shapes.safetensors");
        byte[] bytes = Files.readAllBytes(patch);
        assertThat(runner.resumable(plan)).hasSize(1);
        byte[] changed = bytes.clone();
        changed[changed.length - 1] ^= 1;
        Files.write(patch, changed);
        List<String> warnings = new java.util.ArrayList<>();
        assertThat(runner.resumable(plan, warnings::add)).isEmpty();
        // and says so, as for an epoch checkpoint, instead of training it again without a word
        assertThat(warnings).containsExactly("linear s7: the saved patch of tiny-shapes of run " + first.getFileName()
                + ", " + patch + ", has changed since it was written (its SHA-256 is no longer " + sha + ");"
                + " tiny-shapes is trained again");
        Result changedDry = runPrinting("run", "--resume", "--dry-run", spec.toString());
        assertThat(changedDry.code()).isZero();
        assertThat(changedDry.err() + changedDry.out()).contains("the saved patch of tiny-shapes of run "
                + first.getFileName()).contains("  linear s7: trains every domain");
        Files.delete(patch);
        warnings.clear();
        runner.resumable(plan, warnings::add);
        assertThat(warnings).containsExactly("linear s7: the saved patch of tiny-shapes of run " + first.getFileName()
                + ", " + patch + ", is missing; tiny-shapes is trained again");
        Files.write(patch, bytes);

        // a dry run says what --resume would do, and does nothing
        Result dry = runPrinting("run", "--resume", "--dry-run", spec.toString());
        assertThat(dry.code()).as(dry.out() + dry.err()).isZero();
        assertThat(dry.out()).contains("Would resume 1 run(s) from the domains they finished: linear s7 ("
                + first.getFileName() + ": 1 of 2 domains)").contains("Experiment cut: 1 run(s) on local")
                .contains("  linear s7: takes over tiny-shapes from " + first.getFileName() + " and trains the rest")
                .endsWith("Dry run: nothing was started.\n");
        Result plain = runPrinting("run", "-n", spec.toString());
        assertThat(plain.out()).contains("  linear s7: trains every domain\n").doesNotContain("resume");
        assertThat(runDirs("cut")).hasSize(1);

        Result r = runPrinting("run", "--resume", spec.toString());
        String out = r.out();
        assertThat(r.code()).as(out + r.err()).isZero();
        assertThat(out).contains("Resuming 1 run(s) from the domains they finished: linear s7 (" + first.getFileName()
                + ": 1 of 2 domains)").contains("patch reused from run "
                + first.getFileName());
        assertThat(runDirs("cut")).hasSize(2);
        Path second = runDirs("cut").get(1);
        List<Envelope> after = EventLog.read(second.resolve("events.jsonl"));
        DomainStarted shapes = after.stream().map(Envelope::event).filter(e -> e instanceof DomainStarted)
                .map(e -> (DomainStarted) e).findFirst().orElseThrow();
        assertThat(shapes.domain()).isEqualTo("tiny-shapes");
        assertThat(shapes.reusedFrom()).isEqualTo(first.getFileName().toString());
        assertThat(shapes.steps()).isZero();
        assertThat(after.stream().map(Envelope::event).filter(e -> e instanceof TrainMetrics)
                .map(e -> ((TrainMetrics) e).domain())).isNotEmpty().allMatch("tiny-glyphs"::equals);
        assertThat(Files.readAllBytes(second.resolve("patches/tiny-shapes.safetensors"))).isEqualTo(bytes);
        assertThat(second.resolve("patches/tiny-glyphs.safetensors")).isRegularFile();
        // the reused patch scores as it did in the run that trained it
        assertThat(checkpointEvaluation(after, "tiny-shapes", 1).correct()).isEqualTo(was.correct());
        RunRecord rec = RunRecord.read(second);
        assertThat(rec.status()).isEqualTo("completed");
        assertThat(Double.isNaN(rec.finalAccuracy(1))).isFalse();
        assertThat(after.stream().map(Envelope::event).filter(e -> e instanceof CheckpointSaved)
                .map(e -> ((CheckpointSaved) e).sha256()).findFirst().orElseThrow()).isEqualTo(sha);
        assertThat(second.resolve("manifest.json")).content().contains("\"resumed_from\" : \""
                + first.getFileName() + "\"");

        // done now: a second --resume skips it
        assertThat(run("run", "--quiet", "--resume", spec.toString()).code()).isZero();
        assertThat(runDirs("cut")).hasSize(2);
    }

    /**
     * A run cut off together with the workbench (kill -9 of da3 run, a crash of the GUI) has no
     * manifest.json; with backbone.weights its weights are known from its run_started event, so it
     * resumes, and weights changed since still keep it from resuming.
     */
    @Test
    void resumePicksUpARunWhoseWorkbenchWasKilledWithWeights() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path weights = dir.resolve("pretrained/w8.safetensors");
        Files.createDirectories(weights.getParent());
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.da3.workbench.nn.ResNet net = org.da3.workbench.nn.ResNet.create("resnet26", 8);
            net.allocate(m, 1);
            org.da3.workbench.nn.Weights.save(org.da3.workbench.nn.Weights.arrays(net.stateDict()), weights);
        }
        Path spec = dir.resolve("experiments/killed.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("killed", "linear", "tiny-shapes, tiny-glyphs").replace(
                "backbone: {name: resnet26, width: 8}", "backbone: {name: resnet26, width: 8, weights: "
                + "pretrained/w8.safetensors}"));
        assertThat(run("run", "--quiet", spec.toString()).code()).isZero();
        Path first = runDirs("killed").get(0);
        TestWorkspace.cutAfterFirstDomain(first, "tiny-glyphs");
        Files.delete(first.resolve("manifest.json"));
        Files.delete(first.resolve("results.csv"));

        Result dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("Would resume 1 run(s) from the domains they"
                + " finished: linear s7 (" + first.getFileName() + ": 1 of 2 domains)");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 1;
        Files.write(weights, bytes);
        dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("  linear s7: trains every domain\n")
                .doesNotContain("Would resume");
    }

    /**
     * A later run folder of the same spec without events (cut off while its worker was being started,
     * an upload to a remote machine for one) does not hide the stopped run before it.
     */
    @Test
    void resumePassesOverALaterRunThatHasNoEvents() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path spec = dir.resolve("experiments/later.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("later", "linear", "tiny-shapes, tiny-glyphs"));
        assertThat(run("run", "--quiet", spec.toString()).code()).isZero();
        Path first = runDirs("later").get(0);
        TestWorkspace.cutAfterFirstDomain(first, "tiny-glyphs");
        org.da3.workbench.run.ExperimentRunner runner = new org.da3.workbench.run.ExperimentRunner(
                org.da3.workbench.Workspace.locate(spec));
        List<org.da3.workbench.run.PlannedRun> plan = org.da3.workbench.run.ExperimentRunner.plan(
                new org.da3.workbench.spec.SpecLoader(runner.workspace().datasets().names()).load(spec));
        Path empty = org.da3.workbench.run.RunDirectory.create(runner.workspace(), plan.get(0).spec()).dir();
        assertThat(runDirs("later")).containsExactly(first, empty);

        assertThat(runner.resumable(plan).values()).singleElement().satisfies(from -> {
            assertThat(from.run()).isEqualTo(first.getFileName().toString());
            assertThat(from.patches()).containsOnlyKeys("tiny-shapes");
        });
    }

    /** A domain whose data changed since the stopped run trained its patch is trained again, with a warning. */
    @Test
    void resumeTrainsAgainADomainWhoseDataChanged() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path spec = dir.resolve("experiments/changed.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("changed", "linear", "tiny-shapes"));
        assertThat(run("run", "--quiet", spec.toString()).code()).isZero();
        Path first = runDirs("changed").get(0);
        TestWorkspace.cutAfterFirstDomain(first);
        // it finished its only domain (and stopped before its run_finished): nothing is left to train
        Result dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("  linear s7: takes over tiny-shapes from "
                + first.getFileName() + " (every domain: it evaluates them again and trains none)\n");
        Path descriptor = dir.resolve("datasets/tiny-shapes.yaml");
        Files.writeString(descriptor, Files.readString(descriptor).replace("seed: 1", "seed: 99"));

        Result r = runPrinting("run", "--resume", spec.toString());
        String out = r.out();
        assertThat(r.code()).as(out + r.err()).isZero();
        assertThat(out).contains("Resuming 1 run(s)").contains("warning: tiny-shapes: its data changed since run "
                + first.getFileName() + " trained its patch (fingerprint ").contains("); training it again")
                .doesNotContain("patch reused from run");
        List<Envelope> after = EventLog.read(runDirs("changed").get(1).resolve("events.jsonl"));
        assertThat(after.stream().map(Envelope::event).filter(e -> e instanceof TrainMetrics)).isNotEmpty();
    }

    /**
     * A run killed in its second domain after an epoch checkpoint continues that domain with
     * --resume from the epoch after it: the dry run says so, the checkpoint is copied into the new
     * run and checked, only the epochs after it train, and the run ends with the patches and
     * accuracies of a run never stopped, leaving no checkpoint. A checkpoint changed since it was
     * written is not used: a warning says so, and the domain trains from its first epoch.
     */
    @Test
    void resumeContinuesTheDomainItStoppedInFromItsLastEpochCheckpoint() throws Exception {
        // 256 images, 16 steps an epoch: the worker is killed long before its next checkpoint
        TestWorkspace.create(dir, 256, 32);
        String body = TestWorkspace.tinySpec("NAME", "da3", "tiny-shapes, tiny-glyphs").replace("epochs: 1",
                "epochs: 3");
        Path whole = Files.writeString(dir.resolve("experiments/whole.yaml"), body.replace("NAME", "whole"));
        Path spec = Files.writeString(dir.resolve("experiments/cut.yaml"), body.replace("NAME", "cut"));
        assertThat(run("run", "--quiet", whole.toString()).code()).isZero();
        Path never = runDirs("whole").get(0);
        assertThat(never.resolve("checkpoints")).doesNotExist();

        org.da3.workbench.run.ExperimentRunner runner = new org.da3.workbench.run.ExperimentRunner(
                org.da3.workbench.Workspace.locate(spec));
        org.da3.workbench.run.PlannedRun plan = org.da3.workbench.run.ExperimentRunner.plan(
                new org.da3.workbench.spec.SpecLoader(runner.workspace().datasets().names()).load(spec)).get(0);
        RunRecord killed = TestWorkspace.killedAfterEpochCheckpoint(runner, plan, "tiny-glyphs");
        assertThat(killed.status()).isEqualTo("failed");
        Path first = runDirs("cut").get(0);
        List<org.da3.workbench.run.event.EpochCheckpointSaved> cps = EventLog.read(first.resolve("events.jsonl"))
                .stream().map(Envelope::event).filter(e -> e instanceof org.da3.workbench.run.event.EpochCheckpointSaved)
                .map(e -> (org.da3.workbench.run.event.EpochCheckpointSaved) e)
                .filter(c -> c.domain().equals("tiny-glyphs")).toList();
        assertThat(cps).hasSize(1);
        Path checkpoint = first.resolve("checkpoints/tiny-glyphs.safetensors");
        assertThat(checkpoint).isRegularFile();
        assertThat(first.resolve("checkpoints/tiny-shapes.safetensors")).doesNotExist();

        Result dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("Would resume 1 run(s) from the domains they"
                + " finished: da3 s7 (" + first.getFileName() + ": 1 of 2 domains and 1 of 3 epochs of tiny-glyphs)")
                .contains("  da3 s7: takes over tiny-shapes from " + first.getFileName()
                        + ", resumes tiny-glyphs at epoch 2 of 3\n");

        // a checkpoint changed since it was written is not used
        byte[] bytes = Files.readAllBytes(checkpoint);
        byte[] changed = bytes.clone();
        changed[changed.length - 1] ^= 1;
        Files.write(checkpoint, changed);
        dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("warning: da3 s7: the epoch 1 checkpoint of"
                + " tiny-glyphs of run " + first.getFileName() + ", " + checkpoint + ", has changed since it was written"
                + " (its SHA-256 is no longer " + cps.get(0).sha256() + "); tiny-glyphs trains from its first epoch")
                .contains("  da3 s7: takes over tiny-shapes from " + first.getFileName() + " and trains the rest\n");
        Files.write(checkpoint, bytes);

        Result r = runPrinting("run", "--resume", spec.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("domain 2 tiny-glyphs: ").contains("; continues at epoch 2 from the epoch"
                + " checkpoint of run " + first.getFileName());
        Path second = runDirs("cut").get(1);
        List<Envelope> after = EventLog.read(second.resolve("events.jsonl"));
        DomainStarted glyphs = after.stream().map(Envelope::event).filter(e -> e instanceof DomainStarted)
                .map(e -> (DomainStarted) e).filter(d -> d.domain().equals("tiny-glyphs")).findFirst().orElseThrow();
        assertThat(glyphs.continuedFrom()).isEqualTo(first.getFileName().toString());
        assertThat(glyphs.startEpoch()).isEqualTo(2);
        assertThat(after.stream().map(Envelope::event).filter(e -> e instanceof TrainMetrics)
                .map(e -> (TrainMetrics) e)).isNotEmpty().allMatch(m -> m.domain().equals("tiny-glyphs")
                        && m.epoch() >= 2);
        // the run that would have completed, bit for bit
        for (String d : List.of("tiny-shapes", "tiny-glyphs")) {
            assertThat(Files.readAllBytes(second.resolve("patches/" + d + ".safetensors"))).as(d)
                    .isEqualTo(Files.readAllBytes(never.resolve("patches/" + d + ".safetensors")));
        }
        RunRecord resumed = RunRecord.read(second);
        RunRecord reference = RunRecord.read(never);
        assertThat(resumed.status()).isEqualTo("completed");
        for (int i = 0; i < 2; i++) {
            assertThat(resumed.finalAccuracy(i)).isEqualTo(reference.finalAccuracy(i));
        }
        assertThat(second.resolve("checkpoints")).doesNotExist();
        assertThat(second.resolve("manifest.json")).content().contains("\"resumed_from\" : \""
                + first.getFileName() + "\"");
        // the stopped run keeps its checkpoint (it is history); a second --resume has nothing to do
        assertThat(checkpoint).isRegularFile();
        assertThat(run("run", "--quiet", "--resume", spec.toString()).code()).isZero();
        assertThat(runDirs("cut")).hasSize(2);
    }

    private static Evaluation checkpointEvaluation(List<Envelope> events, String domain, int afterDomain) {
        return events.stream().map(Envelope::event).filter(e -> e instanceof Evaluation).map(e -> (Evaluation) e)
                .filter(v -> v.fromCheckpoint() && v.domain().equals(domain) && v.afterDomain() == afterDomain)
                .findFirst().orElseThrow();
    }

    /**
     * Ctrl-C at a terminal: SIGINT to {@code da3 run} and its worker together. The run is recorded as
     * cancelled with the time it ran, and the results table is printed before the JVM exits.
     */
    @Test
    void ctrlCRecordsTheRunAsCancelledAndStillPrintsTheTable() throws Exception {
        TestWorkspace.create(dir, 256, 64);
        Path spec = dir.resolve("experiments/long.yaml");
        // two runs: the second waits in the queue and is stopped before it starts
        Files.writeString(spec, TestWorkspace.tinySpec("long", "linear, bn+last", "tiny-shapes")
                .replace("epochs: 1", "epochs: 500"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Da3.class.getName(), "run", spec.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            // wait until the worker trains (its first progress event is in the log)
            Path events = null;
            for (int i = 0; i < 1200 && events == null; i++) {
                Thread.sleep(100);
                List<Path> runs = runDirs("long");
                Path e = runs.isEmpty() ? null : runs.get(0).resolve("events.jsonl");
                if (e != null && Files.isRegularFile(e) && Files.readString(e).contains("\"type\":\"progress\"")) {
                    events = e;
                }
            }
            assertThat(events).as("the run started training").isNotNull();
            List<String> kill = new java.util.ArrayList<>(List.of("kill", "-INT", Long.toString(p.pid())));
            p.descendants().forEach(d -> kill.add(Long.toString(d.pid())));
            assertThat(new ProcessBuilder(kill).start().waitFor()).isZero();
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("da3 run ends").isTrue();
            String out = Files.readString(dir.resolve("out.txt"));
            assertThat(out).contains("Results: long").containsPattern("(?m)^linear +7 .* cancelled\\s*$")
                    .contains("1 run(s) were stopped before they started").doesNotContain("see the errors above");
            List<Envelope> log = EventLog.read(events);
            org.da3.workbench.run.event.RunFinished end = (org.da3.workbench.run.event.RunFinished)
                    log.get(log.size() - 1).event();
            assertThat(end.status()).isEqualTo("cancelled");
            assertThat(end.seconds()).as("the time the run ran").isPositive();
            assertThat(p.descendants().filter(ProcessHandle::isAlive)).as("no worker left behind").isEmpty();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /**
     * An engine that cannot start fails every worker with exit code 3 (no run_started); {@code da3
     * run} says so with 3, as its help, the README and docs/protocol.md promise, not with the 1 of a
     * run that failed while training.
     */
    @Test
    void anEngineThatCannotStartExitsWithCode3() throws IOException {
        TestWorkspace.create(dir, 32, 16);
        // a libtorch folder whose libraries are not libraries: DJL fails to load them
        Path lib = Files.createDirectories(dir.resolve("badtorch"));
        for (String f : new String[] {"libtorch.so", "libc10.so", "libtorch_cpu.so"}) {
            Files.writeString(lib.resolve(f), "not a library\n");
        }
        Files.writeString(dir.resolve("experiments/targets.yaml"), "targets:\n  local:\n    kind: local\n"
                + "    environment: {PYTORCH_LIBRARY_PATH: '" + lib + "', PYTORCH_VERSION: '2.7.1',"
                + " PYTORCH_FLAVOR: cpu}\n");
        Path spec = dir.resolve("experiments/noengine.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("noengine", "linear, da3", "tiny-shapes"));
        Result r = runPrinting("run", "--quiet", spec.toString());
        assertThat(runDirs("noengine")).hasSize(2);
        for (Path d : runDirs("noengine")) {
            RunRecord rec = RunRecord.read(d);
            assertThat(rec.status()).isEqualTo("failed");
            assertThat(rec.error()).contains("engine did not start");
        }
        assertThat(r.code()).as(r.out()).isEqualTo(3);
    }

    @Test
    void weightsBlownUpByTheDomainsLastUpdateFailTheRunInsteadOfBeingEvaluatedAndSaved() throws IOException {
        // lite residual at the highest learning rate: on this case the last of the four updates made
        // its weights NaN while every loss, computed before its update, was finite
        Files.createDirectories(dir.resolve("datasets"));
        Files.writeString(dir.resolve("datasets/shapes.yaml"),
                "kind: procedural\ngenerator: shapes\ntrain_size: 3000\ntest_size: 1000\nseed: 101\n");
        Path spec = dir.resolve("experiments/blown.yaml");
        Files.createDirectories(spec.getParent());
        Files.writeString(spec, "name: blown\ndomains: [shapes]\n"
                + "methods: [{name: lite-residual, options: {learning_rate: 10}}]\n"
                + "backbone: {name: resnet26, width: 4}\n"
                + "training: {epochs: 1, batch_size: 4, image_size: 16, train_limit: 16, test_limit: 8, threads: 1}\n");
        Result r = run("run", "--quiet", spec.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        List<Envelope> events = EventLog.read(runDirs("blown").get(0).resolve("events.jsonl"));
        assertThat(events).extracting(Envelope::event).filteredOn(RunError.class::isInstance)
                .singleElement().extracting(e -> ((RunError) e).message()).asString()
                .matches("the (loss|trained weights) became .* of domain shapes; lower the method learning rate"
                        + " \\(10\\.0\\)");
        assertThat(events).extracting(Envelope::event).noneMatch(e -> e instanceof Evaluation);
        assertThat(runDirs("blown").get(0).resolve("patches/shapes.safetensors")).doesNotExist();
    }
    /**
     * The first use of missing weights pretrains them from the recipe beside them; deleted later, they
     * are written again from that completed pretraining, byte for byte, without training; and
     * {@code pretrain --resume} does the same. Weights whose pretraining run was tampered with are
     * pretrained again.
     */
    @Test
    void missingWeightsComeBackFromTheirCompletedPretrainingWithoutTraining() throws Exception {
        TestWorkspace.create(dir, 64, 32);
        Path recipe = dir.resolve("pretrained/src.yaml");
        Files.createDirectories(recipe.getParent());
        Files.writeString(recipe, TestWorkspace.tinySpec("src", "finetune", "tiny-shapes"));
        Path weights = dir.resolve("pretrained/src.safetensors");
        Path spec = dir.resolve("experiments/uses.yaml");
        Files.writeString(spec, TestWorkspace.tinySpec("uses", "linear", "tiny-glyphs").replace(
                "width: 8}", "width: 8, weights: pretrained/src.safetensors}"));

        Result dry = runPrinting("run", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("Would start by pretraining pretrained/src.safetensors"
                + " from its recipe pretrained/src.yaml (first use; cached afterwards)");
        Result first = runPrinting("run", "--quiet", spec.toString());
        assertThat(first.code()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("Pretraining pretrained/src.safetensors from its recipe");
        List<Path> pretrainings = runDirs("src");
        assertThat(pretrainings).hasSize(1);
        byte[] trained = Files.readAllBytes(weights);
        String provenance = Files.readString(Pretrainer.provenanceFor(weights));

        Files.delete(weights);
        Files.delete(Pretrainer.provenanceFor(weights));
        String id = pretrainings.get(0).getFileName().toString();
        dry = runPrinting("run", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("Would start by restoring pretrained/src.safetensors"
                + " from the pretraining run " + id + ", which completed with its recipe (source test accuracy ");
        assertThat(weights).doesNotExist();
        Result again = runPrinting("run", "--quiet", spec.toString());
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("Restoring pretrained/src.safetensors from the pretraining run " + id);
        assertThat(runDirs("src")).as("no pretraining ran").isEqualTo(pretrainings);
        assertThat(Files.readAllBytes(weights)).isEqualTo(trained);
        com.fasterxml.jackson.databind.JsonNode prov = org.da3.workbench.run.event.EventCodec.JSON.readTree(
                Pretrainer.provenanceFor(weights).toFile());
        com.fasterxml.jackson.databind.JsonNode before = org.da3.workbench.run.event.EventCodec.JSON.readTree(provenance);
        assertThat(prov.get("run_id").asText()).isEqualTo(id);
        assertThat(prov.get("weights_sha256")).isEqualTo(before.get("weights_sha256"));
        assertThat(prov.get("source_test_accuracy")).isEqualTo(before.get("source_test_accuracy"));
        assertThat(prov.get("versions").get("pytorch")).isEqualTo(before.get("versions").get("pytorch"));
        assertThat(prov.has("restored")).isTrue();

        // da3 pretrain --resume: the latest pretraining completed, so its weights are written again
        Files.delete(weights);
        Result resumed = runPrinting("pretrain", "--resume", recipe.toString());
        assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("The latest pretraining of " + recipe + " completed (run " + id + ")");
        assertThat(Files.readAllBytes(weights)).isEqualTo(trained);
        assertThat(runDirs("src")).isEqualTo(pretrainings);

        // the run's weights changed since it saved them: not restored from, pretrained again
        Files.delete(weights);
        Path saved = pretrainings.get(0).resolve("patches/tiny-shapes.safetensors");
        byte[] bytes = Files.readAllBytes(saved);
        bytes[bytes.length - 1] ^= 1;
        Files.write(saved, bytes);
        dry = runPrinting("run", "-n", spec.toString());
        assertThat(dry.out()).as(dry.out() + dry.err()).contains("Would start by pretraining pretrained/src.safetensors");
    }
    /** A run folder whose spec.yaml cannot be read is named by --resume, not passed over in silence. */
    @Test
    void resumeNamesARunFolderWhoseSpecCannotBeRead() throws Exception {
        TestWorkspace.create(dir, 32, 16);
        Path spec = Files.writeString(dir.resolve("experiments/odd.yaml"), TestWorkspace.tinySpec("odd", "linear",
                "tiny-shapes"));
        Path broken = Files.createDirectories(dir.resolve("experiments/odd/runs/20260101-000000-linear-s7"));
        Files.writeString(broken.resolve("spec.yaml"), "name: [odd\n");
        Result dry = runPrinting("run", "--resume", "-n", spec.toString());
        assertThat(dry.code()).as(dry.out() + dry.err()).isZero();
        assertThat(dry.out()).contains("warning: " + broken.resolve("spec.yaml") + ": cannot be read (")
                .contains("that run is not taken to have completed or to be resumable");
    }
}
