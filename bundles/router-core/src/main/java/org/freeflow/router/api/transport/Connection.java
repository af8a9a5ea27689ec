package org.freeflow.router.api.transport;

/**
 * The way from one requester QP to its connected responder (RC, UC, XRC) through one
 * transport, as {@link Transport#connect} made it.  Used by the requester's
 * poller thread only.  The requester posts work requests in sequence order
 * and keeps up to its window of them outstanding (its send queue, at most
 * max_rd_atomic READs and atomics); it writes their completions in posting
 * order, when the connection reports each outcome.  Exactly once: a
 * work request posted again after a transient outcome or a timeout is
 * executed by the responder at most once in all (a transport that resends
 * numbers its messages; the responder side answers a duplicate from what it
 * did the first time).
 * @since 2.0
 */
public interface Connection {

    /**
     * Hands {@code request} over.  Returns its outcome when it is known at
     * once (a transport that executes the work request on this thread; then
     * nothing is reported for it), {@link Outcome#PENDING} when it will be
     * reported to the connection's {@link Acknowledgements}, or
     * {@link Outcome#BUSY} when the connection cannot take it now (its
     * buffers are full: nothing happened; the requester tries again soon).
     * Posting a sequence number again that was posted before means: start
     * again from there (after a transient refusal or a timeout), what was
     * posted after it is posted again too.
     */
    Outcome post(WorkRequest request);

    /**
     * Sends what was posted since the last flush.  The requester calls it at
     * the end of every visit in which it posted, as an application rings an
     * HCA's doorbell once for a list of work requests: a transport may hold
     * posts back until then and send them together (one write, one network
     * packet for many small messages).  The default: every post was sent
     * when it was made.
     * @since 2.1
     */
    default void flush() {
    }

    /**
     * The responder's min_rnr_timer (IB encoding, 0..31) after a
     * synchronous {@link Outcome#RNR}: the requester waits that long before it
     * posts again.
     */
    int minRnrTimer();

    /**
     * A figure that changes whenever the responder got a receive posted
     * (see {@link Responder#receivesPosted()}), or
     * {@link Responder#RECEIVES_UNKNOWN} (the default: a remote responder).
     */
    default long receivesPosted() {
        return Responder.RECEIVES_UNKNOWN;
    }

    /**
     * The requester is done with this connection (its QP reset, was
     * destroyed, entered ERR or names another destination): nothing more is
     * reported; what is outstanding is forgotten.
     */
    void close();
}
