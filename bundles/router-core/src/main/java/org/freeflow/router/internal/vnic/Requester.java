package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.SendWqe;

/**
 * The send queue of a QP on the poller thread that serves it: entries in
 * order, a budget per visit, completions in posting order that wait for room
 * in the send CQ (reserved, since QPs of other pollers may complete into it
 * too; a CQ that stays full past the QP's transport budget overruns, and the
 * completions meant for it are dropped), the rate limiter's tokens, and a
 * timer for the next entry.  A requester whose transport answers later
 * keeps several entries {@link #outstanding()}: they stay in the ring (the
 * application gets the slot back with the completion) and the next ones
 * start behind them.  What an entry does is the service's:
 * {@link RcRequester} (RC, UC, XRC), {@link UdRequester} (UD).
 * No allocation, no logging.
 */
abstract class Requester {

    private static final int BUDGET = 16;

    final QueuePair qp;
    /** The send queue it runs and the CQ its entries complete on. */
    final SendSide send;
    /** The QP's state: whether its send queue is open, and ERR when an entry fails. */
    final QpState state;
    /** The QP's ring memory, which the entries are read from. */
    final ByteBuffer shm;
    final GatherList gather;
    private boolean waiting;
    private long wakeAt;
    private boolean tokensTaken;
    private boolean pending;
    private long pendingWrId;
    private int pendingStatus;
    private int pendingOpcode;
    private int pendingLength;

    Requester(QueuePair qp, SendSide send, QpState state) {
        this.qp = qp;
        this.send = send;
        this.state = state;
        this.shm = send.ring();
        this.gather = new GatherList(shm, send.maxInlineData(), send.maxSge(), qp.vnic.mrTable, qp.pd);
    }

    /**
     * Starts the entry after those outstanding (the head when none is); true
     * when it finished or is outstanding now, false when it waits.  Checks
     * what every service checks (its opcodes; lkeys, PD, bounds and access;
     * the length; the rate limiter), then hands the entry, its payload
     * gathered, to {@link #transmit}.  An entry that fails a check completes
     * in error once it is the head: completions keep the posting order.
     */
    private boolean executeNext(long now) {
        int ahead = outstanding();
        int slot = send.slot(ahead);
        long wrId = shm.getLong(slot + SendWqe.WR_ID);
        int opcode = shm.getInt(slot + SendWqe.OPCODE);
        int flags = shm.getInt(slot + SendWqe.SEND_FLAGS);
        int wcOpcode = RcRequester.completionOpcode(opcode);
        if (!qp.service.supports(opcode)) {
            return ahead == 0 && finish(wrId, wcOpcode < 0 ? WC_SEND : wcOpcode, WC_LOC_QP_OP_ERR, 0, flags);
        }
        int status = gather.load(slot, opcode, flags);
        long length = gather.length();
        if (status == WC_SUCCESS) {
            status = checkLength(length);
        }
        if (status != WC_SUCCESS) {
            gather.clear();
            return ahead == 0 && finish(wrId, wcOpcode, status, 0, flags);
        }
        if (!takeTokens(length, now)) {
            gather.clear();
            return false;
        }
        return transmit(slot, wrId, opcode, wcOpcode, flags, length, now);
    }

    /** IBV_WC_SUCCESS when a message of {@code length} bytes may go, else its error status. */
    int checkLength(long length) {
        return WC_SUCCESS;
    }

    /**
     * Sends the checked entry at {@code slot}, the next after those
     * outstanding, whose payload is in {@link #gather} (cleared by the time
     * this returns); true when the entry finished or is outstanding now,
     * false when it waits.
     */
    abstract boolean transmit(int slot, long wrId, int opcode, int wcOpcode, int flags, long length, long now);

    /** Entries started and not finished yet, from the head on: 0 for a transport that answers at once. */
    int outstanding() {
        return 0;
    }

    /**
     * Completes, in order from the head, the outstanding entries whose
     * outcome the transport reported meanwhile, and acts on a timeout of the
     * head; true when something finished or changed.  The default: nothing
     * is ever outstanding.
     */
    boolean completeOutstanding(long now) {
        return false;
    }

    /** When the head entry times out if no outcome comes before ({@link System#nanoTime()}), or never. */
    long outstandingDeadline() {
        return Long.MAX_VALUE;
    }

    /** An entry completed in error: the QP enters ERR, nothing more is outstanding. */
    void failed() {
    }

    /**
     * The QP is in ERR (on its poller): what is outstanding is given up (the
     * flush completes it) and no report about it is taken any more.
     */
    void abandon() {
    }

    /** The peer's address changed: resolve it again before the next attempt. */
    abstract void peerChanged();

    /**
     * The QP was addressed to its peer (ibv_modify_qp, inside a call): a
     * requester that keeps a connection opens it now, as an HCA resolves
     * its path at RTR, so that the first work request does not wait for
     * the transport to find the peer (that wait would count against its
     * timeout).  The default: nothing to open.
     */
    void connectEarly() {
    }

    /**
     * One visit in RTS (or SQD, while draining): up to {@link #BUDGET} entries.  Unsignaled entries
     * are released to the FFL together at the end of the visit (or before the
     * next completion is posted), not one by one; the transport is told to
     * send what the visit posted ({@link #endVisit}).
     */
    boolean run(long now) {
        try {
            return runEntries(now);
        } finally {
            send.publish();
            endVisit();
        }
    }

    /** The visit is over: what it handed to a transport goes out now.  The default: nothing is held. */
    void endVisit() {
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
            progress |= completeOutstanding(now);
            if (pending) {
                continue;
            }
            int ahead = outstanding();
            if (!state.sendQueueOpen(ahead)) {
                return progress;
            }
            int n = ahead == 0 ? send.available() : send.posted();
            if (send.corrupt(n)) {
                state.enterError(EVENT_QP_FATAL);
                return true;
            }
            if (n <= ahead) {
                return progress;
            }
            if (waiting && now - wakeAt < 0 && !retryNow()) {
                return progress;
            }
            waiting = false;
            if (ahead == 0 && !send.completionRoom()) {
                return sendCqFull() || progress;
            }
            if (!executeNext(now)) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    /**
     * The send CQ has no room: true when it overran (the QP is in ERR now and
     * its flush discards), false while it is back-pressure.
     */
    private boolean sendCqFull() {
        if (send.reserveCompletion()) {
            send.cancelCompletion(); // the hint was stale: there is room after all
            return false;
        }
        return send.completionQueueOverran();
    }

    /**
     * Writes a completion the CQ had no room for; false while it still has
     * none.  When the CQ overran, the completion is dropped (with its slot).
     */
    boolean completePending() {
        if (!pending) {
            return true;
        }
        if (!send.reserveCompletion()) {
            if (!send.completionQueueOverran()) {
                return false;
            }
            send.dropHead();
            pending = false;
            return true;
        }
        send.completeHead(pendingWrId, pendingStatus, pendingOpcode, pendingLength);
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
    private boolean takeTokens(long length, long now) {
        if (!tokensTaken) {
            long wait = send.acquireTokens(length, now);
            if (wait > 0) {
                sleepUntil(now + wait);
                return false;
            }
            tokensTaken = true;
        }
        return true;
    }

    /**
     * True when the waiting head entry may be tried before {@link #wakeAt()}
     * because what it waits for happened (the default: never).
     */
    boolean retryNow() {
        return false;
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
            state.enterError();
            failed();
        }
        if (failed || send.signaled(flags)) {
            if (!send.reserveCompletion()) {
                pending = true;
                pendingWrId = wrId;
                pendingStatus = status;
                pendingOpcode = wcOpcode;
                pendingLength = length;
                return true;
            }
            send.completeHead(wrId, status, wcOpcode, length);
            return true;
        }
        send.passHead();
        return true;
    }

    /** A new attempt of the head entry starts from scratch. */
    void resetAttempt() {
        waiting = false;
        tokensTaken = false;
    }
}
