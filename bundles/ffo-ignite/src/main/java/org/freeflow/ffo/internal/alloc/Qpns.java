package org.freeflow.ffo.internal.alloc;

/**
 * Queue-pair numbers: 24 bits, 0 and 1 reserved (QP0/QP1, the special QPs).
 * Cluster-wide values come from a sequence; this maps its values onto 2..0xFFFFFF,
 * wrapping around after 2^24 - 2 allocations.
 */
public final class Qpns {

    /** First ordinary QPN. */
    public static final int MIN = 2;
    /** Largest QPN (24 bits). */
    public static final int MAX = 0xFF_FFFF;

    private Qpns() {
    }

    /** The QPN for sequence value {@code value} (sequences start at {@link #MIN}). */
    public static int fromSequence(long value) {
        return (int) (MIN + Math.floorMod(value - MIN, (long) MAX - MIN + 1));
    }
}
