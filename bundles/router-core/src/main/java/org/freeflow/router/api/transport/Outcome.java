package org.freeflow.router.api.transport;

/**
 * What the responder made of a work request.  {@code RNR} and {@code NOT_READY}
 * are transient: the requester retries them within its RNR and transport
 * retry budgets; {@code BUSY} is transient and costs no budget; everything
 * else is final.
 */
public enum Outcome {
    /** Done. */
    OK,
    /** No receive posted at the responder (receiver not ready). */
    RNR,
    /** The responder is not (yet) connected back or not in a receiving state. */
    NOT_READY,
    /** rkey, bounds or access rights refused: requester gets IBV_WC_REM_ACCESS_ERR. */
    REMOTE_ACCESS_ERROR,
    /**
     * The message does not fit the posted receive, or an atomic is misaligned:
     * IBV_WC_REM_INV_REQ_ERR.
     */
    REMOTE_INVALID_REQUEST,
    /** The responder failed on its side (bad receive lkey, ...): IBV_WC_REM_OP_ERR. */
    REMOTE_OPERATION_ERROR,
    /**
     * The responder cannot complete it right now because its completion queue
     * is full: nothing happened; the requester tries again later without
     * spending a retry (a full CQ is back-pressure, never a lost completion).
     * @since 1.1
     */
    BUSY,
    /**
     * UD: the responder discarded the datagram (Q_Key mismatch, receive too
     * small, QP not receiving, not a UD QP; a datagram that found no receive
     * posted is answered {@link #RNR}, one that found its CQ full
     * {@link #BUSY}, and is lost too unless a transport holds it).  Nothing
     * tells the sender: its work request completes successfully.
     * @since 1.4
     */
    DROPPED,
    /**
     * Taken over by a {@link Connection}: the outcome comes later, to its
     * {@link Acknowledgements}.  Never a responder's answer.
     * @since 2.0
     */
    PENDING
}
