package org.freeflow.fastpath.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ordered accesses to the 32-bit little-endian words the FFL and the router
 * share in a direct buffer over shared memory: acquire loads and release
 * stores of the ring indices ({@code struct ff_ring_ctrl}), and the
 * sequentially consistent accesses of the doorbell and completion-event
 * protocols ({@code ff_router_shm.sleeping}, {@code ff_cq_shm.armed}).
 * Offsets must be 4-byte aligned.
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

    /** Loads the int at {@code offset}, sequentially consistent. */
    public static int loadVolatile(ByteBuffer shm, int offset) {
        return (int) INT.getVolatile(shm, offset);
    }

    /** Stores {@code value} at {@code offset}, sequentially consistent. */
    public static void storeVolatile(ByteBuffer shm, int offset, int value) {
        INT.setVolatile(shm, offset, value);
    }

    /** Atomically replaces {@code expected} by {@code value}; false when the word held something else. */
    public static boolean compareAndSet(ByteBuffer shm, int offset, int expected, int value) {
        return INT.compareAndSet(shm, offset, expected, value);
    }

    /** Atomically stores {@code value}; returns the previous value. */
    public static int getAndSet(ByteBuffer shm, int offset, int value) {
        return (int) INT.getAndSet(shm, offset, value);
    }

    /** Atomically ORs {@code bits} in; returns the previous value. */
    public static int getAndBitwiseOr(ByteBuffer shm, int offset, int bits) {
        return (int) INT.getAndBitwiseOr(shm, offset, bits);
    }

    /** Atomically ANDs {@code bits} in; returns the previous value. */
    public static int getAndBitwiseAnd(ByteBuffer shm, int offset, int bits) {
        return (int) INT.getAndBitwiseAnd(shm, offset, bits);
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
