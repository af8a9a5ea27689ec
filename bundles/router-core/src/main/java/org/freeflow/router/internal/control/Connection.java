package org.freeflow.router.internal.control;

import org.freeflow.posix.api.SeqpacketSocket;

/** An accepted connection: its socket, the listener it came from, its session. */
final class Connection {

    final SeqpacketSocket socket;
    final Listener listener;
    final Session session;
    boolean closed;
    private boolean awaitingReply;

    Connection(SeqpacketSocket socket, Listener listener, Session session) {
        this.socket = socket;
        this.listener = listener;
        this.session = session;
    }

    /** A reply was deferred: do not read the next request until it is sent. */
    void awaitReply() {
        awaitingReply = true;
    }

    /** The deferred reply is being sent: read again. */
    void replied() {
        awaitingReply = false;
    }

    boolean awaitingReply() {
        return awaitingReply;
    }
}
