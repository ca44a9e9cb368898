package org.da3.workbench.method;

/** Packs booleans eight to a byte (LSB first) and back, for masks stored as bits. */
public final class Bits {
    private Bits() {}

    /**
     * Packs.
     *
     * @param bits one byte per value, 0 or non-zero
     * @return ceil(n / 8) bytes
     */
    public static byte[] pack(byte[] bits) {
        byte[] out = new byte[(bits.length + 7) / 8];
        for (int i = 0; i < bits.length; i++) {
            if (bits[i] != 0) {
                out[i >> 3] |= (byte) (1 << (i & 7));
            }
        }
        return out;
    }

    /**
     * Unpacks.
     *
     * @param packed the packed bytes
     * @param n the number of values
     * @return n values, 1 or 0
     */
    public static byte[] unpack(byte[] packed, int n) {
        if (packed.length < (n + 7) / 8) {
            throw new IllegalArgumentException("packed mask holds " + packed.length * 8L + " bits, need " + n);
        }
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ((packed[i >> 3] >> (i & 7)) & 1);
        }
        return out;
    }
}
