package org.da3.workbench.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import org.da3.workbench.train.EngineSupport;
import org.junit.jupiter.api.Test;

/**
 * Device memory is read exactly when the engine trains on a GPU. On a CPU engine (this project's
 * CI) there is no reader; on a GPU the reading must see a 64 MB tensor come and, once the cache is
 * emptied, go.
 */
class CudaMemoryTest {

    @Test
    void readsTheGpuOnlyWhenTheEngineTrainsOnOne() {
        EngineSupport.start(0);
        Optional<CudaMemory> cuda = CudaMemory.ofEngine();
        boolean gpu = Engine.getInstance().defaultDevice().isGpu();
        assertThat(cuda.isPresent()).as("a reader exactly when the default device is a GPU").isEqualTo(gpu);
        if (!gpu) {
            return;
        }
        CudaMemory m = cuda.get();
        m.resetPeak();
        long before = m.used();
        long size = 64L << 20;
        try (NDManager nd = NDManager.newBaseManager(m.device())) {
            NDArray x = nd.ones(new Shape(size / 4));
            assertThat(x.sum().getFloat()).isEqualTo(size / 4f);
            assertThat(m.peak() - before).as("the tensor on the device").isGreaterThanOrEqualTo(size);
        }
        m.resetPeak();
        assertThat(m.used() - before).as("after the tensor was freed and the cache emptied").isLessThan(size);
    }
}
