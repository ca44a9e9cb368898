package org.da3.workbench.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DomainSource;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.data.files.LayoutProbe;
import org.da3.workbench.run.EventLog;
import org.da3.workbench.spec.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code da3 datasets}: the datasets of the workspace. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "List, check and add the datasets described in datasets/*.yaml.",
        subcommands = {DatasetsCommand.ListCommand.class, DatasetsCommand.CheckCommand.class,
            DatasetsCommand.AddCommand.class})
public final class DatasetsCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code da3 datasets add NAME FOLDER}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add an ImageFolder dataset (FOLDER/train/<class>/*.jpg, FOLDER/test/<class>/...):"
                + " writes datasets/NAME.yaml, as the GUI's Add ImageFolder does, and describes it."})
    public static final class AddCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption ws = new WorkspaceOption();

        @Parameters(index = "0", paramLabel = "NAME", description = "the dataset's name (letters, digits, '.', '_', '-')")
        private String name;

        @Parameters(index = "1", paramLabel = "FOLDER", description = "the folder that holds train/ and test/")
        private Path folder;

        @Override
        public Integer call() throws java.io.IOException {
            PrintWriter out = spec.commandLine().getOut();
            Workspace w = ws.workspace();
            Path file = DatasetCatalog.addImageFolder(w.datasetsDir(), name, folder, "da3 datasets add");
            DatasetDescriptor d = DatasetCatalog.read(file);
            DatasetInfo info = DomainSources.forKind(d.kind()).describe(d);
            out.println("added " + w.root().relativize(file) + " (imagefolder, " + info.location() + "): "
                    + CheckCommand.sizes(info));
            for (String p : info.problems()) {
                out.println("  - " + EventLog.oneLine(p, 0));
            }
            if (!info.problems().isEmpty()) {
                out.println("  fix these before training on it; da3 datasets check " + d.name() + " reads every image");
            }
            out.flush();
            return 0;
        }
    }

    /** {@code da3 datasets list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every dataset: name, kind, classes, sizes, found or missing.")
    public static final class ListCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption workspace = new WorkspaceOption();

        @Override
        public Integer call() {
            Workspace ws = workspace.workspace();
            DatasetCatalog cat = ws.datasets();
            List<String[]> rows = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            rows.add(new String[] {"name", "kind", "classes", "train", "test", "status", "location"});
            for (DatasetDescriptor d : cat.descriptors().values()) {
                DatasetInfo i = DomainSources.forKind(d.kind()).describe(d);
                rows.add(new String[] {d.name(), d.kind(), num(i.classes()), num(i.trainSize()), num(i.testSize()),
                    i.found() && i.problems().isEmpty() ? "found" : i.found() ? "problems" : "missing", i.location()});
                for (String p : i.problems()) {
                    notes.add(d.name() + ": " + p);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            TextTable.print(out, rows);
            for (String n : notes) {
                out.println(n);
            }
            for (Map.Entry<String, String> e : cat.problems().entrySet()) {
                out.println("unreadable: " + e.getValue());
            }
            out.flush();
            return 0;
        }

        private static String num(int n) {
            return n < 0 ? "?" : Integer.toString(n);
        }
    }

    /** {@code da3 datasets check NAME|PATH}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check a dataset thoroughly (every file read, every image decoded) and list every"
                + " problem found, not only the first.",
                "NAME is a dataset of datasets/*.yaml; PATH is a descriptor file or a dataset folder, whose"
                + " layout (idx, cifar, imagefolder, decathlon) is recognised from its files."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:no problems found", "2:problems found, or no such dataset or layout"})
    public static final class CheckCommand implements Callable<Integer> {

        @picocli.CommandLine.Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        private WorkspaceOption workspace = new WorkspaceOption();

        @Parameters(paramLabel = "NAME|PATH", description = "a dataset name, a descriptor file or a dataset folder")
        private String target;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<DatasetDescriptor> targets = resolve(target, workspace.workspace().datasets());
            int withProblems = 0;
            for (DatasetDescriptor d : targets) {
                DomainSource source = DomainSources.forKind(d.kind());
                DatasetInfo info = source.describe(d);
                List<String> problems = source.check(d);
                out.println(d.name() + " (" + d.kind() + ", " + info.location() + "): " + sizes(info));
                if (problems.isEmpty()) {
                    out.println("  ok: no problems found");
                } else {
                    withProblems++;
                    out.println("  " + problems.size() + (problems.size() == 1 ? " problem:" : " problems:"));
                    for (String p : problems) {
                        out.println("  - " + EventLog.oneLine(p, 0));
                    }
                }
                out.flush();
            }
            return withProblems == 0 ? 0 : org.da3.workbench.run.WorkerExit.BAD_INPUT;
        }

        /**
         * Finds what a NAME|PATH argument stands for.
         *
         * @param target the argument
         * @param catalog the workspace's datasets
         * @return the descriptors to check
         */
        static List<DatasetDescriptor> resolve(String target, DatasetCatalog catalog) {
            if (catalog.names().contains(target)) {
                return List.of(catalog.get(target));
            }
            for (Map.Entry<String, String> e : catalog.problems().entrySet()) {
                if (e.getKey().endsWith("/" + target + ".yaml") || e.getKey().endsWith("/" + target + ".yml")) {
                    throw new DatasetException(e.getValue());
                }
            }
            Path p;
            try {
                p = Path.of(target.startsWith("~/") ? System.getProperty("user.home") + target.substring(1) : target);
            } catch (InvalidPathException e) {
                p = null;
            }
            if (p != null && Files.exists(p)) {
                return LayoutProbe.infer(p);
            }
            boolean looksLikePath = target.contains("/") || target.contains(java.io.File.separator);
            throw new SpecException("datasets check", "NAME|PATH", "'" + target + "' is "
                    + (looksLikePath ? "not an existing path" : "neither a dataset of datasets/*.yaml nor an existing path")
                    + "; known datasets: " + (catalog.names().isEmpty() ? "none" : String.join(", ", catalog.names()))
                    + "; or give a dataset folder (" + LayoutProbe.ACCEPTED + ")");
        }

        static String sizes(DatasetInfo i) {
            if (i.trainSize() < 0 && i.testSize() < 0 && i.classes() < 0) {
                return "sizes unknown";
            }
            return num(i.trainSize()) + " training and " + num(i.testSize()) + " test images in " + num(i.classes())
                    + " classes";
        }

        private static String num(int n) {
            return n < 0 ? "?" : Integer.toString(n);
        }
    }
}
