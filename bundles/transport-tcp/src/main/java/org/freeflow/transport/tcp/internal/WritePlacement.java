package org.freeflow.transport.tcp.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;

/**
 * An RDMA WRITE whose data the connection's I/O thread reads from the socket
 * straight into the target region ({@link Responder#writeInPlace}), with no
 * copy in between: the checks were made when its fixed fields arrived, and
 * its session is claimed for it ({@link ResponderSession#claim}) until all of
 * it is in ({@link #arrived}: then it counts as executed).  A WRITE whose
 * region was deregistered while it came in ({@link SinkPlacement}) answers
 * REMOTE_ACCESS_ERROR, the session claimed until then.  It ends
 * once: in order on the connection's executor ({@link #finish}, which
 * acknowledges or refuses it), or given up when the connection ends first
 * ({@link #abandon}: the requester sends it again, a duplicate if all of it
 * was in, else written whole again).
 */
final class WritePlacement extends SinkPlacement {

    final ResponderSession session;
    final long psn;
    final Responder responder;
    private final Responder.InPlaceWrite write;
    private final AtomicBoolean ended = new AtomicBoolean();

    /** Under the session's lock, which this placement has just claimed. */
    WritePlacement(ResponderSession session, long psn, Responder responder, Responder.InPlaceWrite write) {
        super(write);
        this.session = session;
        this.psn = psn;
        this.responder = responder;
        this.write = write;
    }

    @Override
    public int headBytes() {
        return Requests.DATA;
    }

    /**
     * On the I/O thread, all of the data read: when it all went into the target, the WRITE counts as
     * executed (the session's next PSN may be placed or executed) and its claim ends; otherwise the claim
     * lasts until {@link #finish} refused it.
     */
    void arrived() {
        session.lock();
        try {
            if (whole()) {
                session.expected = psn + 1;
                session.endClaim(this);
            }
        } finally {
            session.unlock();
        }
    }

    /**
     * On the executor's poller, in order, under the session's lock: the WRITE's outcome (its QP's checks
     * again, with their side effects; REMOTE_ACCESS_ERROR when its region was deregistered under it), the
     * claim ended; null when it was given up already.
     */
    Outcome finish() {
        if (!ended.compareAndSet(false, true)) {
            return null;
        }
        try {
            return write.complete(whole());
        } finally {
            session.endClaim(this);
            releaseSink();
        }
    }

    @Override
    public void abandon() {
        if (ended.compareAndSet(false, true)) {
            session.lock();
            try {
                session.endClaim(this);
            } finally {
                session.unlock();
            }
            releaseSink();
        }
    }
}
