package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.EVENT_SRQ_ERR;
import static org.freeflow.fastpath.api.Verbs.EVENT_SRQ_LIMIT_REACHED;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.SpinLock;
import org.freeflow.fastpath.api.SrqRingLayout;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.MappedRegion;

/**
 * A shared receive queue: a router-made memfd ring of receive WQEs the FFL
 * produces, which the responders of every QP created with it consume, on
 * whichever pollers serve their peers.  {@link #lock} guards the ring and
 * the limit; it nests inside a QP's receive lock and outside the CQs'
 * (receive queue, SRQ, CQ).  The control thread arms the limit and counts
 * the QPs that use it.  An XRC SRQ belongs to an XRC domain instead: no QP
 * is made with it; the target QPs of its domain deliver into it by its
 * number, and its receives complete on its own CQ.
 */
final class SharedReceiveQueue extends InUse {

    final int handle;
    /** Its SRQ number (ibv_get_srq_num), unique in the container. */
    final int srqn;
    final ProtectionDomain pd;
    /** XRC: the domain as its context opened it; null for a basic SRQ. */
    final XrcDomain.Opened xrcd;
    /** XRC: the CQ its receives complete on; null for a basic SRQ (its QPs' receive CQs). */
    final CompletionQueue cq;
    final int maxSge;
    final SrqRingLayout layout;
    final ByteBuffer shm;
    final WorkQueueConsumer rq;
    final SpinLock lock = new SpinLock();
    private final MappedRegion mapping;
    private final AsyncEventQueue events;
    /** Armed limit, 0 when disarmed; under {@link #lock}. */
    private int limit;
    /** SRQ_ERR raised (a corrupt ring); under {@link #lock}. */
    private boolean failed;
    /** Set in the poller call that removes it, before its ring is unmapped: a round after it sees it. */
    private boolean destroyed;

    SharedReceiveQueue(int handle, int srqn, ProtectionDomain pd, XrcDomain.Opened xrcd, CompletionQueue cq, int maxSge,
            SrqRingLayout layout, MappedRegion mapping, AsyncEventQueue events) {
        this.handle = handle;
        this.srqn = srqn;
        this.pd = pd;
        this.xrcd = xrcd;
        this.cq = cq;
        this.maxSge = maxSge;
        this.layout = layout;
        this.mapping = mapping;
        this.shm = mapping.chunk(0);
        layout.initialize(shm);
        this.rq = layout.receiveQueue(shm);
        this.events = events;
    }

    /** Receives the queue holds at most. */
    int maxWr() {
        return layout.slots();
    }

    /**
     * Releases the head receive (under {@link #lock}); when the limit is
     * armed and fewer than it stay posted, raises SRQ_LIMIT_REACHED once and
     * disarms.
     */
    void consume() {
        rq.consume();
        if (limit != 0 && Integer.compareUnsigned(rq.posted(), limit) < 0) {
            limit = 0;
            events.raise(new AsyncEventQueue.Event(EVENT_SRQ_LIMIT_REACHED, Abi.ASYNC_SRQ, handle));
        }
    }

    /**
     * The FFL claims more receives than the ring holds (under {@link #lock}):
     * IBV_EVENT_SRQ_ERR, once; each QP that finds it so goes to ERR.
     */
    void corrupted() {
        if (!failed) {
            failed = true;
            events.raise(new AsyncEventQueue.Event(EVENT_SRQ_ERR, Abi.ASYNC_SRQ, handle));
        }
    }

    /** ibv_modify_srq with IBV_SRQ_LIMIT: 0 disarms, otherwise arms (at most max_wr). */
    void arm(int newLimit) {
        checkLimit(newLimit, maxWr());
        lock.lock();
        try {
            limit = newLimit;
        } finally {
            lock.unlock();
        }
    }

    /** EINVAL unless 0 ≤ {@code limit} ≤ {@code maxWr}. */
    static void checkLimit(int limit, int maxWr) {
        if (limit < 0 || limit > maxWr) {
            throw new VerbsException(Errno.EINVAL, "srq_limit " + Integer.toUnsignedString(limit)
                    + " beyond max_wr " + maxWr);
        }
    }

    /** The armed limit, 0 when disarmed. */
    int limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    /** Inside the poller call of its destruction: from the next round on nothing may read its ring. */
    void markDestroyed() {
        destroyed = true;
    }

    /** {@link #markDestroyed()} was called: the ring is unmapped or about to be. */
    boolean destroyed() {
        return destroyed;
    }

    /** Unmaps the ring; only once no QP and no poller round references it. */
    void unmap() {
        mapping.close();
    }

    @Override
    public String toString() {
        return (xrcd == null ? "SRQ " : "XRC SRQ ") + srqn;
    }
}
