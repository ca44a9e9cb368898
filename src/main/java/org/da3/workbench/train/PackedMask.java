package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import org.da3.workbench.method.Bits;

/**
 * A ReLU mask kept for the backward pass as packed bits in native memory: 1/32 of the float
 * activation it stands for (a bool tensor would be 1/4).
 */
final class PackedMask implements AutoCloseable {
    private final NDArray bits;
    private final Shape shape;

    private PackedMask(NDArray bits, Shape shape) {
        this.bits = bits;
        this.shape = shape;
    }

    /**
     * Packs {@code x > 0}.
     *
     * @param x the pre-activation
     * @param keep the manager that owns the packed bits
     * @return the mask
     */
    static PackedMask positive(NDArray x, NDManager keep) {
        byte[] flags;
        try (NDArray gt = x.gt(0)) {
            flags = gt.toByteArray();
        }
        byte[] packed = Bits.pack(flags);
        NDArray b = keep.create(ByteBuffer.wrap(packed), new Shape(packed.length), DataType.UINT8);
        return new PackedMask(b, x.getShape());
    }

    /** @return the bytes this mask keeps in native memory */
    long bytes() {
        return bits.size();
    }

    /** @return the shape of the activation */
    Shape shape() {
        return shape;
    }

    /**
     * Multiplies a gradient by the mask (the ReLU's backward).
     *
     * @param g the gradient of the ReLU output
     * @return g where the pre-activation was positive, 0 elsewhere
     */
    NDArray apply(NDArray g) {
        byte[] flags = Bits.unpack(bits.toByteArray(), (int) shape.size());
        try (NDArray m = g.getManager().create(ByteBuffer.wrap(flags), shape, DataType.BOOLEAN)) {
            return g.mul(m);
        }
    }

    @Override
    public void close() {
        bits.close();
    }
}
