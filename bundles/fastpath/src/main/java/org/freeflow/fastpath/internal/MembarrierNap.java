package org.freeflow.fastpath.internal;

/**
 * How long a poller of a membarrier page naps before it pays for the
 * membarrier that makes a long sleep safe: {@link #NAPS_PER_MEMBARRIER}
 * times what its membarriers took lately, within {@link #MIN_NANOS} and
 * {@link #MAX_NANOS}.  The membarrier then costs at most about an eighth of
 * the idle time it follows, however slow this machine's cross-CPU
 * interrupts are (measured here: 0.4 us with the other CPU idle, 0.2 to
 * 1.7 ms with it busy in a registered process).  The nap is taken in
 * slices of {@link #SLICE_NANOS}, each followed by a look at the rings: a
 * post that raced the poller's announcement and did not ring waits at most
 * one slice (a poller that sleeps after every message meets such races
 * often).  Only its poller's thread uses it.
 */
final class MembarrierNap {

    static final long MIN_NANOS = 200_000L;
    static final long MAX_NANOS = 20_000_000L;
    static final int NAPS_PER_MEMBARRIER = 8;
    /** The longest part of a nap between two looks at the rings. */
    static final long SLICE_NANOS = 100_000L;

    private long membarrierNanos;

    /** The nap before the next membarrier. */
    long nanos() {
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, NAPS_PER_MEMBARRIER * membarrierNanos));
    }

    /** One membarrier took {@code nanos}: a moving average, a quarter weight to the newest. */
    void membarrierTook(long nanos) {
        membarrierNanos += (Math.max(0, nanos) - membarrierNanos) / 4;
    }
}
