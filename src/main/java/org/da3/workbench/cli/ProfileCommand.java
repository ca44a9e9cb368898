package org.da3.workbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.memory.MemoryProfile;
import org.da3.workbench.memory.Profiler;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.TrainingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code da3 profile SPEC}: the analytic training memory of every method of a spec. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Analytic training memory per method of a spec.",
            "Gradients, optimizer state, what the forward keeps for the backward, and the workspace; per"
                + " layer with --layers. See docs/memory.md."})
public final class ProfileCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "the experiment spec")
    private Path specFile;

    @Option(names = "--layers", description = "also print the per-layer breakdown of each method")
    private boolean layers;

    @Option(names = {"-m", "--method"}, paramLabel = "LABEL", description = "profile only these methods (repeatable)")
    private List<String> only = new ArrayList<>();

    @Option(names = "--batch", paramLabel = "N", description = "batch size (default: the spec's)")
    private Integer batch;

    @Option(names = "--image-size", paramLabel = "PX", description = "image side (default: the spec's)")
    private Integer imageSize;

    @Option(names = "--open-ratio", paramLabel = "R", defaultValue = "1.0",
            description = "DA3 gate open ratio to assume (default: ${DEFAULT-VALUE}, gates open as at the start)")
    private double openRatio;

    @Override
    public Integer call() {
        if (batch != null) {
            Flags.wholeNumber("--batch", batch, 1, Flags.MAX_BATCH);
        }
        if (imageSize != null) {
            Flags.wholeNumber("--image-size", imageSize, 8, 1024);
        }
        Flags.ratio("--open-ratio", openRatio);
        Workspace ws = Workspace.locate(specFile);
        ExperimentSpec spec = MethodFilter.apply(ws.datasets().specLoader().load(specFile), only, specFile);
        TrainingSpec t = spec.training();
        int n = batch != null ? batch : t.batchSize();
        int size = imageSize != null ? imageSize : t.imageSize();
        int classes = 10;
        DatasetDescriptor first = ws.datasets().descriptors().get(spec.domains().get(0));
        if (first != null) {
            DatasetInfo info = DomainSources.forKind(first.kind()).describe(first);
            if (info.classes() > 0) {
                classes = info.classes();
            }
        }
        List<MemoryProfile> profiles = new ArrayList<>();
        for (MethodSpec m : spec.methods()) {
            profiles.add(Profiler.profile(spec.backbone().name(), spec.backbone().width(), m, classes, n, size,
                    t.optimizer(), t.momentum(), openRatio));
        }
        System.out.printf("Analytic training memory: %s-%d, batch %d, %d px, %d classes; step = above the idle"
                + " baseline (weights, patch and data excluded)%n", spec.backbone().name(), spec.backbone().width(), n,
                size, classes);
        System.out.print(Profiler.table(profiles));
        if (layers) {
            for (MemoryProfile p : profiles) {
                System.out.println();
                System.out.print(Profiler.layers(p));
            }
        }
        return 0;
    }
}
