package org.da3.workbench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.da3.workbench.spec.MethodCatalog;
import org.da3.workbench.spec.MethodInfo;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.OptionDef;
import picocli.CommandLine.Command;

/** {@code da3 bench}: benchmarks, each method measured in its own worker JVM. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: training memory and speed per method, each in its own worker process.",
        subcommands = {BenchMemoryCommand.class, BenchSpeedCommand.class, BenchTorchvisionCheckCommand.class,
            BenchProbeCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Fails a probe that cannot train before it starts: with {@code --batch 1}, a method whose
     * BatchNorms use batch statistics and would see a 1x1 map (the spec loader refuses the same
     * step in a spec; the probe would fail with libtorch's message).
     *
     * @param ms the method
     * @param arch the backbone
     * @param width its width
     * @param imageSize the image side
     * @param batch the batch size
     * @throws java.io.IOException naming the method and the fix, as a failed probe's row shows it
     */
    static void checkCanTrain(MethodSpec ms, String arch, int width, int imageSize, int batch)
            throws java.io.IOException {
        if (batch > 1) {
            return;
        }
        org.da3.workbench.spec.BackboneSpec backbone = new org.da3.workbench.spec.BackboneSpec(arch, width, null);
        String problem = org.da3.workbench.spec.SpecLoader.oneImagePerStepProblem(ms, ms.displayLabel(), backbone,
                imageSize, "--image-size");
        if (problem != null) {
            throw new java.io.IOException(problem + "; use a --batch of at least 2, or "
                    + org.da3.workbench.spec.SpecLoader.smallestImage(ms, backbone, imageSize, "--image-size"));
        }
    }

    /**
     * A method as the benchmarks name it: a registered method, {@code da3-autograd}, or a method
     * with options after colons, such as {@code da3:micro_batch=16}. Each option is checked by the
     * method's catalogue entry, as in a spec.
     *
     * @param text the text
     * @param option the command-line option, for the error message
     * @return the method
     */
    static MethodSpec parseMethod(String text, String option) {
        if (text.equals("da3-autograd")) {
            return new MethodSpec("da3", Map.of("engine", "autograd"), "da3-autograd");
        }
        String[] parts = text.split(":");
        MethodInfo info = MethodCatalog.find(parts[0]);
        if (info == null) {
            throw new IllegalArgumentException(option + ": unknown method '" + parts[0] + "'; allowed: "
                    + String.join(", ", MethodCatalog.names()) + ", da3-autograd");
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(option + ": '" + parts[i] + "' in '" + text
                        + "' is not KEY=VALUE, for example da3:micro_batch=0");
            }
            String key = parts[i].substring(0, eq);
            OptionDef def = info.option(key);
            if (def == null) {
                throw new IllegalArgumentException(option + ": '" + key + "' is not an option of method '" + parts[0]
                        + "'; its options: " + String.join(", ", info.optionNames()));
            }
            try {
                opts.put(key, def.parse(parts[i].substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + parts[0] + " option " + key + ": " + e.getMessage());
            }
        }
        return opts.isEmpty() ? MethodSpec.of(parts[0]) : new MethodSpec(parts[0], opts, null);
    }
}
