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
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.SpecLoader;

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
        ExperimentSpec spec = new SpecLoader(workspace.datasets().names()).load(recipe);
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
        prov.put("created", Instant.now().toString());
        prov.put("versions", manifest);
        AtomicFiles.writeString(provenanceFor(out),
                EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(prov) + "\n");
        return rec;
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
     * Makes sure a spec's weights exist, pretraining them from the recipe beside them on first use
     * (continuing a first use that was stopped part-way from its last epoch checkpoint).
     *
     * @param spec the experiment spec
     * @param target where to pretrain
     * @param listener receives the pretraining run's events
     * @return true if pretraining ran
     * @throws IOException if pretraining fails
     */
    public boolean ensureWeights(ExperimentSpec spec, Target target, RunMonitor.Listener listener) throws IOException {
        return ensureWeights(spec, target, listener, note -> { });
    }

    /**
     * {@link #ensureWeights(ExperimentSpec, Target, RunMonitor.Listener)}, saying where a stopped
     * first use continues (and which checkpoints cannot be used).
     *
     * @param spec the experiment spec
     * @param target where to pretrain
     * @param listener receives the pretraining run's events
     * @param notes told, in words, of the pretraining it continues and of unusable checkpoints
     * @return true if pretraining ran
     * @throws IOException if pretraining fails
     */
    public boolean ensureWeights(ExperimentSpec spec, Target target, RunMonitor.Listener listener,
            java.util.function.Consumer<String> notes) throws IOException {
        if (spec.backbone().weights() == null) {
            return false;
        }
        Path w = workspace.resolve(spec.backbone().weights());
        if (Files.isRegularFile(w)) {
            return false;
        }
        Path recipe = recipeFor(w);
        if (recipe == null) {
            throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights()
                    + "' does not exist and there is no recipe beside it to pretrain it");
        }
        // an interrupted first use (the workbench closed, Ctrl-C) continues where it stopped
        ResumeFrom from = stoppedPretraining(recipe, w2 -> notes.accept("warning: " + w2));
        if (from != null) {
            notes.accept("continuing the pretraining that stopped: it " + from.describe(loadRecipe(recipe).domains()));
        }
        pretrain(recipe, w, target, new RunMonitor(), listener, from);
        return true;
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
