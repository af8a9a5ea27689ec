package org.freeflow.transport.tcp.internal;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the responder's router knows of one requester connection: the next
 * PSN it executes, an acknowledgement it owes, the values the last
 * atomics read (for their duplicates) and which READs were answered on
 * which TCP connection, and the SEND or WRITE being placed from a socket straight
 * into its target ({@link #claim}).  Used under its own {@link #lock}.
 */
final class ResponderSession {

    /** Atomic results kept for duplicates: max_dest_rd_atomic. */
    private static final int ATOMICS_KEPT = 16;

    private final ReentrantLock lock = new ReentrantLock();
    final long connection;
    long expected;
    /** The connection whose placements claim the session ({@link #claims} of them), or null. */
    private Object claimedBy;
    private int claims;
    long ackDue = -1;
    private final long[] atomicPsns = new long[ATOMICS_KEPT];
    private final long[] atomicValues = new long[ATOMICS_KEPT];
    private int nextAtomic;
    /** The TCP connection (its executor) on which the READs [fetchedFrom, fetchedThrough] were answered. */
    private Object fetchedOn;
    private long fetchedFrom = -1;
    private long fetchedThrough = -1;

    ResponderSession(long connection) {
        this.connection = connection;
        Arrays.fill(atomicPsns, -1);
    }

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /**
     * True when a SEND or WRITE of {@code psn} coming in on connection {@code by} may claim the session, to be
     * read from the socket straight into the responder's memory: {@code psn} is the next PSN to execute, and
     * no placement claims the session, or ({@code chains}: a SEND) only placements of that same connection,
     * whose markers its own follows in order.
     */
    boolean mayClaim(Object by, long psn, boolean chains) {
        return psn == expected && (claims == 0 || chains && by == claimedBy);
    }

    /**
     * One more placement from connection {@code by} claims the session ({@link #mayClaim} said so).  While a
     * claim lasts, none of the session's requests is executed (from any connection).
     */
    void claim(Object by) {
        claimedBy = by;
        claims++;
    }

    /** True while a placement claims the session. */
    boolean claimed() {
        return claims > 0;
    }

    /** One placement's claim ends (it was executed in order, or given up); once per {@link #claim}. */
    void endClaim() {
        if (--claims == 0) {
            claimedBy = null;
        }
    }

    void keepAtomic(long psn, long value) {
        atomicPsns[nextAtomic] = psn;
        atomicValues[nextAtomic] = value;
        nextAtomic = (nextAtomic + 1) % ATOMICS_KEPT;
    }

    /** The answer to the READ {@code psn} was queued on the TCP connection {@code on}. */
    void fetched(Object on, long psn) {
        if (on == fetchedOn && psn == fetchedThrough + 1) {
            fetchedThrough = psn;
        } else if (on != fetchedOn || psn < fetchedFrom || psn > fetchedThrough) {
            fetchedOn = on;
            fetchedFrom = psn;
            fetchedThrough = psn;
        }
    }

    /**
     * True when the answer to the READ {@code psn} was queued on the TCP connection {@code on}: TCP
     * delivers it (before anything answered later), so a duplicate that came on the same connection
     * (its requester timed out meanwhile) needs no second answer.  After a reconnect, nothing was
     * answered on the new connection, and a duplicate is read again.
     */
    boolean answeredOn(Object on, long psn) {
        return on == fetchedOn && psn >= fetchedFrom && psn <= fetchedThrough;
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
