package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.WC_RECV;
import static org.freeflow.fastpath.api.Verbs.WC_WR_FLUSH_ERR;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.WorkQueueConsumer;

/**
 * A QP in ERR completes every queued and newly posted work request, send and
 * receive, with IBV_WC_WR_FLUSH_ERR, as far as its CQs have room; into a CQ
 * that overran (or that stays full past the QP's transport budget) it
 * discards them.  The
 * receive queue is flushed under its lock: a peer's requester on another
 * poller may be taking a receive at that moment.  The receives of a shared
 * receive queue belong to the SRQ: a QP in ERR leaves them there.  XRC QPs
 * have no receive queue.
 */
final class QueueFlusher {

    private final QueuePair qp;
    private final SendSide send;

    QueueFlusher(QueuePair qp, SendSide send) {
        this.qp = qp;
        this.send = send;
    }

    boolean flush() {
        boolean progress = send.completionPending();
        if (!send.completePending()) {
            return false;
        }
        progress |= send.flush();
        return flushReceive() || progress;
    }

    /** True when entries wait in either queue (a full CQ holds them). */
    boolean unflushed() {
        if (send.unflushed()) {
            return true;
        }
        if (qp.receives == null || qp.srq != null) {
            return false;
        }
        qp.rqLock.lock();
        try {
            return qp.rq.available() != 0;
        } finally {
            qp.rqLock.unlock();
        }
    }

    private boolean flushReceive() {
        if (qp.receives == null || qp.srq != null) {
            return false;
        }
        qp.rqLock.lock();
        try {
            WorkQueueConsumer rq = qp.rq;
            int n = rq.available();
            if (rq.corrupt(n) || n > 0 && qp.recvCq.overrun()) {
                rq.discardAll();
                return true;
            }
            boolean progress = false;
            while (n-- > 0 && qp.recvCq.reserveFlush(qp)) {
                long wrId = qp.shm.getLong(rq.head() + Abi.RecvWqe.WR_ID);
                rq.consume();
                qp.recvCq.ring.post(wrId, WC_WR_FLUSH_ERR, WC_RECV, 0, 0, qp.qpn, 0, 0, 0, false);
                progress = true;
            }
            return progress;
        } finally {
            qp.rqLock.unlock();
        }
    }
}
