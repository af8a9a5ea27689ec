package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

/**
 * The send queue of a QP on the poller thread that serves it: entries in
 * order, a budget per visit, completions that wait for room in the send CQ
 * (reserved, since QPs of other pollers may complete into it too), the
 * rate limiter's tokens, and a timer for the head entry.  What an entry does
 * is the service's: {@link RcRequester} (RC, UC), {@link UdRequester} (UD).
 * No allocation, no logging.
 */
abstract class Requester {

    private static final int BUDGET = 16;

    final QueuePair qp;
    final GatherList gather;
    private boolean waiting;
    private long wakeAt;
    private boolean tokensTaken;
    private boolean pending;
    private long pendingWrId;
    private int pendingStatus;
    private int pendingOpcode;
    private int pendingLength;

    Requester(QueuePair qp) {
        this.qp = qp;
        this.gather = new GatherList(qp.shm.duplicate());
    }

    /** Executes the head entry; true when it finished, false when it waits. */
    abstract boolean executeHead(long now);

    /** The peer's address changed: resolve it again before the next attempt. */
    abstract void peerChanged();

    /**
     * One visit in RTS: up to {@link #BUDGET} entries.  Unsignaled entries
     * are released to the FFL together at the end of the visit (or before the
     * next completion is posted), not one by one.
     */
    boolean run(long now) {
        try {
            return runEntries(now);
        } finally {
            qp.sq.publish();
        }
    }

    private boolean runEntries(long now) {
        boolean progress = false;
        for (int budget = BUDGET; budget > 0; budget--) {
            if (pending) {
                if (!completePending()) {
                    return progress;
                }
                progress = true;
            }
            if (qp.state() != QPS_RTS) {
                return progress;
            }
            int n = qp.sq.available();
            if (n == 0) {
                return progress;
            }
            if (qp.sq.corrupt(n)) {
                qp.enterError();
                return true;
            }
            if (waiting && now - wakeAt < 0) {
                return progress;
            }
            waiting = false;
            if (!qp.sendCq.ring.hasRoom() || !executeHead(now)) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    /** Writes a completion the CQ had no room for; false while it still has none. */
    boolean completePending() {
        if (!pending) {
            return true;
        }
        if (!qp.sendCq.ring.reserve()) {
            return false;
        }
        qp.sq.consume();
        qp.sendCq.ring.post(pendingWrId, pendingStatus, pendingOpcode, pendingLength, 0, qp.qpn, 0, 0, 0, false);
        pending = false;
        return true;
    }

    /** A completion waits for room in the send CQ. */
    boolean pending() {
        return pending;
    }

    /** The head entry waits for a retry timer or the rate limiter, until {@link #wakeAt()}. */
    boolean waiting() {
        return waiting;
    }

    /** When the waiting head entry is tried again ({@link System#nanoTime()}). */
    long wakeAt() {
        return wakeAt;
    }

    /** Drops the attempt in progress and the cached responder (RESET). */
    void forget() {
        pending = false;
        peerChanged();
        resetAttempt();
    }

    /**
     * True when the rate limiter lets {@code length} bytes go now (tokens are
     * taken once per entry); otherwise the head entry waits for them.
     */
    boolean takeTokens(long length, long now) {
        if (!tokensTaken) {
            long wait = qp.limiter.tryAcquire(length, now);
            if (wait > 0) {
                sleepUntil(now + wait);
                return false;
            }
            tokensTaken = true;
        }
        return true;
    }

    boolean sleepUntil(long at) {
        waiting = true;
        wakeAt = at;
        return false;
    }

    /**
     * Releases the head entry's slot, then completes it (if signaled or
     * failed): an application that sees the completion may reuse the slot.
     */
    boolean finish(long wrId, int wcOpcode, int status, int length, int flags) {
        resetAttempt();
        boolean failed = status != WC_SUCCESS;
        if (failed) {
            qp.enterError();
        }
        if (failed || qp.sqSigAll || (flags & SEND_SIGNALED) != 0) {
            if (!qp.sendCq.ring.reserve()) {
                pending = true;
                pendingWrId = wrId;
                pendingStatus = status;
                pendingOpcode = wcOpcode;
                pendingLength = length;
                return true;
            }
            qp.sq.consume();
            qp.sendCq.ring.post(wrId, status, wcOpcode, length, 0, qp.qpn, 0, 0, 0, false);
            return true;
        }
        qp.sq.advance();
        return true;
    }

    /** A new attempt of the head entry starts from scratch. */
    void resetAttempt() {
        waiting = false;
        tokensTaken = false;
    }
}
