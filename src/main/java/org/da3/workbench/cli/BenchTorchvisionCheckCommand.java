package org.da3.workbench.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.da3.workbench.nn.Adaptation;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.nn.Weights;
import org.da3.workbench.spec.BackboneSpec;
import org.da3.workbench.train.EngineSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code da3 bench torchvision-check FILE}: imports a file written by {@code
 * bench/export_torchvision.py --check} and compares the workbench's pooled features with
 * torchvision's on the stored input.
 */
@Command(name = "torchvision-check", mixinStandardHelpOptions = true,
        description = {"Compare the workbench's ResNet with torchvision's on the same weights and input.",
            "Imports a state dict exported by bench/export_torchvision.py --check and compares pooled"
                + " features on its stored input."})
public final class BenchTorchvisionCheckCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the exported .npz or .safetensors")
    private Path file;

    @Option(names = "--arch", required = true, description = "resnet18 or resnet50")
    private String arch;

    @Option(names = "--width", defaultValue = "64", description = "backbone width (default: ${DEFAULT-VALUE}, torchvision's)")
    private int width;

    @Override
    public Integer call() throws Exception {
        // bad input is refused before the engine starts, as bad input (exit 2), not as a failed check
        if (!BackboneSpec.NAMES.contains(arch)) {
            throw new IllegalArgumentException("--arch " + arch + ": unknown backbone; allowed: "
                    + String.join(", ", BackboneSpec.NAMES));
        }
        if (width < 4 || width > 512) {
            throw new IllegalArgumentException("--width " + width + ": out of range; allowed: 4 to 512 (64 for"
                    + " torchvision's networks)");
        }
        String problem = Weights.formatProblem(file);
        if (problem != null) {
            throw new IllegalArgumentException(file + ": " + problem);
        }
        EngineSupport.start(0);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Weights.load(file, m);
            NDArray input = tensors.remove("check.input");
            NDArray expected = tensors.remove("check.features");
            if (input == null || expected == null) {
                throw new IllegalArgumentException(file + ": no check.input/check.features; export with --check");
            }
            if (input.getShape().dimension() != 4 || input.getShape().get(1) != 3) {
                throw new IllegalArgumentException(file + ": check.input has the shape " + input.getShape()
                        + "; it is a batch of RGB images (N, 3, H, W), as bench/export_torchvision.py --check writes");
            }
            ResNet net = ResNet.create(arch, width);
            if (expected.size() != input.getShape().get(0) * net.featureDim()) {
                throw new IllegalArgumentException(file + ": check.features has the shape " + expected.getShape()
                        + ", but " + arch + " width " + width + " gives " + input.getShape().get(0) + " x "
                        + net.featureDim() + " features for check.input; check --arch and --width");
            }
            net.allocate(m, 0);
            Weights.importInto(net, tensors, file.toString());
            float[] ours = net.features(input, Adaptation.NONE, false).toFloatArray();
            float[] theirs = expected.toFloatArray();
            double maxAbs = 0;
            double scale = 0;
            for (int i = 0; i < ours.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(ours[i] - theirs[i]));
                scale = Math.max(scale, Math.abs(theirs[i]));
            }
            double rel = maxAbs / Math.max(scale, 1e-12);
            System.out.printf("%s: %d features (max |feature| %.3g), max |difference| %.3g, relative %.3g: %s%n", arch,
                    ours.length, scale, maxAbs, rel, rel < 1e-4 && scale > 0 ? "match" : "MISMATCH");
            return rel < 1e-4 && scale > 0 ? 0 : 1;
        }
    }
}
