package org.freeflow.router.api.transport;

import java.nio.ByteBuffer;

/**
 * Where a {@link Connection} reports what became of the work requests it
 * answered {@link Outcome#PENDING}: the requester's side, as an HCA's
 * requester takes ACKs and NAKs.  Reports of one connection come in sequence
 * order and never two at once; from any thread (they wake the requester's
 * poller and return: they never block).
 * @since 2.0
 */
public interface Acknowledgements {

    /**
     * Every work request up to and including {@code psn} was executed at the
     * responder (cumulative, as an IB ACK; READ and atomic results are in
     * the requester's memory by now).  For an unreliable connection (UC):
     * the messages left.
     */
    void acknowledged(long psn);

    /**
     * The READ {@code psn}'s data (as many bytes as it asked for) or the
     * atomic {@code psn}'s original remote value (8 bytes, little-endian)
     * arrived, between {@code data}'s position and limit: the requester
     * places it into the work request's local memory on its own poller
     * (checking that memory again: the application may have deregistered it
     * meanwhile) and counts {@code psn}, and everything before it,
     * acknowledged.  {@code data} is the requester's from then on.
     */
    void fetched(long psn, ByteBuffer data);

    /**
     * The READ {@code psn}'s data was written into its {@link WorkRequest#sinkInPlace sink} by the
     * transport, as {@link #fetched} reports data to be placed: everything up to {@code psn} executed.
     * {@code whole} false when the sink's memory was deregistered while the data came in (the
     * requester completes it with its local protection error).  Called only by a transport that took
     * the work request's sink.  The default: nothing.
     * @since 2.5
     */
    default void fetchedInPlace(long psn, boolean whole) {
    }

    /**
     * The work request {@code psn} was not executed (those before it were):
     * {@link Outcome#RNR}, {@link Outcome#NOT_READY} and {@link Outcome#BUSY}
     * are transient, and none of the work requests posted after it was
     * executed either (the responder drops them, as an HCA's responder drops
     * what follows a NAK): the requester posts them again, from {@code psn};
     * the other outcomes are final errors.  {@code minRnrTimer} is the
     * responder's min_rnr_timer (IB encoding) with an RNR.
     */
    void refused(long psn, Outcome outcome, int minRnrTimer);

    /**
     * The answer to the READ or atomic {@code psn} is arriving (part of its
     * data is in): the responder works on the requester's behalf, so the
     * requester restarts its ACK timer, as an HCA's does on every response
     * packet of a long READ; {@link #fetched} follows.  The default:
     * nothing.
     * @since 2.1
     */
    default void arriving(long psn) {
    }

    /**
     * True once the requester has written every completion it owes for the
     * work requests through {@code psn} (or its connection closed).  A
     * transport that receives, right after answers through {@code psn}, a
     * request from the same peer (the reply to an acknowledged SEND, say)
     * may hold that request back briefly until then, so that the application
     * sees its send complete before the receive of the reply, as the two
     * would arrive over one wire.  Later answers do not count: the request
     * waits for what came before it only.  Any thread, never blocks.  The
     * default: true.
     * @since 2.2
     */
    default boolean settled(long psn) {
        return true;
    }
}
