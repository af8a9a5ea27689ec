package org.freeflow.router.api.transport;

/**
 * The responder end of one of this router's queue pairs, which transports
 * execute work against: the local transport on the requester's poller
 * thread, a network transport on the thread that received the work request.
 * Each method carries out one work request and returns its outcome at once
 * (never {@link Outcome#PENDING}); none blocks.  Several threads may call
 * one responder at once: implementations are thread-safe.  A UD QP's
 * responder takes datagrams ({@link DatagramSink}).
 */
public interface Responder extends DatagramSink {

    /** The responder's queue-pair number. */
    int qpn();

    /** The responder's LID. */
    int lid();

    /**
     * The responder's {@code min_rnr_timer} (IB encoding, 0..31): after an
     * {@link Outcome#RNR} the requester waits that long before it retries.
     * @since 1.1
     */
    int minRnrTimer();

    /** {@link #receivesPosted()} of a responder that cannot tell. */
    long RECEIVES_UNKNOWN = Long.MIN_VALUE;

    /**
     * A figure that changes whenever a receive is posted to the queue this
     * responder takes its receives from (its receive queue or SRQ), or
     * {@link #RECEIVES_UNKNOWN} (the default).  After an {@link Outcome#RNR}
     * a requester retries as soon as it changed, not only after
     * {@code min_rnr_timer}: the answer is the same (the retry finds the new
     * receive), and no message waits the timer out for a receiver that got
     * its receive posted just too late.  Thread-safe, never blocks.
     * @since 1.6
     */
    default long receivesPosted() {
        return RECEIVES_UNKNOWN;
    }

    /**
     * True while the responder is connected back to {@code requester}
     * (its destination is the requester's LID and QPN) and can receive.
     */
    boolean acceptsFrom(Destination requester);

    /**
     * SEND (or SEND with immediate when {@code withImm}): consumes one receive
     * of the responder and scatters {@code payload} into it.
     */
    Outcome send(Payload payload, Destination requester, boolean withImm, int immData);

    /**
     * {@link #send(Payload, Destination, boolean, int)} of a message sent with
     * IBV_SEND_SOLICITED when {@code solicited}: its receive completion raises a
     * completion event on a CQ armed for solicited events.  The default ignores
     * the flag.
     * @since 1.2
     */
    default Outcome send(Payload payload, Destination requester, boolean withImm, int immData, boolean solicited) {
        return send(payload, requester, withImm, immData);
    }

    /**
     * RDMA WRITE of {@code payload} to [remoteAddr, remoteAddr + length) under
     * {@code rkey}; with {@code withImm} also consumes a receive and completes it
     * with the immediate.
     */
    Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester,
            boolean withImm, int immData);

    /**
     * {@link #write(Payload, long, int, Destination, boolean, int)} with the
     * IBV_SEND_SOLICITED flag (it matters with an immediate only).  The default
     * ignores the flag.
     * @since 1.2
     */
    default Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester, boolean withImm,
            int immData, boolean solicited) {
        return write(payload, remoteAddr, rkey, requester, withImm, immData);
    }

    /** RDMA READ of [remoteAddr, remoteAddr + sink.length()) under {@code rkey} into {@code sink}. */
    Outcome read(Payload sink, long remoteAddr, int rkey, Destination requester);

    /**
     * RDMA READ without a copy: the checks of {@link #read} and, when they pass, the responder's
     * memory [remoteAddr, remoteAddr + length) as a {@link Payload} whose {@link Payload#hold hold}
     * keeps it mapped, so that the transport reads the data when it transmits the answer, as an HCA
     * does.  Until then the memory may still change (the application's own writes, a WRITE that
     * followed the READ without a fence).  Null when this responder only copies (the default), or for
     * {@code length} 0: the transport calls {@link #read}.
     * @since 2.4
     */
    default InPlace readInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        return null;
    }

    /**
     * What {@link #readInPlace} found: the outcome, and the data when it is {@link Outcome#OK} (null
     * otherwise), a view valid during the call that returned it unless held.
     * @since 2.4
     */
    record InPlace(Outcome outcome, Payload data) {

        /** A refusal, as {@link #read} would have answered. */
        public static InPlace refused(Outcome outcome) {
            return new InPlace(outcome, null);
        }
    }

    /**
     * RDMA WRITE (without an immediate) whose data the transport places itself as it arrives, as an
     * HCA's DMA does: the checks of {@link #write} (connection and state, rkey, PD, bounds,
     * IBV_ACCESS_REMOTE_WRITE) made now, on any thread, without waiting for a lock and without a side
     * effect, and, when they pass, the target memory held mapped.  Null when this responder cannot tell
     * at once, would refuse, or only copies (the default): the transport then calls {@link #write} in
     * order, which answers as always (a refusal with its side effects).  The transport writes the data
     * into {@link InPlaceWrite#target} and then calls {@link InPlaceWrite#complete} where {@link #write}
     * would have run.
     * @since 2.5
     */
    default InPlaceWrite writeInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        return null;
    }

    /**
     * SEND (or SEND with immediate when {@code withImm}) of {@code length} bytes whose data the transport
     * places itself into the receive it will consume, as an HCA's DMA does: the checks of {@link #send}
     * (connection and state, a receive posted, its SGEs valid and large enough) made now, on any thread,
     * without waiting for a lock and without a side effect (the receive stays posted), and, when they
     * pass, the receive's buffers held mapped.  Null when this responder cannot tell at once, would
     * refuse, takes its receives from a shared receive queue, or only copies (the default): the transport
     * then calls {@link #send} in order.  A SEND placed while others are still placed and not complete goes
     * into the receive after theirs; the transport completes them in the order placed, and none after one that
     * was refused.  {@link InPlaceWrite#complete} consumes the receive and completes it; when the receive is no
     * longer the one the data went into, or its CQ has no room, it answers {@link Outcome#BUSY} and the
     * message must come again.  {@link InPlaceWrite#release} ends a placement, complete or given up.
     * @since 2.6
     */
    default InPlaceWrite sendInPlace(long length, Destination requester, boolean withImm, int immData,
            boolean solicited) {
        return null;
    }

    /**
     * A SEND or RDMA WRITE being placed by the transport into the responder's memory ({@link #sendInPlace},
     * {@link #writeInPlace}).
     * @since 2.5
     */
    interface InPlaceWrite extends InPlaceSink {

        /**
         * In order with the QP's other work, where {@link #write} (or {@link #send}) would have run: the
         * outcome it would have answered, with its side effects (the connection's first message raises
         * COMM_EST; a refusal moves the QP as {@link #write} does; a SEND consumes and completes its
         * receive).  {@code whole}: every byte was written; false when {@link #beginWrite} refused (the
         * memory was deregistered), which answers {@link Outcome#REMOTE_ACCESS_ERROR} for a WRITE and
         * {@link Outcome#REMOTE_OPERATION_ERROR} for a SEND, whose receive completes with
         * IBV_WC_LOC_PROT_ERR.
         */
        Outcome complete(boolean whole);
    }

    /**
     * ATOMIC CMP_AND_SWP: the 64-bit word at {@code remoteAddr} under
     * {@code rkey} (host byte order, little-endian) becomes {@code swap} if it
     * equals {@code compare}; its original value is written into {@code sink}
     * (8 bytes, little-endian).  The operation is atomic with respect to every
     * other atomic the responder's side executes on that memory.  Needs
     * IBV_ACCESS_REMOTE_ATOMIC on the region and on the responder QP
     * ({@link Outcome#REMOTE_ACCESS_ERROR} otherwise); a {@code remoteAddr}
     * that is not 8-byte aligned, or a sink that is not 8 bytes, is
     * {@link Outcome#REMOTE_INVALID_REQUEST}.  The default is a responder
     * without atomics: {@link Outcome#REMOTE_INVALID_REQUEST}, as the NAK of an
     * HCA that does not support them.
     * @since 1.3
     */
    default Outcome compareAndSwap(Payload sink, long remoteAddr, int rkey, long compare, long swap,
            Destination requester) {
        return Outcome.REMOTE_INVALID_REQUEST;
    }

    /**
     * ATOMIC FETCH_AND_ADD: adds {@code add} (modulo 2^64) to the 64-bit word
     * at {@code remoteAddr} under {@code rkey}; its original value goes into
     * {@code sink}.  Checks and default as
     * {@link #compareAndSwap(Payload, long, int, long, long, Destination)}.
     * @since 1.3
     */
    default Outcome fetchAndAdd(Payload sink, long remoteAddr, int rkey, long add, Destination requester) {
        return Outcome.REMOTE_INVALID_REQUEST;
    }

    /** A responder that is not a UD QP's drops datagrams (the default). */
    @Override
    default Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData,
            boolean solicited) {
        return Outcome.DROPPED;
    }

    /**
     * XRC: this responder as an XRC initiator's work request addresses it when
     * it names the SRQ {@code srqn} (the XRCETH): when this is an XRC target,
     * a responder whose operations behave as this one's (connection, state,
     * access flags) but take receives from that SRQ of the target's XRC
     * domain, complete them on the SRQ's CQ (with this QP's number) and check
     * remote keys against the SRQ's PD.  Null when the domain has no such
     * SRQ, or this is no XRC target (the default): the requester completes
     * the work request with IBV_WC_REM_INV_REQ_ERR.
     * @since 1.5
     */
    default Responder xrcSrq(int srqn) {
        return null;
    }
}
