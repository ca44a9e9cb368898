package org.da3.workbench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts DJL's PyTorch engine offline (natives from the Maven Central jar, never a download) and
 * checks it with a tiny gradient before any work starts.
 *
 * <p>To use another libtorch (a CUDA build, a Jetson's own), set {@code PYTORCH_LIBRARY_PATH} to
 * its {@code lib} folder and {@code PYTORCH_VERSION} to its version before starting; see README.
 */
public final class EngineSupport {
    private static volatile Map<String, Object> versions;

    private EngineSupport() {}

    /** Thrown when the engine cannot start or computes wrong gradients. */
    public static final class EngineUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EngineUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the engine once per JVM.
     *
     * @param threads intra-op threads (0: leave PyTorch's default, all cores)
     * @return engine versions: djl, pytorch, engine device
     */
    public static synchronized Map<String, Object> start(int threads) {
        if (versions != null) {
            return versions;
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | Error e) {
            throw new EngineUnavailableException("the PyTorch engine did not start: " + e.getMessage()
                    + ". The natives come from the pytorch-native-cpu jar for this OS/arch (built into"
                    + " da3-workbench.jar); for another libtorch set PYTORCH_LIBRARY_PATH (see README).", e);
        }
        checkGradient(engine);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("djl", Engine.getDjlVersion());
        v.put("engine", engine.getEngineName());
        v.put("pytorch", engine.getVersion());
        v.put("device", engine.defaultDevice().toString());
        v.put("gpus", engine.getGpuCount());
        versions = v;
        return v;
    }

    /**
     * Waits until the device has finished the work queued so far, where work is asynchronous (a
     * GPU), by reading one element of an array the last kernels wrote; on the CPU, where every
     * operation has finished when it returns, does nothing. Step timers call it before they stop,
     * so a GPU step is not measured short by the kernels still in flight.
     *
     * @param writtenArrays arrays the step's last operations wrote (the trained parameters); the
     *     first is read
     */
    public static void synchronize(java.util.Collection<NDArray> writtenArrays) {
        NDArray written = writtenArrays.isEmpty() ? null : writtenArrays.iterator().next();
        if (written != null && written.getDevice().isGpu()) {
            try (NDArray flat = written.reshape(-1); NDArray one = flat.get(0)) {
                one.getFloat();
            }
        }
    }

    private static void checkGradient(Engine engine) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray y = x.mul(x).sum();
                gc.backward(y);
            }
            float[] g = x.getGradient().toFloatArray();
            if (Math.abs(g[0] - 2f) > 1e-5 || Math.abs(g[1] + 4f) > 1e-5 || Math.abs(g[2] - 6f) > 1e-5) {
                throw new EngineUnavailableException("the engine's gradient check failed: d(x^2)/dx at"
                        + " (1, -2, 3) gave " + java.util.Arrays.toString(g) + " instead of (2, -4, 6)", null);
            }
        }
    }
}
