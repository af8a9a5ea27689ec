package org.freeflow.router.internal.vnic;

/**
 * What a queue pair carried, for its view (freeflow:qps, QPS, the metrics).
 * The send side is counted by the QP's requester on its poller, the receive
 * side by whichever requester delivers into it, under the QP's receive lock;
 * views read them without a lock (a figure may lag by a message).
 */
final class QpCounters {

    private long sendWrs;
    private long bytesSent;
    private long sendDropped;
    private long rnrNaks;
    private long ackTimeouts;
    private long recvWrs;
    private long recvDropped;

    /** A work request of {@code bytes} reached its responder. */
    void sent(long bytes) {
        sendWrs++;
        bytesSent += bytes;
    }

    /** An unreliable service's message that nobody took (not counted as sent). */
    void sendDropped() {
        sendDropped++;
    }

    /** A receiver-not-ready answer the requester waits out (RC). */
    void rnrNak() {
        rnrNaks++;
    }

    /** No answer within the QP's timeout: its outstanding work requests are posted again (RC). */
    void ackTimedOut() {
        ackTimeouts++;
    }

    /** A message consumed one of this QP's receives. */
    void received() {
        recvWrs++;
    }

    /** A message reached this QP and was discarded (unreliable services). */
    void receiveDropped() {
        recvDropped++;
    }

    long sendWrs() {
        return sendWrs;
    }

    long bytesSent() {
        return bytesSent;
    }

    long sendDroppedCount() {
        return sendDropped;
    }

    long rnrNaks() {
        return rnrNaks;
    }

    long ackTimeouts() {
        return ackTimeouts;
    }

    long recvWrs() {
        return recvWrs;
    }

    long recvDroppedCount() {
        return recvDropped;
    }
}
