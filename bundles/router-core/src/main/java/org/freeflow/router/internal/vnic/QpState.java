package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.EVENT_COMM_EST;
import static org.freeflow.fastpath.api.Verbs.EVENT_QP_LAST_WQE_REACHED;
import static org.freeflow.fastpath.api.Verbs.EVENT_SQ_DRAINED;
import static org.freeflow.fastpath.api.Verbs.QPS_ERR;
import static org.freeflow.fastpath.api.Verbs.QPS_RESET;
import static org.freeflow.fastpath.api.Verbs.QPS_RTR;
import static org.freeflow.fastpath.api.Verbs.QPS_RTS;
import static org.freeflow.fastpath.api.Verbs.QPS_SQD;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.WorkQueueConsumer;

/**
 * A QP's state as its data path sees it ({@link QpStateMachine} says which
 * transitions exist), mirrored into ff_qp_shm.state for the FFL.  It changes
 * inside calls, on the QP's poller, and to ERR on a peer's poller (which
 * then wakes the QP's poller).  With it: the drain while in SQD
 * ({@link SendQueueDrain}), whether COMM_EST was raised since the last
 * RESET, and the queue the QP's affiliated asynchronous events go to.
 */
final class QpState {

    /** The QP: what a peer's poller wakes when it moved the QP to ERR. */
    private final PollTarget qp;
    /** The QP's handle, which its asynchronous events name. */
    private final int handle;
    /** The QP's ring memory, whose ff_qp_shm.state the FFL reads. */
    private final ByteBuffer shm;
    /** Made with a shared receive queue: entering ERR raises LAST_WQE_REACHED. */
    private final boolean sharedReceives;
    private final PollerService poller;
    /** Its drain while in SQD. */
    private final SendQueueDrain drain;
    private volatile int state = QPS_RESET;
    /** Its context's asynchronous events; set before the QP is published to pollers. */
    private AsyncEventQueue events;
    /** COMM_EST raised since the last RESET; under the QP's receive lock (or inside a call). */
    private boolean established;

    QpState(PollTarget qp, int handle, ByteBuffer shm, WorkQueueConsumer sq, boolean sharedReceives,
            PollerService poller) {
        this.qp = qp;
        this.handle = handle;
        this.shm = shm;
        this.sharedReceives = sharedReceives;
        this.poller = poller;
        this.drain = new SendQueueDrain(sq);
    }

    /** The state now (IBV_QPS_*). */
    int current() {
        return state;
    }

    /**
     * Sets the state and mirrors it into ff_qp_shm.state for the FFL.  A QP
     * with an SRQ entering ERR raises LAST_WQE_REACHED (IB spec 11.5.2.5):
     * no receive of the SRQ will complete on it any more.
     */
    void set(int next) {
        int previous = state;
        state = next;
        if (next != QPS_SQD) {
            drain.cancel();
        }
        RingIndex.storeRelease(shm, Abi.QpShm.STATE, next);
        if (next == QPS_ERR && previous != QPS_ERR && sharedReceives && events != null) {
            events.raiseQp(EVENT_QP_LAST_WQE_REACHED, handle);
        }
    }

    /**
     * RTS to SQD (inside a call): the work requests posted so far still run;
     * those posted later wait for RTS.  {@code notify}: attr.en_sqd_async_notify,
     * IBV_EVENT_SQ_DRAINED once they are all done ({@link #endDrainIfDone}).
     */
    void startDrain(boolean notify) {
        drain.start(notify);
        set(QPS_SQD);
    }

    /** ibv_query_qp's sq_draining: in SQD with work requests of before the modify unfinished. */
    boolean draining() {
        return drain.draining();
    }

    /**
     * The requester may start the entry {@code ahead} places after its head:
     * in RTS, or in SQD up to where the drain ends.
     */
    boolean sendQueueOpen(int ahead) {
        int s = state;
        return s == QPS_RTS || s == QPS_SQD && drain.mayStart(ahead);
    }

    /**
     * Ends the drain when the work requests of before the modify are all done
     * (completions written: {@code requesterIdle}, none waits for room in the
     * CQ); IBV_EVENT_SQ_DRAINED if the modify asked for it.
     */
    void endDrainIfDone(boolean requesterIdle) {
        if (drain.endIfDone(requesterIdle) && events != null) {
            events.raiseQp(EVENT_SQ_DRAINED, handle);
        }
    }

    /** An error completion on this QP's poller: the QP stops and flushes (the completion tells the app). */
    void enterError() {
        set(QPS_ERR);
    }

    /** An error on this QP's poller that no completion reports: ERR and the affiliated event {@code event}. */
    void enterError(int event) {
        set(QPS_ERR);
        events.raiseQp(event, handle);
    }

    /** A fault found by a peer's requester, maybe on another poller: ERR, and this QP's poller must flush. */
    void enterErrorFromPeer() {
        set(QPS_ERR);
        poller.wake(qp);
    }

    /** As {@link #enterErrorFromPeer()}, raising the affiliated event {@code event} (IBV_EVENT_QP_*). */
    void enterErrorFromPeer(int event) {
        set(QPS_ERR);
        events.raiseQp(event, handle);
        poller.wake(qp);
    }

    /**
     * A message reached this QP (under its receive lock): in RTR, the first
     * one since RESET raises IBV_EVENT_COMM_EST, as an HCA does.
     */
    void messageArrived() {
        if (!established && state == QPS_RTR) {
            established = true;
            events.raiseQp(EVENT_COMM_EST, handle);
        }
    }

    /** Back to RESET (inside a call): COMM_EST may be raised again. */
    void reset() {
        established = false;
        set(QPS_RESET);
    }

    /** Where its asynchronous events go: its context's queue; before the QP is published to pollers. */
    void reportEventsTo(AsyncEventQueue queue) {
        events = queue;
    }
}
