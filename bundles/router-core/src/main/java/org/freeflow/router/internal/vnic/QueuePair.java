package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.QPS_ERR;
import static org.freeflow.fastpath.api.Verbs.QPS_RESET;
import static org.freeflow.fastpath.api.Verbs.QPS_RTS;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.QpRingLayout;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.qos.api.RateLimiter;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Responder;

/**
 * A reliable-connected queue pair.  Its rings live in a router-made memfd the
 * FFL maps too.  While its state is not RESET it is a poll target: in RTS the
 * requester runs its send queue, in ERR the flusher completes everything with
 * IBV_WC_WR_FLUSH_ERR.  Its state, attributes, peer and counters are written
 * on the poller thread only.
 */
final class QueuePair implements PollTarget {

    final int handle;
    final int qpn;
    final int type;
    final boolean sqSigAll;
    final VirtualNic vnic;
    final ProtectionDomain pd;
    final CompletionQueue sendCq;
    final CompletionQueue recvCq;
    final QpCaps caps;
    final QpRingLayout layout;
    final ByteBuffer shm;
    final WorkQueueConsumer sq;
    final WorkQueueConsumer rq;
    final RateLimiter limiter;
    final TransportRegistry transports;
    /** This QP's address as responders see it. */
    final Destination self;
    final RcRequester requester;
    final RcResponder responder;
    final QueueFlusher flusher;
    private final MappedRegion ringMapping;

    QpAttributes attrs = new QpAttributes();
    Destination peer;
    boolean destroyed;
    long sendWrs;
    long recvWrs;
    long bytesSent;
    private volatile int state = QPS_RESET;

    QueuePair(int handle, int qpn, VirtualNic vnic, ProtectionDomain pd, CompletionQueue sendCq,
            CompletionQueue recvCq, QpCaps caps, boolean sqSigAll, QpRingLayout layout, MappedRegion ringMapping,
            RateLimiter limiter, TransportRegistry transports) {
        this.handle = handle;
        this.qpn = qpn;
        this.type = org.freeflow.fastpath.api.Verbs.QPT_RC;
        this.vnic = vnic;
        this.pd = pd;
        this.sendCq = sendCq;
        this.recvCq = recvCq;
        this.caps = caps;
        this.sqSigAll = sqSigAll;
        this.layout = layout;
        this.ringMapping = ringMapping;
        this.shm = ringMapping.chunk(0);
        layout.initialize(shm, qpn, QPS_RESET);
        this.sq = layout.sendQueue(shm);
        this.rq = layout.receiveQueue(shm);
        this.limiter = limiter;
        this.transports = transports;
        this.self = new Destination(vnic.lid(), vnic.gid(), qpn);
        this.requester = new RcRequester(this);
        this.responder = new RcResponder(this);
        this.flusher = new QueueFlusher(this);
    }

    @Override
    public boolean poll(long nowNanos) {
        int s = state;
        if (s == QPS_RTS) {
            return requester.run(nowNanos);
        }
        if (s == QPS_ERR) {
            return flusher.flush();
        }
        return requester.completePending();
    }

    int state() {
        return state;
    }

    /** Sets the state and mirrors it into ff_qp_shm.state for the FFL. */
    void setState(int next) {
        state = next;
        RingIndex.storeRelease(shm, Abi.QpShm.STATE, next);
    }

    /** An error completion or a responder fault: the QP stops and flushes. */
    void enterError() {
        setState(QPS_ERR);
    }

    /** Back to RESET: both queues dropped without completions, no peer. */
    void reset() {
        sq.discardAll();
        rq.discardAll();
        requester.forget();
        attrs = new QpAttributes();
        peer = null;
        setState(QPS_RESET);
    }

    /** The responder this QP is connected to, or null when none resolves. */
    Responder resolvePeer() {
        Destination p = peer;
        return p == null ? null : transports.resolve(p);
    }

    /** Unmaps the rings; only after the poller dropped the QP. */
    void unmap() {
        ringMapping.close();
    }

    QueuePairView view() {
        Destination p = peer;
        return new QueuePairView(vnic.name(), qpn, "RC", QpStateMachine.name(state), p == null ? 0 : p.lid(),
                p == null ? 0 : p.qpn(), sendWrs, recvWrs, bytesSent);
    }

    @Override
    public String toString() {
        return "QP " + qpn + " of " + vnic.name();
    }
}
