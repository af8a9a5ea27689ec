package org.freeflow.router.internal.control;

import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.vnic.VerbsException;

/**
 * The session of a connection whose peer the socket does not admit: its
 * first request is answered EACCES, then the connection ends.  It never
 * reaches a virtual NIC.
 */
final class RefusedSession implements Session {

    private final String why;

    RefusedSession(String why) {
        this.why = why;
    }

    @Override
    public void handle(Request request, Reply reply) {
        throw new VerbsException(Errno.EACCES, why);
    }

    @Override
    public boolean endsAfterReply() {
        return true;
    }

    @Override
    public void close() {
        // owns nothing
    }
}
