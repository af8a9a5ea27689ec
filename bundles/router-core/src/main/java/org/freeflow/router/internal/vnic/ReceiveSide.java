package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.EVENT_QP_FATAL;
import static org.freeflow.fastpath.api.Verbs.WC_RECV;
import static org.freeflow.fastpath.api.Verbs.WC_WR_FLUSH_ERR;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.SpinLock;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.router.api.transport.Responder;

/**
 * The receive side of a QP: where its receives come from ({@link Receives}:
 * its own receive queue, or its shared receive queue), its receive CQ, and
 * its responder, which requesters call on whichever pollers serve them,
 * under this side's {@link #lock()}; the QP's own poller takes that lock to
 * flush.  A QP made with a shared receive queue takes its receives from that
 * one, under the SRQ's lock too ({@link Receives#lock()}); it never flushes
 * or discards them (they are the SRQ's).  XRC QPs have no receives; an XRC
 * initiator no responder either, an XRC target one that answers its
 * initiator by delivering into the SRQs of its XRC domain
 * ({@link #xrcResponder}).
 */
final class ReceiveSide {

    /** The QP its responders serve. */
    private final QueuePair qp;
    private final QpState state;
    /** The QP's number, which its flush completions carry. */
    private final int qpn;
    /** This QP's own receive queue (unused with an SRQ). */
    private final WorkQueueConsumer rq;
    /** The QP's ring memory, which {@link #rq}'s entries live in. */
    private final ByteBuffer shm;
    /** Where its receives come from (its own queue or its SRQ); null for XRC QPs, which have none. */
    private final Receives receives;
    /** The shared receive queue, or null. */
    private final SharedReceiveQueue srq;
    /** The CQ its receives complete on; null for XRC QPs. */
    private final CompletionQueue cq;
    /** XRC target: its domain; otherwise null. */
    private final XrcDomain.Opened xrcd;
    /** XRC target: a responder per SRQ of the domain it delivered into (created on pollers). */
    private final Map<SharedReceiveQueue, Responder> xrcResponders;
    /** Guards the receive queue and the responder's scratch state. */
    private final SpinLock lock = new SpinLock();
    private final Responder responder;

    ReceiveSide(QueuePair qp, QpState state, WorkQueueConsumer rq, QpResources on) {
        ConnectedService service = qp.service;
        this.qp = qp;
        this.state = state;
        this.qpn = qp.qpn;
        this.rq = rq;
        this.shm = rq.buffer();
        this.srq = on.srq();
        this.cq = on.recvCq();
        this.xrcd = on.xrcd();
        boolean xrc = service == ConnectedService.XRC_INI || service == ConnectedService.XRC_TGT;
        this.receives = xrc ? null
                : srq == null ? Receives.own(rq, shm, qp.pd, cq, qp.caps.maxRecvSge()) : Receives.shared(srq, cq);
        this.xrcResponders = service == ConnectedService.XRC_TGT ? new ConcurrentHashMap<>() : null;
        this.responder = service == ConnectedService.UD ? new UdResponder(qp, this, state, receives)
                : service == ConnectedService.XRC_INI ? null : new RcResponder(qp, this, state, receives, qp.pd);
    }

    /** What requesters deliver to: null for an XRC initiator, which nothing is delivered to. */
    Responder responder() {
        return responder;
    }

    /** Takes the receive lock: a responder's every operation, the QP's flush. */
    void lock() {
        lock.lock();
    }

    /** Takes the receive lock if it is free at once (a transport thread that must not wait). */
    boolean tryLock() {
        return lock.tryLock();
    }

    void unlock() {
        lock.unlock();
    }

    /** True when it has a receive queue of its own (not an SRQ's, and not an XRC QP). */
    boolean ownQueue() {
        return receives != null && srq == null;
    }

    /** Receives taken from its own queue so far (free-running). */
    int consumed() {
        return rq.consumed();
    }

    /**
     * A responder found {@code corrupt}'s ring corrupt (under its lock):
     * QP_FATAL for the QP's own queue; for an SRQ, SRQ_ERR on the SRQ (once)
     * and this QP to ERR.
     */
    void corrupted(Receives corrupt) {
        if (corrupt.srq == null) {
            state.enterErrorFromPeer(EVENT_QP_FATAL);
        } else {
            corrupt.srq.corrupted();
            state.enterErrorFromPeer();
        }
    }

    /**
     * An XRC target's responder for work addressed to SRQ {@code srqn} of its
     * domain, or null when the domain has none (or this is no target).  On
     * pollers; the domain's SRQs change only inside calls.
     */
    Responder xrcResponder(int srqn) {
        SharedReceiveQueue target = xrcd == null ? null : xrcd.domain.srq(srqn);
        if (target == null) {
            return null;
        }
        return xrcResponders.computeIfAbsent(target,
                s -> new RcResponder(qp, this, state, Receives.shared(s, s.cq), s.pd));
    }

    /** The XRC SRQ is being destroyed (inside a call): drop its responder. */
    void forgetXrcSrq(SharedReceiveQueue gone) {
        xrcResponders.remove(gone);
    }

    /** Back to RESET (inside a call): its own queue dropped without completions; an SRQ keeps its receives. */
    void reset() {
        if (ownQueue()) {
            rq.discardAll();
        }
    }

    /** True when receives wait in its own queue (a full CQ holds them in ERR). */
    boolean unflushed() {
        if (!ownQueue()) {
            return false;
        }
        lock.lock();
        try {
            return rq.available() != 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * In ERR (on the QP's poller): completes every receive of its own queue
     * with IBV_WC_WR_FLUSH_ERR, as far as the receive CQ has room; into a CQ
     * that overran (or that stays full past the QP's transport budget) it
     * discards them, as it does the receives of a corrupt queue.  Under the
     * receive lock: a peer's requester on another poller may be taking a
     * receive at that moment.  The receives of a shared receive queue belong
     * to the SRQ: a QP in ERR leaves them there.  True when something was
     * flushed.
     */
    boolean flush() {
        if (!ownQueue()) {
            return false;
        }
        lock.lock();
        try {
            int n = rq.available();
            if (rq.corrupt(n) || n > 0 && cq.overrun()) {
                rq.discardAll();
                return true;
            }
            boolean progress = false;
            while (n-- > 0 && cq.reserveFlush(qp)) {
                long wrId = shm.getLong(rq.head() + Abi.RecvWqe.WR_ID);
                rq.consume();
                cq.ring.post(wrId, WC_WR_FLUSH_ERR, WC_RECV, 0, 0, qpn, 0, 0, 0, false);
                progress = true;
            }
            return progress;
        } finally {
            lock.unlock();
        }
    }
}
