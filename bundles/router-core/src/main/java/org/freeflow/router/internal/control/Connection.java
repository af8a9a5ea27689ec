package org.freeflow.router.internal.control;

import org.freeflow.posix.api.SeqpacketSocket;

/** An accepted connection: its socket, the listener it came from, its session. */
final class Connection {

    final SeqpacketSocket socket;
    final Listener listener;
    final Session session;
    boolean closed;

    Connection(SeqpacketSocket socket, Listener listener, Session session) {
        this.socket = socket;
        this.listener = listener;
        this.session = session;
    }
}
