package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.RecvWqe;
import org.freeflow.fastpath.api.WorkQueueConsumer;

/**
 * Where a responder takes receives from and completes them: a QP's own
 * receive queue, or a shared receive queue (a basic SRQ through a QP made
 * with it, completing on the QP's receive CQ; an XRC SRQ through a target
 * QP of its domain, completing on the SRQ's own CQ).  The PD is the one the
 * receives' lkeys are checked against.  {@link #lock()} takes the SRQ's lock
 * (inside the QP's receive lock); a QP's own queue needs no more than that.
 */
final class Receives {

    final WorkQueueConsumer rq;
    /** The buffer {@link #rq}'s entries live in. */
    final ByteBuffer shm;
    final ProtectionDomain pd;
    final CompletionQueue cq;
    /** The shared receive queue, or null for a QP's own queue. */
    final SharedReceiveQueue srq;
    /** SGEs a receive may have. */
    final int maxSge;

    private Receives(WorkQueueConsumer rq, ByteBuffer shm, ProtectionDomain pd, CompletionQueue cq,
            SharedReceiveQueue srq, int maxSge) {
        this.rq = rq;
        this.shm = shm;
        this.pd = pd;
        this.cq = cq;
        this.srq = srq;
        this.maxSge = maxSge;
    }

    /** A QP's own receive queue. */
    static Receives own(WorkQueueConsumer rq, ByteBuffer shm, ProtectionDomain pd, CompletionQueue cq, int maxSge) {
        return new Receives(rq, shm, pd, cq, null, maxSge);
    }

    /** The receives of {@code srq}, completing on {@code cq}. */
    static Receives shared(SharedReceiveQueue srq, CompletionQueue cq) {
        return new Receives(srq.rq, srq.shm, srq.pd, cq, srq, srq.maxSge);
    }

    void lock() {
        if (srq != null) {
            srq.lock.lock();
        }
    }

    void unlock() {
        if (srq != null) {
            srq.lock.unlock();
        }
    }

    /**
     * Reads the SGEs of the receive at {@code slot} into {@code scatter}, each checked against {@code table} in
     * this PD: IBV_WC_SUCCESS or the failing status ({@link ScatterList#load}).
     */
    int load(ScatterList scatter, int slot, MrTable table) {
        return scatter.load(shm, slot, shm.getInt(slot + RecvWqe.NUM_SGE), table, pd);
    }

    /** Releases the head receive (under {@link #lock()}). */
    void consume() {
        if (srq == null) {
            rq.consume();
        } else {
            srq.consume();
        }
    }
}
