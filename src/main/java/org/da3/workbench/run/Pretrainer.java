package org.da3.workbench.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.EventTypes;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecException;

/**
 * Makes a source backbone: a recipe ({@code pretrained/NAME.yaml}, an experiment spec with one
 * source domain and the {@code finetune} method from a random initialisation) is run as a normal
 * worker; the fine-tuned copy of the backbone it saves is the pretrained backbone. The weights go
 * to {@code pretrained/NAME.safetensors} and their provenance (recipe, seed, versions, run id,
 * source accuracy) to {@code pretrained/NAME.json}.
 */
public final class Pretrainer {
    private final Workspace workspace;

    /**
     * Creates a pretrainer.
     *
     * @param workspace the workspace
     */
    public Pretrainer(Workspace workspace) {
        this.workspace = workspace;
    }

    /**
     * The recipe beside a weights file, if there is one: NAME.yaml, else NAME.yml.
     *
     * @param weights the weights file
     * @return the recipe file, or null
     */
    public static Path recipeFor(Path weights) {
        String base = weights.getFileName().toString().replaceFirst("\\.(safetensors|npz)$", "");
        for (String ext : new String[] {".yaml", ".yml"}) {
            Path r = weights.resolveSibling(base + ext);
            if (Files.isRegularFile(r)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The weights file a recipe produces.
     *
     * @param recipe the recipe
     * @return NAME.safetensors beside it
     */
    public static Path weightsFor(Path recipe) {
        return recipe.resolveSibling(recipe.getFileName().toString().replaceFirst("\\.ya?ml$", "") + ".safetensors");
    }

    /**
     * Loads and checks a recipe.
     *
     * @param recipe the file
     * @return the spec
     */
    public ExperimentSpec loadRecipe(Path recipe) {
        ExperimentSpec spec = workspace.datasets().specLoader().load(recipe);
        if (spec.methods().size() != 1 || !spec.methods().get(0).name().equals("finetune")) {
            throw new SpecException(recipe.toString(), "methods", "a pretraining recipe trains with exactly one"
                    + " method, finetune");
        }
        if (spec.domains().size() != 1) {
            throw new SpecException(recipe.toString(), "domains", "a pretraining recipe has exactly one source domain");
        }
        if (spec.backbone().weights() != null) {
            throw new SpecException(recipe.toString(), "backbone.weights", "a pretraining recipe starts from a"
                    + " random initialisation; remove the field");
        }
        return spec;
    }

    /**
     * Runs a recipe from the start and writes the weights and provenance.
     *
     * @param recipe the recipe file
     * @param out the weights file to write
     * @param target where to train
     * @param monitor the monitor
     * @param listener receives the events
     * @return the source run's record
     * @throws IOException if the run fails or files cannot be written
     */
    public RunRecord pretrain(Path recipe, Path out, Target target, RunMonitor monitor, RunMonitor.Listener listener)
            throws IOException {
        return pretrain(recipe, out, target, monitor, listener, null);
    }

    /**
     * A pretraining of a recipe that stopped part-way (interrupted, failed, cut off) and can
     * continue from its last epoch checkpoint, as {@code da3 run --resume} continues a domain; null
     * when there is none (or the last one completed).
     *
     * @param recipe the recipe file
     * @param warnings told of a checkpoint that is missing or changed since it was written
     * @return where to continue, or null
     * @throws IOException if the recipe's runs folder cannot be listed
     */
    public ResumeFrom stoppedPretraining(Path recipe, java.util.function.Consumer<String> warnings) throws IOException {
        PlannedRun run = ExperimentRunner.plan(loadRecipe(recipe)).get(0);
        return new ExperimentRunner(workspace).resumable(List.of(run), warnings).get(run);
    }

    /**
     * Runs a recipe and writes the weights and provenance, continuing a stopped pretraining when
     * given one ({@link #stoppedPretraining}): the weights come out as those of an uninterrupted
     * pretraining.
     *
     * @param recipe the recipe file
     * @param out the weights file to write
     * @param target where to train
     * @param monitor the monitor
     * @param listener receives the events
     * @param from the stopped pretraining to continue, or null to start from a random initialisation
     * @return the source run's record
     * @throws IOException if the run fails or files cannot be written
     */
    public RunRecord pretrain(Path recipe, Path out, Target target, RunMonitor monitor, RunMonitor.Listener listener,
            ResumeFrom from) throws IOException {
        ExperimentSpec spec = loadRecipe(recipe);
        ExperimentRunner runner = new ExperimentRunner(workspace);
        PlannedRun run = ExperimentRunner.plan(spec).get(0);
        if (from != null) {
            run = run.resuming(from);
        }
        RunDirectory dir = RunDirectory.create(workspace, run.spec());
        Map<String, Object> manifest = new LinkedHashMap<>();
        RunRecord rec = runner.execute(run, dir, target, monitor, new RunMonitor.Listener() {
            @Override
            public void onEvent(Envelope e) {
                if (e.event() instanceof RunStarted) {
                    manifest.putAll(((RunStarted) e.event()).manifest());
                }
                listener.onEvent(e);
            }

            @Override
            public void onLog(String line) {
                listener.onLog(line);
            }
        });
        if (!rec.status().equals("completed")) {
            throw new IOException("pretraining run " + dir.runId() + " " + rec.status()
                    + (rec.error() == null ? "" : ": " + rec.error()) + "; see " + dir.dir());
        }
        install(recipe, spec, out, dir, rec, manifest, Instant.now(), null);
        return rec;
    }

    /**
     * The latest completed pretraining of a recipe in its runs folder, when the weights it trained
     * (its source domain's saved patch) are still there as its events recorded them, by SHA-256:
     * the weights can be written again from it without training. Null when there is none.
     *
     * @param recipe the recipe file
     * @return the completed run, or null
     * @throws IOException if the recipe's runs folder cannot be listed
     */
    public RunRecord completedPretraining(Path recipe) throws IOException {
        ExperimentSpec spec = loadRecipe(recipe);
        PlannedRun run = ExperimentRunner.plan(spec).get(0);
        RunRecord rec = new ExperimentRunner(workspace).completed(List.of(run)).get(run);
        if (rec == null) {
            return null;
        }
        RunDirectory dir = RunDirectory.open(workspace.runsDir(spec.name()).resolve(rec.runId()));
        return intactWeights(dir, spec.domains().get(0)) == null ? null : rec;
    }

    /**
     * Writes a recipe's weights and provenance again from a completed pretraining
     * ({@link #completedPretraining}), as that pretraining wrote them; the provenance says when
     * they were restored.
     *
     * @param recipe the recipe file
     * @param out the weights file to write
     * @param completed the completed pretraining run
     * @throws IOException if its weights changed since, or files cannot be read or written
     */
    public void restore(Path recipe, Path out, RunRecord completed) throws IOException {
        ExperimentSpec spec = loadRecipe(recipe);
        RunDirectory dir = RunDirectory.open(workspace.runsDir(spec.name()).resolve(completed.runId()));
        Path patch = intactWeights(dir, spec.domains().get(0));
        if (patch == null) {
            throw new IOException(dir.patchFile(spec.domains().get(0)) + ": the weights of pretraining run "
                    + completed.runId() + " are missing or changed since it saved them; pretrain again");
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.manifestFile())) {
            manifest.putAll(EventCodec.JSON.readValue(dir.manifestFile().toFile(),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
        }
        install(recipe, spec, out, dir, completed, manifest, Files.getLastModifiedTime(patch).toInstant(),
                Instant.now());
    }

    /**
     * The source domain's saved patch of a pretraining run, when its SHA-256 is the one its
     * checkpoint_saved event recorded; null otherwise.
     */
    private static Path intactWeights(RunDirectory dir, String source) throws IOException {
        Path patch = dir.patchFile(source);
        if (!Files.isRegularFile(dir.eventsFile())) {
            return null;
        }
        String[] sha = {null};
        EventLog.forEachLine(dir.eventsFile(), java.util.Set.of(EventTypes.nameOf(CheckpointSaved.class)), w -> { },
                line -> {
                    CheckpointSaved c = (CheckpointSaved) line.envelope().event();
                    if (source.equals(c.domain())) {
                        sha[0] = c.sha256();
                    }
                });
        return sha[0] != null && RunDirectory.changedSince(patch, sha[0]) == null ? patch : null;
    }

    /** Copies a pretraining run's source patch to the weights file and writes their provenance. */
    private void install(Path recipe, ExperimentSpec spec, Path out, RunDirectory dir, RunRecord rec,
            Map<String, Object> manifest, Instant created, Instant restored) throws IOException {
        String source = spec.domains().get(0);
        Path patch = dir.patchFile(source);
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            AtomicFiles.write(out, Files.readAllBytes(patch));
        } catch (IOException e) {
            // the training is not lost: its weights stay in the run directory
            throw new IOException("could not write " + out + " (" + e.getMessage() + "); the trained weights are kept in "
                    + patch + ": copy them there by hand", e);
        }
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("weights", out.getFileName().toString());
        // what the provenance describes: a crash between the two writes leaves weights that an older
        // .json does not match, and readers can tell
        prov.put("weights_sha256", WorkerJar.sha256(out));
        prov.put("architecture", spec.backbone().name());
        prov.put("width", spec.backbone().width());
        prov.put("recipe", workspace.root().relativize(recipe.toAbsolutePath().normalize()).toString());
        prov.put("recipe_text", Files.readString(recipe));
        prov.put("source_domain", source);
        prov.put("source_test_accuracy", rec.finalAccuracy(0));
        prov.put("seed", spec.training().seed());
        prov.put("run_id", dir.runId());
        prov.put("created", created.toString());
        if (restored != null) {
            prov.put("restored", restored.toString());
        }
        prov.put("versions", manifest);
        AtomicFiles.writeString(provenanceFor(out),
                EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(prov) + "\n");
    }

    /**
     * The provenance file of a weights file.
     *
     * @param weights the weights
     * @return NAME.json beside it
     */
    public static Path provenanceFor(Path weights) {
        return weights.resolveSibling(weights.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".json");
    }

    /**
     * How a missing weights file comes back on its first use: written again from the completed
     * pretraining of its recipe (no training), continued from a pretraining of it that stopped
     * part-way, or pretrained from the start.
     *
     * @param recipe the recipe beside the weights
     * @param weights the weights file to write
     * @param completed the completed pretraining to restore the weights from, or null
     * @param stopped the stopped pretraining to continue, or null
     * @param description what it does, in words starting with a verb in -ing ("restoring",
     *     "continuing", "pretraining")
     */
    public record FirstUse(Path recipe, Path weights, RunRecord completed, ResumeFrom stopped, String description) {}

    /**
     * What the first use of a missing weights file does ({@link FirstUse}); null when the file is
     * there or has no recipe beside it.
     *
     * @param weights the weights file
     * @param warnings told of epoch checkpoints of a stopped pretraining that cannot be used
     * @return the plan, or null
     * @throws IOException if the recipe's runs folder cannot be read
     */
    public FirstUse firstUse(Path weights, java.util.function.Consumer<String> warnings) throws IOException {
        Path recipe = recipeFor(weights);
        if (Files.isRegularFile(weights) || recipe == null) {
            return null;
        }
        ExperimentSpec spec = loadRecipe(recipe);
        String name = shown(weights);
        RunRecord done = completedPretraining(recipe);
        if (done != null) {
            return new FirstUse(recipe, weights, done, null, String.format(java.util.Locale.ROOT,
                    "restoring %s from the pretraining run %s, which completed with its recipe (source test accuracy"
                            + " %.1f%%): nothing to train", name, done.runId(), 100 * done.finalAccuracy(0)));
        }
        // an interrupted first use (the workbench closed, Ctrl-C) continues where it stopped
        ResumeFrom from = stoppedPretraining(recipe, warnings);
        if (from != null) {
            return new FirstUse(recipe, weights, null, from, "continuing the pretraining of " + name
                    + " that stopped: it " + from.describe(spec.domains()));
        }
        return new FirstUse(recipe, weights, null, null, "pretraining " + name + " from its recipe " + shown(recipe)
                + " (first use; cached afterwards)");
    }

    /**
     * Does what a first use plans: restores the weights, or pretrains them (continuing a stopped
     * pretraining).
     *
     * @param plan the plan ({@link #firstUse})
     * @param target where to pretrain
     * @param monitor the monitor
     * @param listener receives the pretraining run's events (none when restoring)
     * @return the record of the pretraining run the weights come from
     * @throws IOException if pretraining fails or files cannot be written
     */
    public RunRecord provide(FirstUse plan, Target target, RunMonitor monitor, RunMonitor.Listener listener)
            throws IOException {
        if (plan.completed() != null) {
            restore(plan.recipe(), plan.weights(), plan.completed());
            return plan.completed();
        }
        return pretrain(plan.recipe(), plan.weights(), target, monitor, listener, plan.stopped());
    }

    /**
     * {@link #firstUse(Path, java.util.function.Consumer)} for a spec's weights; null when the spec
     * names none or they are there.
     *
     * @param spec the experiment spec
     * @param warnings told of epoch checkpoints of a stopped pretraining that cannot be used
     * @return the plan, or null
     * @throws IOException if the recipe's runs folder cannot be read
     * @throws SpecException if the weights are missing with no recipe beside them
     */
    public FirstUse firstUse(ExperimentSpec spec, java.util.function.Consumer<String> warnings) throws IOException {
        if (spec.backbone().weights() == null) {
            return null;
        }
        Path w = workspace.resolve(spec.backbone().weights());
        if (!Files.isRegularFile(w) && recipeFor(w) == null) {
            throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights()
                    + "' does not exist and there is no recipe beside it to pretrain it");
        }
        return firstUse(w, warnings);
    }

    /** A path as a user of the workspace names it: relative to the workspace when inside it. */
    private String shown(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(workspace.root().toAbsolutePath().normalize())
                ? workspace.root().toAbsolutePath().normalize().relativize(abs).toString() : p.toString();
    }

    /** @return the recipes in the workspace's pretrained folder */
    public List<Path> recipes() throws IOException {
        if (!Files.isDirectory(workspace.pretrainedDir())) {
            return List.of();
        }
        try (var s = Files.list(workspace.pretrainedDir())) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
