package org.freeflow.transport.tcp.internal;

import java.util.Arrays;

/**
 * What the accepting router knows of one requester connection: the next
 * PSN it executes, an acknowledgement it owes, and the values the last
 * atomics read (for their duplicates).  Used under its own lock.
 */
final class ResponderSession {

    /** Atomic results kept for duplicates: max_dest_rd_atomic. */
    private static final int ATOMICS_KEPT = 16;

    final long connection;
    long expected;
    long ackDue = -1;
    private final long[] atomicPsns = new long[ATOMICS_KEPT];
    private final long[] atomicValues = new long[ATOMICS_KEPT];
    private int nextAtomic;

    ResponderSession(long connection) {
        this.connection = connection;
        Arrays.fill(atomicPsns, -1);
    }

    void keepAtomic(long psn, long value) {
        atomicPsns[nextAtomic] = psn;
        atomicValues[nextAtomic] = value;
        nextAtomic = (nextAtomic + 1) % ATOMICS_KEPT;
    }

    /** The value the atomic {@code psn} read, or null when it is not kept (any more). */
    Long atomicValue(long psn) {
        for (int i = 0; i < ATOMICS_KEPT; i++) {
            if (atomicPsns[i] == psn) {
                return atomicValues[i];
            }
        }
        return null;
    }
}
