package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.SEND_SIGNALED;
import static org.freeflow.fastpath.api.Verbs.WC_WR_FLUSH_ERR;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.qos.api.RateLimiter;

/**
 * The send side of a QP, on the poller thread that serves it (its send queue
 * is its poller's alone): the send queue, the CQ its sends complete on, its
 * rate limiter, sq_sig_all, what an entry may carry, and the requester that
 * runs the queue, {@link RcRequester} (RC, UC, XRC initiators) or
 * {@link UdRequester} (UD).  The requester takes entries, releases their
 * slots and completes them through this; in ERR it is flushed
 * ({@link #flush()}).  An XRC target has one that never runs: no send CQ, no
 * poller.
 */
final class SendSide {

    private final QueuePair qp;
    /** The QP's number, which its completions carry. */
    private final int qpn;
    private final WorkQueueConsumer sq;
    /** The QP's ring memory, which the send queue's entries live in. */
    private final ByteBuffer shm;
    /** Where its entries complete; null for an XRC target. */
    private final CompletionQueue cq;
    private final RateLimiter limiter;
    /** sq_sig_all: every entry completes, signaled or not. */
    private final boolean signalsAll;
    /** Inline bytes an entry may carry: max_inline_data, as far as a slot holds them. */
    private final int maxInlineData;
    /** SGEs an entry may have: max_send_sge, as far as a slot holds them. */
    private final int maxSge;
    private final Requester requester;

    SendSide(QueuePair qp, QpState state, WorkQueueConsumer sq, CompletionQueue cq, RateLimiter limiter,
            boolean signalsAll) {
        this.qp = qp;
        this.qpn = qp.qpn;
        this.sq = sq;
        this.shm = sq.buffer();
        this.cq = cq;
        this.limiter = limiter;
        this.signalsAll = signalsAll;
        this.maxInlineData = Math.min(qp.caps.maxInlineData(), qp.layout.inlineCapacity());
        this.maxSge = Math.min(qp.caps.maxSendSge(), qp.layout.sendSgeCapacity());
        this.requester = qp.service == ConnectedService.UD ? new UdRequester(qp, this, state)
                : new RcRequester(qp, this, state);
    }

    /** One visit in RTS (or SQD, while draining): {@link Requester#run}. */
    boolean run(long now) {
        return requester.run(now);
    }

    /** A completion waits for room in the send CQ. */
    boolean completionPending() {
        return requester.pending();
    }

    /** {@link Requester#completePending}: false while the send CQ still has no room for it. */
    boolean completePending() {
        return requester.completePending();
    }

    /** The QP is in ERR (on its poller): {@link Requester#abandon}. */
    void abandon() {
        requester.abandon();
    }

    /** The head entry waits for a retry timer or the rate limiter, until {@link #wakeAt()}. */
    boolean waiting() {
        return requester.waiting();
    }

    /** When the waiting head entry is tried again ({@link System#nanoTime()}). */
    long wakeAt() {
        return requester.wakeAt();
    }

    /** Entries started and not finished yet, from the head on: 0 for a transport that answers at once. */
    int outstanding() {
        return requester.outstanding();
    }

    /** When the head entry times out if no outcome comes before ({@link System#nanoTime()}), or never. */
    long outstandingDeadline() {
        return requester.outstandingDeadline();
    }

    /** The peer's address changed: the requester resolves it again before the next attempt. */
    void peerChanged() {
        requester.peerChanged();
    }

    /** Addressed to its peer: {@link Requester#connectEarly}. */
    void connectEarly() {
        requester.connectEarly();
    }

    /** Drops the attempt in progress and the cached responder: {@link Requester#forget}. */
    void forget() {
        requester.forget();
    }

    /** Back to RESET (inside a call): the queue dropped without completions, the requester's attempt too. */
    void reset() {
        sq.discardAll();
        requester.forget();
    }

    /** sq_sig_all, as ibv_query_qp reports it. */
    boolean signalsAll() {
        return signalsAll;
    }

    /** The QP's ring memory, which the send queue's entries are read from (absolute gets only). */
    ByteBuffer ring() {
        return shm;
    }

    /** Inline bytes an entry may carry. */
    int maxInlineData() {
        return maxInlineData;
    }

    /** SGEs an entry may have. */
    int maxSge() {
        return maxSge;
    }

    /** Slots of the send queue. */
    int slots() {
        return sq.slots();
    }

    /** Offset in {@link #ring()} of the head entry, the oldest not released. */
    int head() {
        return sq.head();
    }

    /** Offset in {@link #ring()} of the entry {@code ahead} places after the head (0: the head). */
    int slot(int ahead) {
        return sq.slot(ahead);
    }

    /** Entries posted and not released ({@link WorkQueueConsumer#available()}: at least one when there is any). */
    int available() {
        return sq.available();
    }

    /** Entries posted and not released, from a fresh look at the producer index: an exact count. */
    int posted() {
        return sq.posted();
    }

    /** Entries released so far (free-running). */
    int consumed() {
        return sq.consumed();
    }

    /** True when the FFL claims more than {@code available} entries the queue can hold: a corrupt queue. */
    boolean corrupt(int available) {
        return sq.corrupt(available);
    }

    /** Releases the entries passed ({@link #passHead()}) to the FFL together. */
    void publish() {
        sq.publish();
    }

    /** True when the entry at the head completes although it succeeded: sq_sig_all, or IBV_SEND_SIGNALED. */
    boolean signaled(int flags) {
        return signalsAll || (flags & SEND_SIGNALED) != 0;
    }

    /** Asks the rate limiter to let {@code bytes} go now: 0 when they may (tokens taken), else the wait. */
    long acquireTokens(long bytes, long now) {
        return limiter.tryAcquire(bytes, now);
    }

    /** A hint that the send CQ has room (no reservation). */
    boolean completionRoom() {
        return cq.ring.hasRoom();
    }

    /** Reserves an entry in the send CQ for a completion; false when it is full. */
    boolean reserveCompletion() {
        return cq.ring.reserve();
    }

    /** Gives back the entry {@link #reserveCompletion()} reserved. */
    void cancelCompletion() {
        cq.ring.cancel();
    }

    /** The send CQ is full: true when it overran ({@link CompletionQueue#overrunFor}; the QP is in ERR then). */
    boolean completionQueueOverran() {
        return cq.overrunFor(qp);
    }

    /**
     * Releases the head entry's slot, then writes its completion into the
     * entry reserved for it: an application that sees the completion may
     * reuse the slot.
     */
    void completeHead(long wrId, int status, int wcOpcode, int length) {
        sq.consume();
        cq.ring.post(wrId, status, wcOpcode, length, 0, qpn, 0, 0, 0, false);
    }

    /** Releases the head entry's slot without its completion (the CQ overran: the completion is dropped). */
    void dropHead() {
        sq.consume();
    }

    /** Moves past the finished unsignaled head entry; its slot is released at {@link #publish()}. */
    void passHead() {
        sq.advance();
    }

    /** True when entries wait in the send queue (a full CQ holds them in ERR). */
    boolean unflushed() {
        return sq.available() != 0;
    }

    /**
     * In ERR (on its poller): completes every queued and newly posted entry
     * with IBV_WC_WR_FLUSH_ERR, as far as the send CQ has room; into a CQ
     * that overran (or that stays full past the QP's transport budget) it
     * discards them, as it does the entries of a corrupt queue.  True when
     * something was flushed.
     */
    boolean flush() {
        int n = sq.available();
        if (sq.corrupt(n) || n > 0 && cq.overrun()) {
            sq.discardAll();
            return true;
        }
        boolean progress = false;
        while (n-- > 0 && cq.reserveFlush(qp)) {
            int slot = sq.head();
            int opcode = RcRequester.completionOpcode(shm.getInt(slot + Abi.SendWqe.OPCODE));
            long wrId = shm.getLong(slot + Abi.SendWqe.WR_ID);
            sq.consume();
            cq.ring.post(wrId, WC_WR_FLUSH_ERR, Math.max(opcode, 0), 0, 0, qpn, 0, 0, 0, false);
            progress = true;
        }
        return progress;
    }
}
