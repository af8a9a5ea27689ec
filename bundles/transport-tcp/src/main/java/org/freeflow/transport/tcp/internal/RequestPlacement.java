package org.freeflow.transport.tcp.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;

/**
 * A SEND or RDMA WRITE whose data the connection's I/O thread reads from the
 * socket straight into the responder's memory ({@link Responder#sendInPlace}:
 * the receive it will consume; {@link Responder#writeInPlace}: the target
 * region), with no copy in between: the checks were made when its fixed
 * fields arrived, and it claims its session ({@link ResponderSession#claim}).
 * Once all of it is in ({@link #arrived}), the session expects the next PSN;
 * a WRITE counts as executed then, and its claim ends.  A SEND's claim lasts
 * until {@link #finish} consumed its receive: no request behind it from
 * another connection may take that receive first, and the SENDs placed behind
 * it on this connection go into the receives after it.  A message whose
 * memory was deregistered while it came in ({@link SinkPlacement}) is refused
 * by {@link #finish}, the session claimed until then.  It ends once: in
 * order on the connection's executor ({@link #finish}, which completes and
 * acknowledges it, refuses it, or drops it behind a refusal), or given up
 * when the connection ends first ({@link #abandon}: the requester sends it
 * again, a duplicate if it counted as executed, else placed or copied whole
 * again).
 */
final class RequestPlacement extends SinkPlacement {

    final ResponderSession session;
    final long psn;
    final Responder responder;
    private final Responder.InPlaceWrite write;
    /** A WRITE: executed once its data is in.  A SEND: when {@link #finish} consumed its receive. */
    private final boolean executedOnArrival;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** All of it came in and the session moved on to the next PSN: a SEND not executed yet. Under the lock. */
    private boolean movedOn;
    /** Its claim on the session lasts. Under the session's lock. */
    private boolean claiming = true;

    /** Under the session's lock, which this placement has just claimed. */
    RequestPlacement(ResponderSession session, long psn, Responder responder, Responder.InPlaceWrite write,
            boolean executedOnArrival) {
        super(write);
        this.executedOnArrival = executedOnArrival;
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
     * On the I/O thread, all of the data read: when it all went in, the session expects the next PSN (which
     * may be placed or executed), and a WRITE counts as executed, its claim ended; otherwise the claim lasts
     * until {@link #finish} refused it.
     */
    void arrived() {
        session.lock();
        try {
            if (whole() && session.expected == psn) {
                session.expected = psn + 1;
                movedOn = !executedOnArrival;
                if (executedOnArrival) {
                    endClaim();
                }
            }
        } finally {
            session.unlock();
        }
    }

    /**
     * On the executor's poller, in order, under the session's lock: the message's outcome (its QP's checks
     * again, with their side effects; a refusal when its memory was deregistered under it; a SEND's receive
     * consumed), the claim ended; null when it was given up already, or comes behind a refusal (the session
     * expects an earlier PSN again: this one is sent again too).
     */
    Outcome finish() {
        if (!ended.compareAndSet(false, true)) {
            return null;
        }
        try {
            return session.expected < psn ? null : write.complete(whole());
        } finally {
            releaseSink(); // before the claim ends: the responder counts the placements under way
            endClaim();
        }
    }

    @Override
    public void abandon() {
        if (ended.compareAndSet(false, true)) {
            releaseSink();
            session.lock();
            try {
                if (movedOn) {
                    session.expected = Math.min(session.expected, psn); // a SEND never executed: it comes again
                }
                endClaim();
            } finally {
                session.unlock();
            }
        }
    }

    /** Under the session's lock. */
    private void endClaim() {
        if (claiming) {
            claiming = false;
            session.endClaim();
        }
    }
}
