package org.freeflow.router.internal.control;

import java.nio.file.Path;
import org.freeflow.posix.api.SeqpacketSocket;

/** A listening socket of the control server, and what its connections are for. */
public final class Listener {

    final SeqpacketSocket socket;
    final String label;
    final SessionFactory factory;
    final SocketAccess access;
    /** Connections refused by {@link #access}; written on the control thread. */
    private volatile long refused;

    Listener(SeqpacketSocket socket, String label, SessionFactory factory, SocketAccess access) {
        this.socket = socket;
        this.label = label;
        this.factory = factory;
        this.access = access;
    }

    /** Connections refused because their peer was not admitted. */
    public long refused() {
        return refused;
    }

    void countRefusal() {
        refused++;
    }

    /** The socket's path. */
    public Path path() {
        return socket.path();
    }

    @Override
    public String toString() {
        return label + " at " + socket.path();
    }
}
