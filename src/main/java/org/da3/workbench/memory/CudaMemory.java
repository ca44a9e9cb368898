package org.da3.workbench.memory;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.util.Optional;

/**
 * The memory of the GPU the engine trains on, when it trains on one: what the CUDA runtime reports
 * in use on the device ({@code cudaMemGetInfo}: total less free, read through DJL's {@link
 * CudaUtils}).
 *
 * <p>libtorch's caching allocator keeps the blocks a step frees reserved for the next step, and
 * gives them back only when its cache is emptied. So the reading right after {@link #resetPeak()}
 * (which empties the cache) is what is live, and a reading at the end of a phase that began with a
 * reset is the most the allocator reserved during it: its peak, rounded up to the allocator's
 * blocks. The device's other users (the CUDA context, other processes) are in every reading, so
 * subtract the idle baseline, as for RSS.
 *
 * <p>Not exercised on a GPU in this repository's tests: the machines that run them have none. On a
 * CPU engine {@link #ofEngine()} is empty and no {@code cuda} reading is made.
 */
public final class CudaMemory {
    private final Device device;

    private CudaMemory(Device device) {
        this.device = device;
    }

    /**
     * The reader for the engine's default device, if that is a GPU whose memory can be read.
     *
     * @return the reader, or empty on a CPU engine (or when the CUDA runtime cannot be asked)
     */
    public static Optional<CudaMemory> ofEngine() {
        Device d = Engine.getInstance().defaultDevice();
        if (!d.isGpu()) {
            return Optional.empty();
        }
        CudaMemory m = new CudaMemory(d);
        return m.used() >= 0 ? Optional.of(m) : Optional.empty();
    }

    /** @return the device, for example gpu(0) */
    public Device device() {
        return device;
    }

    /** @return bytes in use on the device now (live tensors and the allocator's cache), or -1 */
    public long used() {
        try {
            return CudaUtils.getGpuMemory(device).getUsed();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * Empties libtorch's cache of freed blocks, so that the next readings show the peak of the phase
     * that starts now.
     */
    public void resetPeak() {
        try {
            JniUtils.emptyCudaCache();
        } catch (RuntimeException | LinkageError e) {
            // an engine without CUDA support: nothing is cached
        }
    }

    /** @return the most reserved since the last {@link #resetPeak()}: the reading now, or -1 */
    public long peak() {
        return used();
    }
}
