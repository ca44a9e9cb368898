package org.da3.workbench.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.Pretrainer;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.Target;
import org.da3.workbench.run.WorkerExit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code da3 pretrain RECIPE}: trains a source backbone and saves it with its provenance. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain a backbone on a source domain from a recipe.",
            "A recipe is a spec with one domain and the finetune method. Writes RECIPE.safetensors and"
                + " RECIPE.json (provenance) beside it; an existing weights file is kept unless --force is given."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the weights and their provenance were written", "1:the pretraining failed",
            "2:bad recipe or option, or the weights file exists (give --force or --out)",
            "130:interrupted (Ctrl-C): the weights file is unchanged; --resume continues it"})
public final class PretrainCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RECIPE", description = "the recipe, for example pretrained/resnet26-w16-procsource.yaml")
    private Path recipe;

    @Option(names = "--out", paramLabel = "FILE", description = "weights file to write (default: beside the recipe)")
    private Path out;

    @Option(names = "--target", paramLabel = "NAME", description = "where to train (default: local)")
    private String target = "local";

    @Option(names = "--force", description = "replace the weights file when it exists (default: refuse, keeping it)")
    private boolean force;

    @Option(names = "--resume", description = "continue a pretraining of this recipe that stopped part-way (Ctrl-C,"
            + " a crash) from its last epoch checkpoint, instead of from the start; when its latest pretraining"
            + " completed, write that one's weights again, without training")
    private boolean resume;

    @Override
    public Integer call() throws Exception {
        String name = recipe.getFileName() == null ? "" : recipe.getFileName().toString();
        if (name.endsWith(".safetensors") || name.endsWith(".npz")) {
            // a common slip: the weights file named instead of the recipe that makes it
            Path r = Pretrainer.recipeFor(recipe);
            throw new IllegalArgumentException(recipe + ": is a weights file, not a recipe; give the recipe (a spec,"
                    + " NAME.yaml)" + (r == null ? "" : ", here " + r) + ", and the weights are written beside it");
        }
        Workspace ws = Workspace.locate(recipe);
        Pretrainer p = new Pretrainer(ws);
        p.loadRecipe(recipe);
        Path dest = out != null ? out : Pretrainer.weightsFor(recipe);
        // checked before hours of training, not when the weights are copied there
        if (Files.isDirectory(dest)) {
            throw new IllegalArgumentException("--out " + dest + ": is a folder; give a file NAME.safetensors");
        }
        if (!dest.getFileName().toString().endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + dest + ": the weights are written as safetensors, which a"
                    + " spec's backbone.weights reads only from a NAME.safetensors file; end the name in .safetensors");
        }
        if (Files.exists(dest) && !force) {
            // a finished pretraining (hours, perhaps) is never replaced without being asked to
            throw new IllegalArgumentException(dest + ": exists" + describe(dest) + "; pretraining again would replace"
                    + " it: give --force to replace it, or --out OTHER.safetensors to keep both");
        }
        RunMonitor monitor = new RunMonitor();
        // on Ctrl-C or a kill, the JVM exits when this hook returns: stop the worker (which may not
        // have had the signal) and wait until the run is recorded as cancelled
        CountDownLatch ended = new CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> {
            monitor.stop();
            try {
                ended.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "da3-pretrain-stop");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (Target t = TargetOption.resolve(ws, target)) {
            org.da3.workbench.run.ResumeFrom from = null;
            RunRecord done = resume ? p.completedPretraining(recipe) : null;
            if (done != null) {
                // its latest pretraining completed: nothing to continue, its weights are written again
                p.restore(recipe, dest, done);
                System.out.printf(java.util.Locale.ROOT, "The latest pretraining of %s completed (run %s): wrote its"
                        + " weights to %s again (source test accuracy %.1f%%) and %s; no training%n", recipe,
                        done.runId(), dest, 100 * done.finalAccuracy(0), Pretrainer.provenanceFor(dest));
                return 0;
            }
            if (resume) {
                from = p.stoppedPretraining(recipe, w -> System.out.println("warning: " + w));
                System.out.println(from == null ? "No stopped pretraining of " + recipe + " to resume: starting from"
                        + " a random initialisation" : "Resuming pretraining: it " + from.describe(
                                p.loadRecipe(recipe).domains()));
            }
            RunRecord r = p.pretrain(recipe, dest, t, monitor, new ConsoleProgress(System.out, "pretrain", false), from);
            System.out.printf("Wrote %s (source test accuracy %.1f%%) and %s%n", dest, 100 * r.finalAccuracy(0),
                    Pretrainer.provenanceFor(dest));
        } catch (java.io.IOException e) {
            if (!monitor.stopRequested()) {
                throw e;
            }
            System.out.println("Pretraining interrupted: " + dest + (Files.exists(dest) ? " is unchanged" : " was not"
                    + " written") + " (" + e.getMessage() + "); --resume continues it from its last finished epoch");
            return WorkerExit.CANCELLED;
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // shutting down: the hook has stopped the worker
            }
        }
        return 0;
    }

    /** What the provenance beside an existing weights file says about it, or nothing. */
    private static String describe(Path weights) {
        try {
            com.fasterxml.jackson.databind.JsonNode prov = org.da3.workbench.run.event.EventCodec.JSON.readTree(
                    Pretrainer.provenanceFor(weights).toFile());
            String sha = prov.path("weights_sha256").asText(null);
            if (sha != null && !sha.equals(org.da3.workbench.run.WorkerJar.sha256(weights))) {
                return " (its " + Pretrainer.provenanceFor(weights).getFileName() + " describes other weights)";
            }
            if (prov.hasNonNull("created") && prov.hasNonNull("source_test_accuracy")) {
                return String.format(java.util.Locale.ROOT, " (pretrained %s, source test accuracy %.1f%%, by %s)",
                        prov.get("created").asText(), 100 * prov.get("source_test_accuracy").asDouble(),
                        Pretrainer.provenanceFor(weights).getFileName());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no or unreadable provenance: the file is named without it
        }
        return "";
    }
}
