package org.da3.workbench.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.report.ResultsCsv;
import org.da3.workbench.report.RunRecord;
import org.da3.workbench.run.event.CheckpointSaved;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.EpochCheckpointSaved;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.EventTypes;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecException;

/**
 * Turns an experiment into runs and runs them on a target: one worker per (method, seed), each in
 * its own run directory, watched by a {@link RunMonitor}; at the end of each run it writes
 * results.csv and manifest.json from the events. Shared by the CLI and the GUI; needs no DJL.
 */
public final class ExperimentRunner {
    private final Workspace workspace;

    /**
     * Creates a runner for a workspace.
     *
     * @param workspace the workspace (datasets, experiments, pretrained)
     */
    public ExperimentRunner(Workspace workspace) {
        this.workspace = workspace;
    }

    /** @return the workspace */
    public Workspace workspace() {
        return workspace;
    }

    /**
     * Lists the runs of an experiment: every method with every seed, methods first.
     *
     * @param spec the experiment
     * @return the runs in launch order
     */
    public static List<PlannedRun> plan(ExperimentSpec spec) {
        List<PlannedRun> out = new ArrayList<>();
        for (MethodSpec m : spec.methods()) {
            for (long seed : spec.seeds()) {
                out.add(new PlannedRun(spec.forRun(m, seed), m, seed));
            }
        }
        return out;
    }

    /**
     * Checks that the data of every domain is there and usable on this machine, as Setup does
     * before Launch: for runs on this machine (a remote machine reads its own copy of the data).
     *
     * @param spec the experiment
     * @throws SpecException naming the first domain that cannot be used and why
     */
    public void checkData(ExperimentSpec spec) {
        for (int i = 0; i < spec.domains().size(); i++) {
            String name = spec.domains().get(i);
            DatasetDescriptor d = workspace.datasets().get(name);
            if (d == null) {
                continue;
            }
            org.da3.workbench.data.DatasetInfo info;
            try {
                info = org.da3.workbench.data.DomainSources.forKind(d.kind()).describe(d);
            } catch (RuntimeException e) {
                throw new SpecException(spec.name(), "domains[" + i + "]", "cannot use domain '" + name + "': "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            if (!info.found() || !info.problems().isEmpty()) {
                String first = info.problems().isEmpty() ? "its data is missing" : info.problems().get(0);
                throw new SpecException(spec.name(), "domains[" + i + "]", "cannot use domain '" + name + "' ("
                        + (info.found() ? "" : "missing: ") + first + (info.problems().size() > 1 ? "; and "
                        + (info.problems().size() - 1) + " more problem(s)" : "") + "); 'da3 datasets check " + name
                        + "' lists every problem");
            }
        }
    }

    /**
     * The planned runs that already completed in the experiment's runs folder with the same resolved
     * spec (its spec.yaml, but for where it ran and its description: {@link #trained}) and, when the
     * spec names a weights file, with the same weights (the sha-256 in the run's manifest, or in its run_started event when the
     * workbench was cut off before writing the manifest): the latest such run of each.
     * Dataset contents are not compared; a spec names its datasets, not their files.
     *
     * @param runs the planned runs of one experiment
     * @return the completed run of each planned run that has one, in plan order
     * @throws IOException if the runs folder cannot be listed
     */
    public Map<PlannedRun, RunRecord> completed(List<PlannedRun> runs) throws IOException {
        Map<PlannedRun, RunRecord> out = new LinkedHashMap<>();
        Map<PlannedRun, List<RunDirectory>> earlier = earlier(runs, w -> { });
        for (PlannedRun run : runs) {
            for (RunDirectory d : earlier.getOrDefault(run, List.of())) {
                try {
                    RunRecord r = RunRecord.read(d.dir(), w -> { });
                    if (RunFinished.COMPLETED.equals(r.status())) {
                        out.put(run, r);
                        break;
                    }
                } catch (IOException | RuntimeException e) {
                    // a run that cannot be read is not one to stand for a new run
                }
            }
        }
        return out;
    }

    /**
     * {@link #resumable(List, java.util.function.Consumer)}, keeping quiet about checkpoints that
     * cannot be used.
     *
     * @param runs the planned runs of one experiment
     * @return each resumable run, in plan order, with the run to pick up from
     * @throws IOException if the runs folder cannot be listed
     */
    public Map<PlannedRun, ResumeFrom> resumable(List<PlannedRun> runs) throws IOException {
        return resumable(runs, w -> { });
    }

    /**
     * The planned runs that can pick up from an earlier run that stopped part-way (failed,
     * cancelled, or cut off without a run_finished) with the same resolved spec and weights, as
     * {@link #completed} compares them: each with the domains that run finished, whose patch files
     * are still there with the SHA-256 its checkpoint_saved event gave, and the epoch checkpoint of
     * the domain it stopped in, when its last epoch_checkpoint event's file is still there with
     * that event's SHA-256. Of several such runs, the one with the most finished domains, then the
     * most epochs of the next, the latest of equals. Planned runs that completed, or whose earlier
     * runs finished neither a domain nor an epoch, are not in the answer.
     *
     * @param runs the planned runs of one experiment
     * @param warnings told, in words, of each saved patch and epoch checkpoint that is missing or
     *     changed since it was written (its domain then trains again, from its first epoch), and
     *     of each run folder whose spec.yaml cannot be read
     * @return each resumable run, in plan order, with the run to pick up from
     * @throws IOException if the runs folder cannot be listed
     */
    public Map<PlannedRun, ResumeFrom> resumable(List<PlannedRun> runs, java.util.function.Consumer<String> warnings)
            throws IOException {
        Map<PlannedRun, ResumeFrom> out = new LinkedHashMap<>();
        Map<PlannedRun, List<RunDirectory>> earlier = earlier(runs, warnings);
        for (PlannedRun run : runs) {
            ResumeFrom best = null;
            List<String> notes = new ArrayList<>();
            // every run that left files on a machine, not only the one picked: collecting them may change the pick
            List<String> leftBehind = new ArrayList<>();
            for (RunDirectory d : earlier.getOrDefault(run, List.of())) {
                String left = leftBehind(d);
                if (left != null) {
                    leftBehind.add(left);
                }
                List<String> mine = new ArrayList<>();
                ResumeFrom r = finishedDomains(d, run.spec().domains(), run.spec().training().epochs(), mine::add);
                if (r == null) {
                    best = null; // it completed: nothing to resume
                    break;
                }
                if (best == null || r.patches().size() > best.patches().size()
                        || r.patches().size() == best.patches().size() && epochs(r) > epochs(best)) {
                    best = r;
                    notes = mine;
                }
            }
            if (best != null && (!best.patches().isEmpty() || best.checkpoint() != null)) {
                out.put(run, best);
            }
            if (best != null) {
                // also when nothing is left to take over: the run then trains every domain, and says why
                notes.forEach(n -> warnings.accept(run.label() + ": " + n));
                leftBehind.forEach(n -> warnings.accept(run.label() + ": " + n));
            }
        }
        return out;
    }

    /** What a run left on a remote machine that has not been copied back, in words; null if nothing. */
    private static String leftBehind(RunDirectory d) {
        try {
            RemoteRun remote = RemoteRun.read(d);
            if (remote == null || remote.collected()) {
                return null;
            }
            return "run " + d.runId() + " ran on " + remote.target() + " (" + remote.address() + "), and its files and"
                    + " the events the lost connection kept from the workbench are still there, in "
                    + remote.remoteRunDir() + ": what it finished after the connection was lost is trained again,"
                    + " unless 'da3 targets collect " + d.dir() + "' (or --resume, which does it first) copies them"
                    + " back";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Copies back what earlier runs of these planned runs left on a remote machine when their
     * connection was lost (their remote.json not marked collected): their patches, epoch checkpoint
     * and the events that never came through, as {@code da3 targets collect} does; called before a
     * resume (not a dry run: it stops a worker still running there). Only runs whose events say
     * they ended are collected: one without a {@code run_finished} may still be running, watched by
     * another workbench. A machine that does not answer leaves the run as it is, and says so.
     *
     * @param runs the planned runs of one experiment
     * @param notes told, in words, what came back from each run
     * @param problems told, in words, of each run whose files could not be copied back, and why
     * @throws IOException if the runs folder cannot be listed
     */
    public void collectLeftBehind(List<PlannedRun> runs, java.util.function.Consumer<String> notes,
            java.util.function.Consumer<String> problems) throws IOException {
        Path folder = runs.isEmpty() ? null : workspace.runsDir(runs.get(0).spec().name());
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        List<Path> dirs;
        try (java.util.stream.Stream<Path> s = Files.list(folder)) {
            // every run of the experiment: what comes back can change which one a run resumes from
            dirs = s.filter(p -> Files.isRegularFile(p.resolve(RemoteRun.FILE))).sorted().toList();
        }
        for (Path p : dirs) {
            RunDirectory d = RunDirectory.open(p);
            RemoteRun remote;
            try {
                remote = RemoteRun.read(d);
                if (remote == null || remote.collected() || !ended(d)) {
                    continue;
                }
            } catch (IOException | RuntimeException e) {
                continue; // resumable() says what is wrong with it
            }
            org.da3.workbench.spec.TargetSpec ts;
            try {
                ts = Targets.collectFrom(workspace, d, remote, null);
            } catch (SpecException e) {
                problems.accept("run " + d.runId() + ": cannot copy back what it left on " + remote.address() + ": "
                        + e.getMessage() + "; give the target with 'da3 targets collect --target NAME "
                        + d.dir() + "'");
                continue;
            } catch (IllegalArgumentException e) {
                continue; // remote.json names this machine: nothing was left elsewhere
            }
            try {
                notes.accept("run " + d.runId() + ": " + Targets.collect(ts, d));
            } catch (IOException e) {
                problems.accept("run " + d.runId() + ": " + e.getMessage());
            }
        }
    }

    /** Whether a run's events say it ended (a run_finished), so no worker of it can still be watched. */
    private static boolean ended(RunDirectory d) throws IOException {
        boolean[] ended = {false};
        EventLog.forEachLine(d.eventsFile(), java.util.Set.of(EventTypes.nameOf(RunFinished.class)), w -> { },
                l -> ended[0] = true);
        return ended[0];
    }

    /** The epochs a resumption's checkpoint holds, 0 without one. */
    private static int epochs(ResumeFrom r) {
        return r.checkpoint() == null ? 0 : r.checkpoint().epoch();
    }

    /** The events {@link #finishedDomains} reads; a run's others (most of its log) are not decoded. */
    private static final java.util.Set<String> FINISHED_DOMAINS_TYPES = java.util.Set.of(
            EventTypes.nameOf(RunFinished.class), EventTypes.nameOf(DomainStarted.class),
            EventTypes.nameOf(CheckpointSaved.class), EventTypes.nameOf(EpochCheckpointSaved.class));

    /**
     * The domains a run finished whose patches are intact, in learning order, and the epoch
     * checkpoint of a domain it did not finish, when intact; none when it cannot be read (a folder
     * without events: cut off while its worker was being started); null when the run completed.
     */
    private static ResumeFrom finishedDomains(RunDirectory d, List<String> domains, int epochs,
            java.util.function.Consumer<String> warnings) {
        Map<String, String> shas = new LinkedHashMap<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        // the last epoch checkpoint written, of each domain
        Map<String, EpochCheckpointSaved> checkpoints = new LinkedHashMap<>();
        boolean[] completed = {false};
        try {
            EventLog.forEachLine(d.eventsFile(), FINISHED_DOMAINS_TYPES, w -> { }, line -> {
                Object e = line.envelope().event();
                if (e instanceof RunFinished f && RunFinished.COMPLETED.equals(f.status())) {
                    completed[0] = true;
                }
                if (e instanceof DomainStarted s && s.fingerprint() != null) {
                    fingerprints.put(s.domain(), s.fingerprint());
                }
                if (e instanceof CheckpointSaved c && c.sha256() != null && domains.contains(c.domain())) {
                    shas.put(c.domain(), c.sha256());
                }
                if (e instanceof EpochCheckpointSaved c && c.sha256() != null && domains.contains(c.domain())) {
                    checkpoints.remove(c.domain());
                    checkpoints.put(c.domain(), c);
                }
            });
            if (completed[0]) {
                return null;
            }
            Map<String, String> intact = new LinkedHashMap<>();
            Map<String, String> data = new LinkedHashMap<>();
            for (String domain : domains) {
                String sha = shas.get(domain);
                Path file = d.patchFile(domain);
                if (sha == null) {
                    continue;
                }
                String problem = RunDirectory.changedSince(file, sha);
                if (problem != null) {
                    warnings.accept("the saved patch of " + domain + " of run " + d.runId() + ", " + file + ", "
                            + problem + "; " + domain + " is trained again");
                    continue;
                }
                intact.put(domain, sha);
                if (fingerprints.containsKey(domain)) {
                    data.put(domain, fingerprints.get(domain));
                }
            }
            ResumeFrom.Checkpoint checkpoint = null;
            List<EpochCheckpointSaved> latestFirst = new ArrayList<>(checkpoints.values());
            java.util.Collections.reverse(latestFirst);
            for (EpochCheckpointSaved c : latestFirst) {
                if (shas.containsKey(c.domain()) || c.epoch() < 1 || c.epoch() >= epochs) {
                    continue; // finished since (its checkpoint was then removed), or not one of this spec's
                }
                Path file = d.checkpointFile(c.domain());
                String problem = RunDirectory.changedSince(file, c.sha256());
                if (problem != null) {
                    warnings.accept("the epoch " + c.epoch() + " checkpoint of " + c.domain() + " of run " + d.runId()
                            + ", " + file + ", " + problem + "; " + c.domain() + " trains from its first epoch");
                    break;
                }
                checkpoint = new ResumeFrom.Checkpoint(c.domain(), c.epoch(), epochs, c.sha256());
                if (fingerprints.containsKey(c.domain())) {
                    data.put(c.domain(), fingerprints.get(c.domain()));
                }
                break;
            }
            return new ResumeFrom(d.runId(), intact, data, checkpoint);
        } catch (IOException | RuntimeException e) {
            // not one to pick up from, but no reason to pass over the runs before it either
            return new ResumeFrom(d.runId(), Map.of());
        }
    }

    /**
     * The earlier run folders of each planned run: the same resolved spec ({@link #trained}) and, when
     * the spec names a weights file, the same weights; the latest first. A folder whose spec.yaml
     * cannot be read stands for no run, and {@code unreadable} is told so.
     */
    private Map<PlannedRun, List<RunDirectory>> earlier(List<PlannedRun> runs,
            java.util.function.Consumer<String> unreadable) throws IOException {
        Map<PlannedRun, List<RunDirectory>> out = new LinkedHashMap<>();
        if (runs.isEmpty()) {
            return out;
        }
        Path folder = workspace.runsDir(runs.get(0).spec().name());
        if (!Files.isDirectory(folder)) {
            return out;
        }
        List<Path> dirs;
        try (java.util.stream.Stream<Path> s = Files.list(folder)) {
            // run ids start with their time: name order is time order, the latest last
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        Path weights = weightsPath(runs.get(0).spec());
        String weightsSha = weights != null && Files.isRegularFile(weights) ? WorkerJar.sha256(weights) : null;
        if (weights != null && weightsSha == null) {
            return out; // no run can have used weights that are not there
        }
        // each run folder's spec once, the latest first
        Map<String, List<Path>> bySpec = new LinkedHashMap<>();
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path spec = dirs.get(i).resolve("spec.yaml");
            try {
                if (Files.isRegularFile(spec)) {
                    bySpec.computeIfAbsent(trained(Files.readString(spec)), k -> new ArrayList<>()).add(dirs.get(i));
                }
            } catch (IOException | RuntimeException e) {
                // a folder whose spec cannot be read stands for no run: said, since its run is then
                // neither skipped nor resumed
                unreadable.accept(spec + ": cannot be read (" + (e.getMessage() == null ? e.toString()
                        : e.getMessage().lines().findFirst().orElse("")) + "); that run is not taken to have"
                        + " completed or to be resumable");
            }
        }
        for (PlannedRun run : runs) {
            List<RunDirectory> same = new ArrayList<>();
            String key = trained(org.da3.workbench.spec.SpecWriter.toYaml(run.spec(), true));
            for (Path d : bySpec.getOrDefault(key, List.of())) {
                try {
                    if (weights == null || sameWeights(RunDirectory.open(d), weightsSha)) {
                        same.add(RunDirectory.open(d));
                    }
                } catch (IOException | RuntimeException e) {
                    // a run whose manifest cannot be read is not one to stand for a new run
                }
            }
            out.put(run, same);
        }
        return out;
    }

    /**
     * What of a run's spec.yaml decides what it trains: all of it but where it ran ({@code target})
     * and its {@code description}, so a sweep moved to another machine, or described anew, still
     * finds its runs.
     */
    private static String trained(String specYaml) {
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                org.da3.workbench.spec.YamlNodes.parse("spec.yaml", specYaml);
        tree.remove(List.of("target", "description"));
        return tree.toString();
    }

    private static boolean sameWeights(RunDirectory rd, String sha) throws IOException {
        if (sha == null) {
            return false;
        }
        if (Files.isRegularFile(rd.manifestFile())) {
            return sha.equals(EventCodec.JSON.readTree(rd.manifestFile().toFile()).path("weights_sha256").asText(null));
        }
        // cut off with the workbench (killed, crashed): no manifest.json, but the worker's run_started has the sha
        List<RunStarted> started = new ArrayList<>();
        if (Files.isRegularFile(rd.eventsFile())) {
            EventLog.forEachLine(rd.eventsFile(), java.util.Set.of(EventTypes.nameOf(RunStarted.class)), w -> { },
                    line -> started.add((RunStarted) line.envelope().event()));
        }
        return !started.isEmpty() && started.get(0).manifest() != null
                && sha.equals(started.get(0).manifest().get("weights_sha256"));
    }

    /**
     * The backbone weights a spec uses, as an absolute path, or null for random initialisation.
     *
     * @param spec the spec
     * @return the path
     */
    public Path weightsPath(ExperimentSpec spec) {
        String w = spec.backbone().weights();
        return w == null ? null : workspace.resolve(w);
    }

    /**
     * Builds the worker request of a run.
     *
     * @param run the run
     * @param dir its directory
     * @return the request (paths on this machine)
     */
    public WorkerRequest request(PlannedRun run, RunDirectory dir) {
        DatasetCatalog catalog = workspace.datasets();
        Map<String, JsonNode> ds = new LinkedHashMap<>();
        for (String d : run.spec().domains()) {
            DatasetDescriptor desc = catalog.descriptors().get(d);
            if (desc == null) {
                String why = catalog.problems().entrySet().stream()
                        .filter(e -> e.getKey().endsWith("/" + d + ".yaml")).map(Map.Entry::getValue).findFirst()
                        .orElse("no datasets/" + d + ".yaml");
                throw new SpecException("datasets/" + d + ".yaml", d, "cannot be used: " + why);
            }
            ds.put(d, desc.fields());
        }
        Path w = weightsPath(run.spec());
        return new WorkerRequest(dir.runId(), org.da3.workbench.spec.SpecWriter.toMap(run.spec(), true), ds,
                w == null ? null : w.toString(), dir.dir().toString()).resuming(run.resume());
    }

    /**
     * Checks that every run of a spec can start: domains described, weights present. Nothing is
     * written.
     *
     * @param spec the spec
     * @throws SpecException naming the field and the fix
     */
    public void check(ExperimentSpec spec) {
        DatasetCatalog catalog = workspace.datasets();
        for (int i = 0; i < spec.domains().size(); i++) {
            String d = spec.domains().get(i);
            if (!catalog.names().contains(d) && catalog.unusable().containsKey(d)) {
                throw new SpecException(spec.name(), "domains[" + i + "]", "domain '" + d + "' has no descriptor that"
                        + " can be used: " + catalog.unusable().get(d));
            }
            if (!catalog.names().contains(d)) {
                throw new SpecException(spec.name(), "domains[" + i + "]", "unknown domain '" + d
                        + "'; known domains (datasets/*.yaml): " + String.join(", ", catalog.names()));
            }
        }
        for (Path p = workspace.runsDir(spec.name()); p != null && !p.equals(workspace.root()); p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                // the runs would fail one by one on creating their folders
                throw new SpecException(spec.name(), "name", workspace.root().relativize(p) + " exists and is not a"
                        + " folder, so the runs of '" + spec.name() + "' cannot be stored; move that file or rename"
                        + " the experiment");
            }
        }
        Path w = weightsPath(spec);
        if (w != null && Files.exists(w)) {
            // a damaged or foreign file is refused here, before a run directory or a worker exists
            String problem;
            try {
                problem = org.da3.workbench.nn.Weights.problem(w, spec.backbone().name(), spec.backbone().width());
            } catch (java.io.IOException e) {
                problem = "cannot be read (" + e.getMessage() + ")";
            }
            if (problem != null) {
                throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights() + "' "
                        + problem);
            }
        }
        if (w != null && !Files.exists(w) && Files.isSymbolicLink(w)) {
            String to;
            try {
                to = Files.readSymbolicLink(w).toString();
            } catch (IOException e) {
                to = "a file";
            }
            throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights() + "' is a"
                    + " symbolic link to " + to + ", which does not exist; point the link (or the field) at the"
                    + " weights file");
        }
        if (w != null && !Files.isRegularFile(w) && Pretrainer.recipeFor(w) == null) {
            // a relative path is read from the workspace, which may not be the folder the user is in
            String where = Path.of(spec.backbone().weights()).isAbsolute() ? "" : " in the workspace "
                    + workspace.root();
            throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights()
                    + "' does not exist" + where + ", and no recipe "
                    + w.getFileName().toString().replaceFirst("\\.[^.]+$", ".yaml")
                    + " sits beside it to pretrain it; run 'da3 pretrain RECIPE.yaml' or remove the field");
        }
        if (w != null && !Files.isRegularFile(w) && !w.getFileName().toString().endsWith(".safetensors")) {
            // a recipe writes safetensors; pretraining into NAME.npz would write a file npz readers refuse
            throw new SpecException(spec.name(), "backbone.weights", "'" + spec.backbone().weights()
                    + "' does not exist; its recipe " + Pretrainer.recipeFor(w).getFileName() + " pretrains "
                    + Pretrainer.weightsFor(Pretrainer.recipeFor(w)).getFileName() + "; name that file instead");
        }
    }

    /**
     * Runs one planned run to its end on a target.
     *
     * @param run the run
     * @param target where it runs
     * @param monitor the monitor (keep it to stop the run)
     * @param listener receives the events
     * @return the run's record
     * @throws IOException if the run directory cannot be written or the worker not started
     */
    public RunRecord execute(PlannedRun run, Target target, RunMonitor monitor, RunMonitor.Listener listener)
            throws IOException {
        RunDirectory dir = RunDirectory.create(workspace, run.spec());
        return execute(run, dir, target, monitor, listener);
    }

    /**
     * Runs one planned run in a given directory.
     *
     * @param run the run
     * @param dir its directory (created)
     * @param target where it runs
     * @param monitor the monitor
     * @param listener receives the events
     * @return the run's record
     * @throws IOException if the worker cannot be started
     */
    public RunRecord execute(PlannedRun run, RunDirectory dir, Target target, RunMonitor monitor,
            RunMonitor.Listener listener) throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        RunMonitor.Listener recording = new RunMonitor.Listener() {
            @Override
            public void onEvent(Envelope e) {
                if (e.event() instanceof RunStarted) {
                    manifest.putAll(((RunStarted) e.event()).manifest());
                    manifest.put("target", target.describe());
                } else if (e.event() instanceof DomainStarted) {
                    DomainStarted d = (DomainStarted) e.event();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> fp = (Map<String, Object>) manifest.computeIfAbsent("dataset_fingerprints",
                            k -> new LinkedHashMap<String, Object>());
                    fp.put(d.domain(), d.fingerprint());
                } else if (e.event() instanceof RunFinished) {
                    manifest.put("status", ((RunFinished) e.event()).status());
                }
                listener.onEvent(e);
            }

            @Override
            public void onLog(String line) {
                listener.onLog(line);
            }
        };
        RunHandle h;
        WorkerRequest req;
        try {
            monitor.starting();
            try {
                // a descriptor that went missing since the spec was checked fails the run in its
                // events, as a worker that cannot start does, rather than leave a folder without them
                req = request(run, dir);
                if (run.resume() != null) {
                    Path from = workspace.runsDir(run.spec().name()).resolve(run.resume().run());
                    copyReused(run.resume(), RunDirectory.open(from), dir);
                }
                h = target.launch(req, dir);
            } finally {
                monitor.started();
            }
        } catch (IOException | RuntimeException e) {
            IOException cause = e instanceof IOException ? (IOException) e
                    : new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            monitor.watch(failedHandle(target, cause), dir, recording);
            return writeOutputs(dir, manifest);
        }
        monitor.watch(h, dir, recording);
        long watched = Files.isRegularFile(dir.eventsFile()) ? Files.size(dir.eventsFile()) : 0;
        try {
            target.collect(req, dir);
        } catch (IOException e) {
            listener.onWarning("could not copy the run's files back from " + target.describe() + ": " + e.getMessage());
        }
        // events a remote target copied back that never came through the stream (a lost connection)
        for (Envelope e : EventLog.readFrom(dir.eventsFile(), watched)) {
            recording.onEvent(e);
        }
        removeFinishedCheckpoints(dir);
        return writeOutputs(dir, manifest);
    }

    /**
     * Copies the patches a resumed run takes over, and the epoch checkpoint it continues from, into
     * its own folder (the worker checks them there).
     */
    private static void copyReused(ResumeFrom from, RunDirectory source, RunDirectory dir) throws IOException {
        for (String domain : from.patches().keySet()) {
            copy(source.patchFile(domain), dir.patchFile(domain), "the patch of domain " + domain, from);
        }
        if (from.checkpoint() != null) {
            String domain = from.checkpoint().domain();
            copy(source.checkpointFile(domain), dir.checkpointFile(domain), "the epoch checkpoint of domain " + domain,
                    from);
        }
    }

    /** Copies a file atomically (a temporary name in the destination folder, then a rename). */
    private static void copy(Path src, Path dst, String what, ResumeFrom from) throws IOException {
        Files.createDirectories(dst.getParent());
        Path tmp = Files.createTempFile(dst.getParent(), "." + dst.getFileName(), ".tmp");
        try {
            Files.copy(src, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, dst, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot copy " + what + " from run " + from.run() + " (" + src + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Removes the epoch checkpoints of the domains a run finished: a worker removes its own when it
     * saves a domain's patch, but the one a resumed run continued from was copied here, and a
     * remote worker's removal does not reach this folder.
     */
    private static void removeFinishedCheckpoints(RunDirectory dir) {
        if (!Files.isDirectory(dir.checkpointsDir())) {
            return;
        }
        try {
            List<String> finished = new ArrayList<>();
            EventLog.forEachLine(dir.eventsFile(), java.util.Set.of(EventTypes.nameOf(CheckpointSaved.class)),
                    w -> { }, line -> finished.add(((CheckpointSaved) line.envelope().event()).domain()));
            for (String domain : finished) {
                Files.deleteIfExists(dir.checkpointFile(domain));
            }
            Files.deleteIfExists(dir.checkpointsDir());
        } catch (IOException | RuntimeException e) {
            // a checkpoint left over is not read: the run's events say its domain finished
        }
    }

    /**
     * Writes a finished run's results.csv again from its events, and the status in its
     * manifest.json, after events were added to it later ({@code da3 targets collect} copying back
     * those a lost connection had kept from the workbench).
     *
     * @param dir the run directory
     * @return the run's record, as its events now say
     * @throws IOException if the files cannot be read or written
     */
    public static RunRecord refreshOutputs(RunDirectory dir) throws IOException {
        RunRecord r = RunRecord.read(dir.dir());
        ResultsCsv.write(r, dir.resultsFile());
        if (Files.isRegularFile(dir.manifestFile())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> manifest = EventCodec.JSON.readValue(dir.manifestFile().toFile(), LinkedHashMap.class);
            manifest.put("status", r.status());
            AtomicFiles.writeString(dir.manifestFile(),
                    EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
        }
        return r;
    }

    /** Writes a run's results.csv and manifest.json; returns its record, read from its events once for both. */
    private static RunRecord writeOutputs(RunDirectory dir, Map<String, Object> manifest) throws IOException {
        RunRecord r = RunRecord.read(dir.dir());
        ResultsCsv.write(r, dir.resultsFile());
        AtomicFiles.writeString(dir.manifestFile(),
                EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
        return r;
    }

    /** A handle for a worker that never started: its log says why, its stream is empty. */
    private static RunHandle failedHandle(Target target, IOException cause) {
        return new RunHandle() {
            @Override
            public java.io.InputStream events() {
                return java.io.InputStream.nullInputStream();
            }

            @Override
            public java.io.InputStream log() {
                return new java.io.ByteArrayInputStream(("could not start the worker: " + cause.getMessage() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void stop() {}

            @Override
            public int waitFor() {
                return -1;
            }

            @Override
            public String describe() {
                return "not started: " + cause.getMessage();
            }

            @Override
            public String failure() {
                return "could not start the worker on " + target.describe() + ": " + cause.getMessage();
            }
        };
    }
}
