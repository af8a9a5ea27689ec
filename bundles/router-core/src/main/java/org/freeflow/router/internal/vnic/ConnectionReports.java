package org.freeflow.router.internal.vnic;

import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.lang.invoke.VarHandle;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Outcome;

/**
 * What a connection reported to its requester: the cumulative
 * acknowledgement, the last refusal and the data READs and atomics fetched,
 * written by the transport's thread,
 * taken by the requester's poller, which each report wakes.  One per
 * connection: reports of a connection the requester closed are ignored.
 */
final class ConnectionReports implements Acknowledgements {

    private static final VarHandle REFUSAL;
    private static final long NONE = -1;
    private static final Outcome[] OUTCOMES = Outcome.values();

    static {
        try {
            REFUSAL = MethodHandles.lookup().findVarHandle(ConnectionReports.class, "refusal", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final QueuePair qp;
    private volatile long acknowledged = NONE;
    /** The requester completed everything up to this PSN (written by its poller). */
    private volatile long completedThrough = NONE;
    /** psn << 16 | min_rnr_timer << 8 | outcome, or NONE; one value, so that a refusal is taken whole. */
    private volatile long refusal = NONE;
    private volatile boolean closed;
    /** How many times part of an answer arrived (one reporter at a time: no lost update). */
    private volatile int arrivals;
    /** READ data and atomic values, in sequence order. */
    private final Queue<Fetched> fetched = new ConcurrentLinkedQueue<>();

    private record Fetched(long psn, ByteBuffer data) {
    }

    /** {@link #takeFetched} of a READ whose data the transport wrote into its memory itself. */
    static final ByteBuffer PLACED = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** {@link #takeFetched} of a READ whose memory was deregistered while the transport wrote its data. */
    static final ByteBuffer PLACED_IN_PART = ByteBuffer.allocate(0).asReadOnlyBuffer();

    ConnectionReports(QueuePair qp) {
        this.qp = qp;
    }

    @Override
    public void acknowledged(long psn) {
        if (closed || psn <= acknowledged) {
            return;
        }
        acknowledged = psn; // one reporter at a time: no lost update
        qp.wakeRequester();
    }

    @Override
    public void fetched(long psn, ByteBuffer data) {
        if (closed || data == null) {
            return;
        }
        fetched.add(new Fetched(psn, data));
        acknowledged(psn);
    }

    @Override
    public void fetchedInPlace(long psn, boolean whole) {
        fetched(psn, whole ? PLACED : PLACED_IN_PART);
    }

    @Override
    public void arriving(long psn) {
        if (!closed) {
            arrivals++;
            qp.wakeRequester(); // its visit restarts the timer now, not when the old deadline comes
        }
    }

    @Override
    public boolean settled(long psn) {
        return closed || psn <= completedThrough;
    }

    /** The requester's poller: everything up to {@code psn} is completed (or failed). */
    void completedThrough(long psn) {
        if (psn > completedThrough) {
            completedThrough = psn;
        }
    }

    /** A figure that changes whenever part of an answer arrived. */
    int arrivals() {
        return arrivals;
    }

    @Override
    public void refused(long psn, Outcome outcome, int minRnrTimer) {
        if (closed || psn < 0 || outcome == null || outcome == Outcome.OK || outcome == Outcome.PENDING) {
            return;
        }
        if (psn - 1 > acknowledged) {
            acknowledged = psn - 1; // a refusal acknowledges what came before it
        }
        refusal = psn << 16 | (minRnrTimer & 0x1f) << 8 | outcome.ordinal();
        qp.wakeRequester();
    }

    /**
     * The data that arrived for the READ or atomic {@code psn} ({@link #PLACED} or
     * {@link #PLACED_IN_PART} when the transport wrote it into the READ's memory), or null while
     * none did; what came for earlier numbers (duplicates) is dropped.
     */
    ByteBuffer takeFetched(long psn) {
        Fetched f = fetched.peek();
        while (f != null && f.psn < psn) {
            fetched.poll();
            f = fetched.peek();
        }
        if (f == null || f.psn != psn) {
            return null;
        }
        fetched.poll();
        return f.data;
    }

    /** The highest sequence number acknowledged so far (-1: none). */
    long acknowledgedThrough() {
        return acknowledged;
    }

    /** The refusal's encoded value, or -1. */
    long refusal() {
        return refusal;
    }

    static long psnOf(long refusal) {
        return refusal >>> 16;
    }

    static Outcome outcomeOf(long refusal) {
        return OUTCOMES[(int) (refusal & 0xff)];
    }

    static int rnrTimerOf(long refusal) {
        return (int) (refusal >>> 8) & 0x1f;
    }

    /** Drops {@code taken}, unless a newer refusal replaced it meanwhile. */
    void clear(long taken) {
        REFUSAL.compareAndSet(this, taken, NONE);
    }

    /** A work request answered at once behind others outstanding: reported as the transport would. */
    void report(long psn, Outcome outcome, int minRnrTimer) {
        if (outcome == Outcome.OK) {
            acknowledged(psn);
        } else {
            refused(psn, outcome, minRnrTimer);
        }
    }

    /** The requester is done with the connection: later reports are ignored. */
    void close() {
        closed = true;
    }
}
