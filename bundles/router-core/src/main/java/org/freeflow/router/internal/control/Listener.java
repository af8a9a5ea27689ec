package org.freeflow.router.internal.control;

import java.nio.file.Path;
import org.freeflow.posix.api.SeqpacketSocket;

/** A listening socket of the control server, and what its connections are for. */
public final class Listener {

    final SeqpacketSocket socket;
    final String label;
    final SessionFactory factory;

    Listener(SeqpacketSocket socket, String label, SessionFactory factory) {
        this.socket = socket;
        this.label = label;
        this.factory = factory;
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
