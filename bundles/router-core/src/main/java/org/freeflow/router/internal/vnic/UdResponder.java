package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.freeflow.router.api.transport.Outcome.*;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.RecvWqe;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;

/**
 * The responder side of a local UD QP, called by requesters on their poller
 * threads.  A datagram whose Q_Key is this QP's, arriving in RTR, RTS, SQD
 * or SQE, lands in the next receive: the 40-byte GRH area first (the GRH
 * when the sender's address handle was global, IBV_WC_GRH; untouched
 * otherwise), then the payload; the completion carries byte_len (payload +
 * 40), src_qp, slid and sl.  Everything else (wrong Q_Key, no receive, a
 * receive too small, its CQ full, another state) is dropped, counted in
 * the QP's recvDropped only, and the QP stays as it is.  Its own faults (a receive with a bad lkey, a corrupt ring)
 * move it to ERR as on an HCA.  Connected operations are not for UD QPs:
 * {@link Outcome#NOT_READY}, as a packet nobody answers.  Every delivery
 * holds the receive-queue lock; the completion entry is reserved before the
 * receive is taken.
 */
final class UdResponder extends QueuePairResponder {

    private final Receives receives;
    private final ScatterList scatter;
    /** The wr_id of the receive {@link #take} released; under the QP's receive lock. */
    private long wrId;

    UdResponder(QueuePair qp, ReceiveSide receiveSide, QpState state, Receives receives) {
        super(qp, receiveSide, state);
        this.receives = receives;
        this.scatter = new ScatterList(receives.maxSge);
    }

    @Override
    public int minRnrTimer() {
        return 0;
    }

    @Override
    public boolean acceptsFrom(Destination requester) {
        return false;
    }

    /** As {@link RcResponder#receivesPosted()}: a transport holding a datagram knows when to offer it again. */
    @Override
    public long receivesPosted() {
        if (qp.destroyed() || receives.srq != null && receives.srq.destroyed()) {
            return RECEIVES_UNKNOWN;
        }
        return receives.rq.producerIndex();
    }

    @Override
    public Outcome send(Payload payload, Destination requester, boolean withImm, int immData) {
        return NOT_READY;
    }

    @Override
    public Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester, boolean withImm,
            int immData) {
        return NOT_READY;
    }

    @Override
    public Outcome read(Payload sink, long remoteAddr, int rkey, Destination requester) {
        return NOT_READY;
    }

    @Override
    public Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData,
            boolean solicited) {
        receiveSide.lock();
        try {
            Outcome outcome = accept(payload, datagram, withImm, immData, solicited);
            if (outcome != OK) {
                qp.counters().receiveDropped();
            }
            return outcome;
        } finally {
            receiveSide.unlock();
        }
    }

    /** Delivers the datagram into the next receive, or says why it is dropped; under the receive lock. */
    private Outcome accept(Payload payload, Datagram datagram, boolean withImm, int immData, boolean solicited) {
        if (!receiving() || datagram.qkey() != qp.attrs().qkey) {
            return DROPPED;
        }
        receives.lock();
        long wrId;
        try {
            Outcome taken = take(payload.length());
            if (taken != OK) {
                return taken;
            }
            wrId = this.wrId;
        } finally {
            receives.unlock();
        }
        return deliver(payload, datagram, wrId, withImm, immData, solicited);
    }

    private boolean receiving() {
        int s = state.current();
        return !qp.destroyed() && qp.vnic.portActive() && (s == QPS_RTR || s == QPS_RTS || s == QPS_SQD || s == QPS_SQE);
    }

    /**
     * Under the receive locks: reserves a completion entry, checks the head
     * receive's SGEs (held in {@link #scatter}) and its room for
     * {@code payloadLength} after the GRH area, and releases it, its wr_id in
     * {@link #wrId}.  A datagram it cannot take is dropped, the receive kept.
     */
    private Outcome take(long payloadLength) {
        WorkQueueConsumer rq = receives.rq;
        int n = rq.available();
        if (rq.corrupt(n)) {
            receiveSide.corrupted(receives);
            return DROPPED;
        }
        if (n == 0) {
            return RNR;
        }
        if (!receives.cq.ring.reserve()) {
            return BUSY;
        }
        int slot = rq.head();
        wrId = receives.shm.getLong(slot + RecvWqe.WR_ID);
        int status = receives.load(scatter, slot, qp.vnic.mrTable);
        if (status != WC_SUCCESS) {
            receives.consume();
            receives.cq.ring.post(wrId, status, WC_RECV, 0, 0, qp.qpn, 0, 0, 0, false);
            state.enterErrorFromPeer();
            return DROPPED;
        }
        if (Datagram.GRH_BYTES + payloadLength > scatter.capacity) {
            scatter.clear();
            receives.cq.ring.cancel();
            return DROPPED;
        }
        receives.consume();
        return OK;
    }

    /** Fills the receive {@link #take} released, whose completion entry is reserved. */
    private Outcome deliver(Payload payload, Datagram datagram, long wrId, boolean withImm, int immData,
            boolean solicited) {
        long length = Datagram.GRH_BYTES + payload.length();
        ByteBuffer grh = datagram.grh();
        if (grh != null) {
            MemoryCopier.scatter(grh, 0, Datagram.GRH_BYTES, scatter, 0);
        }
        MemoryCopier.scatter(payload, scatter, Datagram.GRH_BYTES);
        scatter.clear();
        Destination source = datagram.source();
        int wcFlags = (grh != null ? WC_GRH : 0) | (withImm ? WC_WITH_IMM : 0);
        receives.cq.ring.post(wrId, WC_SUCCESS, WC_RECV, (int) length, withImm ? immData : 0, qp.qpn, source.qpn(),
                wcFlags, source.lid(), datagram.serviceLevel(), solicited);
        qp.counters().received();
        return OK;
    }
}
