package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.freeflow.router.api.transport.Outcome.*;

import java.util.Arrays;
import org.freeflow.fastpath.api.Abi.RecvWqe;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * The responder side of a local connected QP (RC or UC), called by
 * requesters on their poller threads, which need not be this QP's.  It accepts work only from the QP it
 * is connected to while in RTR, RTS or SQD and its port is up; checks rkey, PD, bounds and
 * access (MR and QP) before a byte moves; consumes receives for SEND and
 * WRITE_WITH_IMM; executes 8-byte atomics on aligned words.  Every operation holds the QP's receive-queue lock, which
 * its own poller's flush takes too, and takes a receive under the SRQ's lock
 * as well when the QP has one; a receive completion is reserved in the
 * receive CQ before the receive is taken, and the receive is released
 * before its data is copied (its SGEs are checked and held by then).  A fault on its side moves it to
 * ERR, as on a real HCA, and wakes its poller to flush; a message it refuses
 * does so only when its {@link ConnectedService} says (RC; UC drops it).
 *
 * <p>An XRC target QP has one of these without receives, which refuses
 * every message (none comes without an SRQ number), and one per SRQ of its
 * domain that its initiator addressed ({@link #xrcSrq}), whose receives,
 * CQ and PD are the SRQ's.
 */
final class RcResponder extends QueuePairResponder {

    /** Where receives come from; null for an XRC target's own responder. */
    private final Receives receives;
    /** The PD remote keys must belong to. */
    private final ProtectionDomain pd;
    private final ScatterList scatter;
    private long regionOffset;
    /** SENDs a transport places into the receives from the head on, not completed or given up yet. */
    private int sendsInPlace;

    RcResponder(QueuePair qp, ReceiveSide receiveSide, QpState state, Receives receives, ProtectionDomain pd) {
        super(qp, receiveSide, state);
        this.receives = receives;
        this.pd = pd;
        this.scatter = new ScatterList(receives == null ? 1 : receives.maxSge);
    }

    @Override
    public int minRnrTimer() {
        return qp.attrs().minRnrTimer;
    }

    /**
     * Read without the receive lock by a requester waiting out an RNR, which
     * may hold on to this responder after its QP or XRC SRQ was destroyed:
     * their rings are unmapped after the poller call that marked them, so a
     * round that sees the mark must not read the ring.
     */
    @Override
    public long receivesPosted() {
        if (receives == null || qp.destroyed() || receives.srq != null && receives.srq.destroyed()) {
            return RECEIVES_UNKNOWN;
        }
        return receives.rq.producerIndex();
    }

    @Override
    public Responder xrcSrq(int srqn) {
        return receiveSide.xrcResponder(srqn);
    }

    @Override
    public boolean acceptsFrom(Destination requester) {
        if (qp.destroyed() || !qp.vnic.portActive()) {
            return false;
        }
        int s = state.current();
        if (s != QPS_RTR && s != QPS_RTS && s != QPS_SQD) {
            return false;
        }
        Destination p = qp.peer();
        if (p == null || p.qpn() != requester.qpn()) {
            return false;
        }
        return p.lid() != 0 ? p.lid() == requester.lid()
                : p.gid() != null && requester.gid() != null && Arrays.equals(p.gid(), requester.gid());
    }

    @Override
    public Outcome send(Payload payload, Destination requester, boolean withImm, int immData) {
        return send(payload, requester, withImm, immData, false);
    }

    @Override
    public Outcome send(Payload payload, Destination requester, boolean withImm, int immData, boolean solicited) {
        receiveSide.lock();
        try {
            return counted(receiveSend(payload, requester, withImm, immData, solicited));
        } finally {
            receiveSide.unlock();
        }
    }

    /** SEND under the receive lock. */
    private Outcome receiveSend(Payload payload, Destination requester, boolean withImm, int immData, boolean solicited) {
        Outcome refused = admit(requester);
        if (refused != null) {
            return refused;
        }
        long length = payload.length();
        receives.lock();
        long wrId;
        try {
            Outcome ready = receiveReady();
            if (ready != OK) {
                return ready;
            }
            int slot = receives.rq.head();
            wrId = receives.shm.getLong(slot + RecvWqe.WR_ID);
            int status = receives.load(scatter, slot, qp.vnic.mrTable);
            if (status != WC_SUCCESS) {
                failReceive(wrId, status);
                state.enterErrorFromPeer();
                return REMOTE_OPERATION_ERROR;
            }
            if (length > scatter.capacity) {
                scatter.clear();
                failReceive(wrId, WC_LOC_LEN_ERR);
                return refuse(REMOTE_INVALID_REQUEST);
            }
            receives.consume();
        } finally {
            receives.unlock();
        }
        MemoryCopier.scatter(payload, scatter);
        scatter.clear();
        complete(wrId, WC_RECV, length, withImm, immData, requester, solicited);
        return OK;
    }

    @Override
    public Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester, boolean withImm,
            int immData) {
        return write(payload, remoteAddr, rkey, requester, withImm, immData, false);
    }

    @Override
    public Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester, boolean withImm,
            int immData, boolean solicited) {
        receiveSide.lock();
        try {
            return counted(receiveWrite(payload, remoteAddr, rkey, requester, withImm, immData, solicited));
        } finally {
            receiveSide.unlock();
        }
    }

    /** RDMA WRITE under the receive lock. */
    private Outcome receiveWrite(Payload payload, long remoteAddr, int rkey, Destination requester, boolean withImm,
            int immData, boolean solicited) {
        Outcome refused = admit(requester);
        if (refused != null) {
            return refused;
        }
        long length = payload.length();
        MemoryRegion target = null;
        if (length > 0) {
            target = remoteRegion(rkey, remoteAddr, length, ACCESS_REMOTE_WRITE);
            if (target == null) {
                return refuse(REMOTE_ACCESS_ERROR);
            }
        }
        long wrId = 0;
        if (withImm) {
            receives.lock();
            try {
                Outcome ready = receiveReady();
                if (ready != OK) {
                    return ready;
                }
                wrId = receives.shm.getLong(receives.rq.head() + RecvWqe.WR_ID);
                receives.consume();
            } finally {
                receives.unlock();
            }
        }
        if (target != null) {
            MemoryCopier.copy(payload, target, regionOffset);
        }
        if (withImm) {
            complete(wrId, WC_RECV_RDMA_WITH_IMM, length, true, immData, requester, solicited);
        }
        return OK;
    }

    /**
     * RC only, and only when the receive lock is free at once: the checks of {@link #write} with no side
     * effect (COMM_EST is raised, a refusal made, by {@link #write} or {@link #completeInPlace} in order).
     */
    @Override
    public InPlaceWrite writeInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        if (length == 0 || qp.service != ConnectedService.RC || receives == null || !receiveSide.tryLock()) {
            return null;
        }
        try {
            if (!acceptsFrom(requester)) {
                return null;
            }
            MemoryRegion target = remoteRegion(rkey, remoteAddr, length, ACCESS_REMOTE_WRITE);
            if (target == null || !target.hold()) {
                return null;
            }
            RegionSink into = RegionSink.of(target, regionOffset, length);
            return new RegionWrite(into, whole -> completeInPlace(requester, whole));
        } finally {
            receiveSide.unlock();
        }
    }

    /**
     * {@link RegionWrite#complete}: the placed WRITE arrives in order.  Its data is in the region by now
     * (also when the QP stopped accepting meanwhile, as the packets of a message an HCA placed before its
     * QP left RTS); {@code whole} false when the region was deregistered under it.
     */
    Outcome completeInPlace(Destination requester, boolean whole) {
        receiveSide.lock();
        try {
            Outcome refused = admit(requester);
            if (refused != null) {
                return refused;
            }
            return whole ? OK : refuse(REMOTE_ACCESS_ERROR);
        } finally {
            receiveSide.unlock();
        }
    }

    /**
     * RC with a receive queue of its own, and only when the receive lock is free at once: the checks of
     * {@link #send} with no side effect, the buffers of the first receive no other placed SEND went into as
     * the target (the transport completes them in order).  The receive stays posted until
     * {@link #completeSendInPlace}; nothing but this responder and its own QP's flush takes receives from its
     * own queue, and it counts them, so that the completion knows the receive is still the one the data went
     * into.
     */
    @Override
    public InPlaceWrite sendInPlace(long length, Destination requester, boolean withImm, int immData,
            boolean solicited) {
        if (length == 0 || qp.service != ConnectedService.RC || receives == null || receives.srq != null
                || !receiveSide.tryLock()) {
            return null;
        }
        try {
            if (!acceptsFrom(requester)) {
                return null;
            }
            WorkQueueConsumer rq = receives.rq;
            int ahead = sendsInPlace;
            int n = rq.available();
            if (rq.corrupt(n) || n <= ahead) {
                return null;
            }
            int slot = rq.slot(ahead);
            int status = receives.load(scatter, slot, qp.vnic.mrTable);
            RegionSink into = status == WC_SUCCESS && length <= scatter.capacity ? scatter.sinkInPlace(length) : null;
            scatter.clear();
            if (into == null) {
                return null;
            }
            int receive = rq.consumed() + ahead;
            sendsInPlace++;
            return new RegionWrite(into,
                    whole -> completeSendInPlace(requester, receive, length, withImm, immData, solicited, whole),
                    this::sendInPlaceEnded);
        } finally {
            receiveSide.unlock();
        }
    }

    /** A SEND placed ended: completed, or given up (on the transport's thread). */
    private void sendInPlaceEnded() {
        receiveSide.lock();
        try {
            sendsInPlace--;
        } finally {
            receiveSide.unlock();
        }
    }

    /**
     * The placed SEND arrives in order: its receive, the {@code receive}th taken from the queue, consumed and
     * completed.  BUSY when that receive is gone (flushed, the queue reset) or its CQ has no room: the
     * message comes again.  {@code whole} false when one of its buffers was deregistered under it: the
     * receive completes with IBV_WC_LOC_PROT_ERR, as {@link #send} found it.
     */
    private Outcome completeSendInPlace(Destination requester, int receive, long length, boolean withImm,
            int immData, boolean solicited, boolean whole) {
        receiveSide.lock();
        try {
            Outcome refused = admit(requester);
            if (refused != null) {
                return refused;
            }
            if (receives.rq.consumed() != receive || receives.rq.available() == 0) {
                return BUSY;
            }
            Outcome ready = receiveReady();
            if (ready != OK) {
                return ready;
            }
            long wrId = receives.shm.getLong(receives.rq.head() + RecvWqe.WR_ID);
            if (!whole) {
                failReceive(wrId, WC_LOC_PROT_ERR);
                state.enterErrorFromPeer();
                return REMOTE_OPERATION_ERROR;
            }
            receives.consume();
            complete(wrId, WC_RECV, length, withImm, immData, requester, solicited);
            return OK;
        } finally {
            receiveSide.unlock();
        }
    }

    /** A message an unreliable service does not take is dropped here: counted (under the receive lock). */
    private Outcome counted(Outcome outcome) {
        if (outcome != OK && !qp.service.reliable()) {
            qp.counters().receiveDropped();
        }
        return outcome;
    }

    @Override
    public Outcome read(Payload sink, long remoteAddr, int rkey, Destination requester) {
        receiveSide.lock();
        try {
            Outcome refused = admit(requester);
            if (refused != null) {
                return refused;
            }
            long length = sink.length();
            if (length > 0) {
                MemoryRegion source = remoteRegion(rkey, remoteAddr, length, ACCESS_REMOTE_READ);
                if (source == null) {
                    return refuse(REMOTE_ACCESS_ERROR);
                }
                MemoryCopier.copy(source, regionOffset, sink);
            }
            return OK;
        } finally {
            receiveSide.unlock();
        }
    }

    @Override
    public InPlace readInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        if (length == 0) {
            return null; // nothing to view: read() answers it
        }
        receiveSide.lock();
        try {
            Outcome refused = admit(requester);
            if (refused != null) {
                return InPlace.refused(refused);
            }
            MemoryRegion source = remoteRegion(rkey, remoteAddr, length, ACCESS_REMOTE_READ);
            if (source == null) {
                return InPlace.refused(refuse(REMOTE_ACCESS_ERROR));
            }
            return new InPlace(OK, new RegionSlice(source, regionOffset, length));
        } finally {
            receiveSide.unlock();
        }
    }

    @Override
    public Outcome compareAndSwap(Payload sink, long remoteAddr, int rkey, long compare, long swap,
            Destination requester) {
        return atomic(sink, remoteAddr, rkey, true, compare, swap, requester);
    }

    @Override
    public Outcome fetchAndAdd(Payload sink, long remoteAddr, int rkey, long add, Destination requester) {
        return atomic(sink, remoteAddr, rkey, false, add, 0, requester);
    }

    /**
     * Both atomics.  The receive-queue lock only orders this against the
     * QP's other work; what makes the word atomic is the locked instruction
     * on the shared page ({@link MemoryRegion#compareAndExchange}), since
     * requesters on other pollers may reach the same memory through other QPs.
     */
    private Outcome atomic(Payload sink, long remoteAddr, int rkey, boolean swap, long compareAdd, long swapValue,
            Destination requester) {
        receiveSide.lock();
        try {
            Outcome refused = admit(requester);
            if (refused != null) {
                return refused;
            }
            MemoryRegion target = remoteRegion(rkey, remoteAddr, Long.BYTES, ACCESS_REMOTE_ATOMIC);
            if (target == null) {
                return refuse(REMOTE_ACCESS_ERROR);
            }
            if ((remoteAddr & 7) != 0 || !MemoryRegion.wordAligned(regionOffset) || sink.length() != Long.BYTES) {
                return refuse(REMOTE_INVALID_REQUEST);
            }
            long original = swap ? target.compareAndExchange(regionOffset, compareAdd, swapValue)
                    : target.getAndAdd(regionOffset, compareAdd);
            MemoryCopier.putLong(sink, original);
            return OK;
        } finally {
            receiveSide.unlock();
        }
    }

    /**
     * Null when {@code requester} may run an operation here (under the
     * receive lock), the message counted as arrived; otherwise its answer: NOT_READY from a QP this one is
     * not connected to, an invalid request to an XRC target's own responder
     * (every message to a target names an SRQ, {@link #xrcSrq}).
     */
    private Outcome admit(Destination requester) {
        if (!acceptsFrom(requester)) {
            return NOT_READY;
        }
        state.messageArrived(); // the connection's first message raises COMM_EST
        return receives == null ? refuse(REMOTE_INVALID_REQUEST) : null;
    }

    /** The region {@code rkey} names if it grants {@code needed} on the range; sets {@link #regionOffset}. */
    private MemoryRegion remoteRegion(int rkey, long remoteAddr, long length, int needed) {
        MemoryRegion mr = qp.vnic.mrTable.lookup(rkey);
        if (mr == null || mr.pd != pd || !mr.allows(needed) || (qp.attrs().accessFlags & needed) != needed) {
            return null;
        }
        regionOffset = mr.remoteOffset(remoteAddr, length);
        return regionOffset < 0 ? null : mr;
    }

    /**
     * OK when a receive is posted and an entry of its CQ is reserved for it;
     * RNR, BUSY (the CQ full), NOT_READY (the CQ overran: the QP is in ERR
     * now and answers nothing), or an error otherwise.  Under
     * {@link Receives#lock()}.
     */
    private Outcome receiveReady() {
        WorkQueueConsumer rq = receives.rq;
        int n = rq.available();
        if (rq.corrupt(n)) {
            receiveSide.corrupted(receives);
            return REMOTE_OPERATION_ERROR;
        }
        if (n == 0) {
            return RNR;
        }
        if (receives.cq.ring.reserve()) {
            return OK;
        }
        return receives.cq.overrunFor(qp) ? NOT_READY : BUSY;
    }

    /**
     * A message this QP will not take: ERR under RC, with the affiliated event
     * the IB spec names (access violation: QP_ACCESS_ERR; invalid request:
     * QP_REQ_ERR); dropped under UC (the QP stays as it is).
     */
    private Outcome refuse(Outcome outcome) {
        if (qp.service.faultsOnInvalidMessage()) {
            state.enterErrorFromPeer(outcome == REMOTE_ACCESS_ERROR ? EVENT_QP_ACCESS_ERR : EVENT_QP_REQ_ERR);
        }
        return outcome;
    }

    /** Releases the receive slot, then completes it in error (its CQ entry is reserved). */
    private void failReceive(long wrId, int status) {
        receives.consume();
        receives.cq.ring.post(wrId, status, WC_RECV, 0, 0, qp.qpn, 0, 0, 0, false);
    }

    /** Completes a receive already released, whose CQ entry is reserved. */
    private void complete(long wrId, int opcode, long length, boolean withImm, int immData, Destination requester,
            boolean solicited) {
        receives.cq.ring.post(wrId, WC_SUCCESS, opcode, (int) length, withImm ? immData : 0, qp.qpn, requester.qpn(),
                withImm ? WC_WITH_IMM : 0, requester.lid(), solicited);
        qp.counters().received();
    }
}
