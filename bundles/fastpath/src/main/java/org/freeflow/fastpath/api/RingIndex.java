package org.freeflow.fastpath.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Acquire loads and release stores of the 32-bit little-endian ring indices
 * ({@code struct ff_ring_ctrl}) in a direct buffer over shared memory.
 */
public final class RingIndex {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private RingIndex() {
    }

    /** Loads the int at {@code offset} with acquire semantics. */
    public static int loadAcquire(ByteBuffer shm, int offset) {
        return (int) INT.getAcquire(shm, offset);
    }

    /** Stores {@code value} at {@code offset} with release semantics. */
    public static void storeRelease(ByteBuffer shm, int offset, int value) {
        INT.setRelease(shm, offset, value);
    }

    /** True when {@code n} is a power of two between 1 and 2^30. */
    public static boolean isPowerOfTwo(int n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** The smallest power of two ≥ {@code n} (n ≥ 1, result ≤ 2^30). */
    public static int ceilPowerOfTwo(int n) {
        if (n <= 1) {
            return 1;
        }
        return Integer.highestOneBit(n - 1) << 1;
    }
}
