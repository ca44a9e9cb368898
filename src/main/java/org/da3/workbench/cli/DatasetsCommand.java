package org.da3.workbench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.DomainSources;
import picocli.CommandLine.Command;

/** {@code da3 datasets}: the datasets of the workspace. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "List and check the datasets described in datasets/*.yaml.",
        subcommands = {DatasetsCommand.ListCommand.class})
public final class DatasetsCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code da3 datasets list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every dataset: name, kind, classes, sizes, found or missing.")
    public static final class ListCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            Workspace ws = Workspace.locate(null);
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
            int[] w = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int c = 0; c < r.length; c++) {
                    w[c] = Math.max(w[c], r[c].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int c = 0; c < r.length; c++) {
                    sb.append(String.format(Locale.ROOT, "%-" + w[c] + "s", r[c])).append(c < r.length - 1 ? "  " : "");
                }
                System.out.println(sb.toString().stripTrailing());
            }
            for (String n : notes) {
                System.out.println(n);
            }
            for (Map.Entry<String, String> e : cat.problems().entrySet()) {
                System.out.println("unreadable: " + e.getValue());
            }
            return 0;
        }

        private static String num(int n) {
            return n < 0 ? "?" : Integer.toString(n);
        }
    }
}
