package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A ReLU mask kept for the backward pass as packed bits in native memory: 1/32 of the float
 * activation it stands for (a bool tensor would be 1/4).
 *
 * <p>Packing and unpacking are tensor operations on reinterpreted memory, three passes each:
 *
 * <ul>
 *   <li>pack: the bool tensor (one byte per value, 0 or 1) is viewed as int64 words of eight
 *       values and multiplied by {@code 0x0102040810204080}; every partial product lands on its own
 *       bit, so there are no carries, and the word's top byte is then the eight values packed,
 *       first value in the lowest bit;
 *   <li>unpack: each packed byte indexes a 256-entry int64 table whose words hold the eight values
 *       as bytes; the gathered words, viewed as bytes of 0 or 1, are the mask.
 * </ul>
 *
 * Nothing passes through Java arrays (DJL backs tensors made from Java data with direct buffers
 * freed only at garbage collection). Needs a little-endian platform (x86-64, AArch64).
 */
final class PackedMask implements AutoCloseable {
    private static final long GATHER = 0x0102040810204080L;
    private final NDArray bits;
    /** The activation's shape (N, C, H, W). */
    private final Shape shape;
    /** Whether the bits follow a channels-last activation's memory (NHWC order). */
    private final boolean channelsLast;

    private PackedMask(NDArray bits, Shape shape, boolean channelsLast) {
        this.bits = bits;
        this.shape = shape;
        this.channelsLast = channelsLast;
    }

    /** The byte-to-bits table. */
    static final class Codec implements AutoCloseable {
        private final NDArray table;

        /**
         * Creates the codec's table.
         *
         * @param m its owner
         */
        Codec(NDManager m) {
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new IllegalStateException("packed masks need a little-endian platform");
            }
            long[] t = new long[256];
            for (int v = 0; v < 256; v++) {
                long w = 0;
                for (int k = 0; k < 8; k++) {
                    w |= (long) ((v >> k) & 1) << (8 * k);
                }
                t[v] = w;
            }
            table = m.create(t);
        }

        @Override
        public void close() {
            table.close();
        }
    }

    /**
     * A tensor of another type over the same memory (no copy). The source must be contiguous and
     * stay open while the view is used.
     */
    private static NDArray view(NDArray src, Shape shape, DataType type) {
        ByteBuffer b = src.toByteBuffer(true);
        return src.getManager().create(b, shape, type);
    }

    /**
     * Packs a ReLU's mask from its output: {@code y != 0}, which is {@code x > 0} for {@code y =
     * relu(x)}. Reading the output rather than comparing the input: libtorch converts a float
     * tensor to bool about five times faster than it compares one with 0 (0.03 against 0.15 ms for
     * 8 x 64 x 32 x 32).
     *
     * @param codec the table
     * @param y the ReLU's output
     * @param keep the manager that owns the packed bits
     * @return the mask
     */
    static PackedMask ofRelu(Codec codec, NDArray y, NDManager keep) {
        return ofRelu(codec, y, keep, false);
    }

    /**
     * Packs a ReLU's mask from its output, in the order of the output's memory: NCHW, or NHWC for
     * a channels-last output (a (N, C, H, W) array whose memory is NHWC, as {@link
     * org.da3.workbench.nn.Ops#channelsLast} makes). Packing in memory order reads the output
     * without a reorder, and {@link #applyInPlace} then hands the gradient a mask of its own
     * layout (mixing layouts in one elementwise op is several times slower).
     *
     * @param codec the table
     * @param y the ReLU's output, (N, C, H, W)
     * @param keep the manager that owns the packed bits
     * @param channelsLast whether {@code y} is channels-last (then so must the gradients be)
     * @return the mask
     */
    static PackedMask ofRelu(Codec codec, NDArray y, NDManager keep, boolean channelsLast) {
        long n = y.size();
        long words = (n + 7) / 8;
        NDArray packed;
        // the NHWC permutation of a channels-last array is a contiguous view of its memory
        try (NDArray ordered = channelsLast ? y.transpose(0, 2, 3, 1) : null;
                NDArray gt = (channelsLast ? ordered : y).toType(DataType.BOOLEAN, false)) {
            NDArray flat = gt;
            if (n % 8 != 0) {
                try (NDArray r = gt.reshape(n); NDArray z = gt.getManager().zeros(new Shape(words * 8 - n), DataType.BOOLEAN)) {
                    flat = NDArrays.concat(new NDList(r, z));
                }
            }
            try (NDArray w = view(flat, new Shape(words), DataType.INT64); NDArray prod = w.mul(GATHER);
                    NDArray bytes = view(prod, new Shape(words, 8), DataType.UINT8); NDArray top = bytes.get(":, 7")) {
                packed = top.duplicate();
            }
            if (flat != gt) {
                flat.close();
            }
        }
        packed.attach(keep);
        return new PackedMask(packed, y.getShape(), channelsLast);
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
     * The mask as a bool tensor of the activation's shape.
     *
     * @param codec the table
     * @return the mask (the caller closes it)
     */
    NDArray unpack(Codec codec) {
        return withMask(codec, v -> v.toType(DataType.BOOLEAN, true));
    }

    /**
     * Multiplies a gradient by the mask (the ReLU's backward).
     *
     * @param codec the table
     * @param g the gradient of the ReLU output
     * @return g where the pre-activation was positive, 0 elsewhere
     */
    NDArray apply(Codec codec, NDArray g) {
        return withMask(codec, g::mul);
    }

    /**
     * Multiplies a gradient by the mask in place (the ReLU's backward without a new array).
     *
     * @param codec the table
     * @param g the gradient of the ReLU output, of the activation's shape and memory layout
     *     (contiguous, or channels-last for a channels-last mask); becomes 0 where the
     *     pre-activation was not positive
     */
    void applyInPlace(Codec codec, NDArray g) {
        withMask(codec, g::muli);
    }

    /**
     * Unpacks the mask as a byte view (0 or 1) over the gathered table words and hands it to
     * {@code use}. The view lives only while the words do, so it is used inside this scope and
     * closed after. Bytes rather than bools: libtorch multiplies a float tensor by a uint8 one
     * about four times faster than by a bool one (0.04 against 0.19 ms for 8 x 64 x 32 x 32).
     */
    private NDArray withMask(Codec codec, java.util.function.UnaryOperator<NDArray> use) {
        long n = shape.size();
        long words = bits.size();
        Shape stored = channelsLast ? new Shape(shape.get(0), shape.get(2), shape.get(3), shape.get(1)) : shape;
        try (NDArray idx = bits.toType(DataType.INT64, false); NDArray w = codec.table.get(idx);
                NDArray all = view(w, new Shape(words * 8), DataType.UINT8);
                NDArray cut = words * 8 == n ? all.reshape(stored) : all.get("0:" + n);
                NDArray mask = cut.reshape(stored);
                NDArray logical = channelsLast ? mask.transpose(0, 3, 1, 2) : null) {
            return use.apply(channelsLast ? logical : mask);
        }
    }

    @Override
    public void close() {
        bits.close();
    }
}
