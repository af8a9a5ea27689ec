package org.freeflow.router.api.transport;

/**
 * What the responder made of a work request.  {@code RNR} and {@code NOT_READY}
 * are transient: the requester retries them within its RNR and transport
 * retry budgets; everything else is final.
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
    /** The message does not fit the posted receive: IBV_WC_REM_INV_REQ_ERR. */
    REMOTE_INVALID_REQUEST,
    /** The responder failed on its side (bad receive lkey, ...): IBV_WC_REM_OP_ERR. */
    REMOTE_OPERATION_ERROR
}
