package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.WorkQueueConsumer;

/**
 * A QP's drain in SQD: the work requests posted before the modify to SQD still
 * run, the later ones wait for RTS; once the earlier ones are done, the drain
 * ends (IBV_EVENT_SQ_DRAINED if the modify asked for it).  Changed inside
 * calls and on the QP's poller only.
 */
final class SendQueueDrain {

    private final WorkQueueConsumer sq;
    private boolean draining;
    /** Where the work requests of before the modify end on the send queue (a free-running index). */
    private int end;
    private boolean notify;

    SendQueueDrain(WorkQueueConsumer sq) {
        this.sq = sq;
    }

    /** Starts a drain of what is posted now; {@code notifyWhenDone}: attr.en_sqd_async_notify. */
    void start(boolean notifyWhenDone) {
        end = sq.consumed() + sq.posted();
        notify = notifyWhenDone;
        draining = true;
    }

    /** The QP left SQD: no drain any more, and no event for it. */
    void cancel() {
        draining = false;
    }

    /** ibv_query_qp's sq_draining: work requests of before the modify unfinished. */
    boolean draining() {
        return draining;
    }

    /**
     * The requester may start the entry {@code ahead} places after its head
     * (0: the head): it is one of before the modify.
     */
    boolean mayStart(int ahead) {
        return draining && end - (sq.consumed() + ahead) > 0;
    }

    /**
     * Ends the drain when every work request of before the modify is done
     * ({@code requesterIdle}: none of them waits for its completion); true
     * when it ended now and the modify asked to be told.
     */
    boolean endIfDone(boolean requesterIdle) {
        if (draining && requesterIdle && sq.consumed() == end) {
            draining = false;
            return notify;
        }
        return false;
    }
}
