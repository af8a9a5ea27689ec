package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.QPS_ERR;
import static org.freeflow.fastpath.api.Verbs.QPS_RESET;
import static org.freeflow.fastpath.api.Verbs.QPS_RTS;
import static org.freeflow.fastpath.api.Verbs.QPS_SQD;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.fastpath.api.QpRingLayout;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.qos.api.RateLimiter;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;

/**
 * A queue pair, RC, UC, UD or XRC ({@link ConnectedService}): what
 * identifies it (handle, QPN, service, vNIC, PD, its rings), its attributes
 * and peer, and the three parts that keep the rest of its state to
 * themselves: its state as the data path sees it ({@link QpState}), its send
 * side ({@link SendSide}: the send queue, its CQ, the requester) and its
 * receive side ({@link ReceiveSide}: its receives, their CQ, the
 * responders).  Its rings live in a router-made memfd the FFL maps too.
 * While its state is not RESET it is a poll target: in RTS the requester
 * runs its send queue, in SQD only the work requests posted before the
 * modify (then SQ_DRAINED, if asked), in ERR its flush completes everything
 * with IBV_WC_WR_FLUSH_ERR.  Its attributes and peer change only inside
 * PollerService.call; its send queue is its poller's alone; its receive
 * queue is taken by its peer's requester (on whichever poller serves that
 * one) under its receive side's lock ({@link ReceiveSide#lock()}).  Its
 * state changes inside calls, on its poller, and to ERR on a peer's poller
 * (which then wakes this QP's poller).  A QP made with a shared receive
 * queue takes its receives from that one, under the SRQ's lock too
 * ({@link Receives#lock()}); it never flushes or discards them (they are
 * the SRQ's), and raises LAST_WQE_REACHED when it enters ERR.  An XRC
 * initiator has a send queue only; an XRC target has no queue and no
 * poller: it answers its initiator, delivering into the SRQs of its XRC
 * domain ({@link ReceiveSide#xrcResponder}).
 */
final class QueuePair implements PollTarget {

    /** First and longest wait of a poller that sleeps while this QP is held by a full CQ. */
    static final long MIN_BACKOFF_NANOS = 20_000L;
    static final long MAX_BACKOFF_NANOS = 1_000_000L;

    final int handle;
    final int qpn;
    /** When ibv_create_qp made it (its QPS row's CREATED). */
    final Instant created = Instant.now();
    final int type;
    final ConnectedService service;
    final VirtualNic vnic;
    final ProtectionDomain pd;
    final QpCaps caps;
    final QpRingLayout layout;
    /** This QP's address as responders see it. */
    final Destination self;
    /** What it was made on. */
    private final QpResources resources;
    /** Its state, its drain in SQD, its affiliated events. */
    private final QpState state;
    /** Its send queue, its send CQ, its requester. */
    private final SendSide send;
    /** Its receives, its receive CQ, its responders. */
    private final ReceiveSide receive;
    /** How its requester reaches responders. */
    private final TransportRegistry transports;
    private final PollerService poller;
    private final MappedRegion ringMapping;
    private long backoffNanos;

    /** Its attributes: replaced whole by ibv_modify_qp inside a call, read by the data path. */
    private volatile QpAttributes attrs = new QpAttributes();
    /** The destination its attributes name, or null. */
    private volatile Destination peer;
    private volatile boolean destroyed;
    /** What it carried. */
    private final QpCounters counters = new QpCounters();

    QueuePair(int handle, int qpn, ConnectedService service, QpResources on, QpCaps caps, boolean sqSigAll,
            QpRingLayout layout, MappedRegion ringMapping, RateLimiter limiter, TransportRegistry transports,
            PollerService poller) {
        VirtualNic vnic = on.vnic();
        this.handle = handle;
        this.qpn = qpn;
        this.service = service;
        this.type = service.qpType;
        this.vnic = vnic;
        this.pd = on.pd();
        this.caps = caps;
        this.resources = on;
        this.layout = layout;
        this.ringMapping = ringMapping;
        ByteBuffer shm = ringMapping.chunk(0);
        layout.initialize(shm, qpn, QPS_RESET);
        WorkQueueConsumer sq = layout.sendQueue(shm);
        this.state = new QpState(this, handle, shm, sq, on.srq() != null, poller);
        this.transports = transports;
        this.poller = poller;
        this.self = new Destination(vnic.lid(), vnic.gid(), qpn);
        this.send = new SendSide(this, state, sq, on.sendCq(), limiter, sqSigAll);
        this.receive = new ReceiveSide(this, state, layout.receiveQueue(shm), on);
    }

    @Override
    public boolean poll(long nowNanos) {
        boolean progress;
        int s = state.current();
        if (s == QPS_RTS) {
            progress = send.run(nowNanos);
        } else if (s == QPS_SQD && state.draining()) {
            progress = send.run(nowNanos);
            checkDrained();
        } else if (s == QPS_ERR) {
            send.abandon();
            progress = flush();
        } else {
            progress = send.completionPending() && send.completePending();
        }
        if (progress) {
            backoffNanos = 0;
        }
        return progress;
    }

    /**
     * A retry or rate-limiter timer of the head entry; otherwise, while work
     * is held by a full CQ (which the application drains without a doorbell),
     * a short wait that doubles up to {@link #MAX_BACKOFF_NANOS}.
     */
    @Override
    public long deadline(long nowNanos) {
        int s = state.current();
        boolean held;
        if (s == QPS_RTS || s == QPS_SQD && state.draining()) {
            if (send.waiting()) {
                return send.wakeAt();
            }
            int outstanding = send.outstanding();
            if (outstanding != 0 && !send.completionPending() && s == QPS_RTS && send.posted() == outstanding) {
                backoffNanos = 0; // only outcomes to wait for: their reports wake the poller
                return send.outstandingDeadline();
            }
            held = send.completionPending() || s == QPS_SQD || send.available() != 0;
        } else if (s == QPS_ERR) {
            held = send.completionPending() || unflushed();
        } else {
            held = send.completionPending();
        }
        if (!held) {
            backoffNanos = 0;
            return NO_DEADLINE;
        }
        backoffNanos = backoffNanos == 0 ? MIN_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
        return nowNanos + backoffNanos;
    }

    /** Its state now (IBV_QPS_*). */
    int state() {
        return state.current();
    }

    /**
     * How long this QP waits for a peer (or a CQ) before it gives up: its
     * local ACK timeout x (retry_cnt + 1), the time an HCA spends on one
     * unacknowledged message; 0 (timeout 0, or UD) means forever.
     */
    long transportBudgetNanos() {
        QpAttributes a = attrs;
        return IbTimers.ackTimeoutNanos(a.timeout) * (a.retryCnt + 1);
    }

    /** A transition of ibv_modify_qp (inside a call): {@link QpState#set}. */
    void setState(int next) {
        state.set(next);
    }

    /** True when pollers run it: every QP but an XRC target, which has no queue. */
    boolean polled() {
        return service != ConnectedService.XRC_TGT;
    }

    /**
     * RTS to SQD (inside a call): the work requests posted so far still run;
     * those posted later wait for RTS.  Once they are all done (completions
     * written), IBV_EVENT_SQ_DRAINED when {@code notify}
     * (attr.en_sqd_async_notify).
     */
    void drain(boolean notify) {
        state.startDrain(notify);
        checkDrained();
    }

    /** ibv_query_qp's sq_draining: in SQD with work requests of before the modify unfinished. */
    boolean draining() {
        return state.draining();
    }

    private void checkDrained() {
        state.endDrainIfDone(!send.completionPending());
    }

    /**
     * In ERR: every queued and newly posted work request, send and receive,
     * completes with IBV_WC_WR_FLUSH_ERR, as far as its CQs have room; into a
     * CQ that overran (or that stays full past the QP's transport budget)
     * they are discarded ({@link SendSide#flush()}, {@link ReceiveSide#flush()}).
     * Nothing is flushed while a completion of the requester waits for room
     * in the send CQ.
     */
    private boolean flush() {
        boolean progress = send.completionPending();
        if (!send.completePending()) {
            return false;
        }
        progress |= send.flush();
        return receive.flush() || progress;
    }

    /** True when entries wait in either queue (a full CQ holds them). */
    private boolean unflushed() {
        return send.unflushed() || receive.unflushed();
    }

    /** A fault found by a peer's requester or a CQ that overran: {@link QpState#enterErrorFromPeer()}. */
    void enterErrorFromPeer() {
        state.enterErrorFromPeer();
    }

    /** Where its asynchronous events go: its context's queue; before the QP is published to pollers. */
    void reportEventsTo(AsyncEventQueue queue) {
        state.reportEventsTo(queue);
    }

    QpAttributes attrs() {
        return attrs;
    }

    /** The destination its attributes name (LID or GID, QPN), or null before one was set. */
    Destination peer() {
        return peer;
    }

    /**
     * Takes {@code applied} as its attributes (inside a call); when they name
     * another destination ({@code addressed}), its requester resolves it anew,
     * at once.
     */
    void configure(QpAttributes applied, boolean addressed) {
        attrs = applied;
        if (addressed) {
            peer = new Destination(applied.dlid, applied.isGlobal ? applied.dgid.clone() : null, applied.destQpn);
            send.peerChanged();
            if (polled()) {
                send.connectEarly(); // an XRC target sends nothing
            }
        }
    }

    /**
     * ibv_destroy_qp took it off its poller (inside a call): from now on it
     * answers no requester, and its requester's connection is closed.
     */
    void markDestroyed() {
        destroyed = true;
        send.forget();
    }

    /** Its connection reported outcomes (on a transport's thread): its poller must take them. */
    void wakeRequester() {
        poller.wake(this);
    }

    boolean destroyed() {
        return destroyed;
    }

    /** Back to RESET: both queues dropped without completions (an SRQ keeps its receives), no peer. */
    void reset() {
        send.reset();
        receive.reset();
        attrs = new QpAttributes();
        peer = null;
        state.reset();
    }

    /**
     * A connection to the responder this QP is connected to, reporting to
     * {@code acks}, or null when no transport reaches it.
     */
    Connection connectPeer(Acknowledgements acks) {
        Destination p = peer;
        return p == null ? null : transports.connect(p, self, acks);
    }

    /** Where datagrams to {@code destination} go, through the first transport that reaches it, or null. */
    DatagramSink datagramsTo(Destination destination) {
        return transports.datagrams(destination);
    }

    /** What it carried: counted by its send side on its poller, by its receive side under the receive lock. */
    QpCounters counters() {
        return counters;
    }

    /** Its send side: the send queue, the CQ its sends complete on, the requester. */
    SendSide send() {
        return send;
    }

    /** Its receive side: its receives, the CQ they complete on, its responders. */
    ReceiveSide receive() {
        return receive;
    }

    /** What it was made on (its vNIC, PD, CQs, SRQ, XRC domain), which it holds in use until destroyed. */
    QpResources resources() {
        return resources;
    }

    /** Unmaps the rings; only after the poller dropped the QP. */
    void unmap() {
        ringMapping.close();
    }

    QueuePairView view() {
        Destination p = peer;
        return new QueuePairView(vnic.name(), qpn, service.name(), QpStateMachine.name(state.current()),
                p == null ? 0 : p.lid(), p == null ? 0 : p.qpn(), counters.sendWrs(), counters.recvWrs(),
                counters.bytesSent(), counters.sendDroppedCount(), counters.recvDroppedCount(), counters.rnrNaks(),
                counters.ackTimeouts());
    }

    @Override
    public String toString() {
        return "QP " + qpn + " of " + vnic.name();
    }
}
