package org.freeflow.router.internal.vnic;

import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * An RDMA WRITE a transport places into a region itself ({@link RcResponder#writeInPlace}): its target
 * ({@link RegionSink}: held, gated) and, in order, its completion by the responder.
 */
final class RegionWrite implements Responder.InPlaceWrite {

    private final RcResponder responder;
    private final RegionSink target;
    private final Destination requester;

    RegionWrite(RcResponder responder, RegionSink target, Destination requester) {
        this.responder = responder;
        this.target = target;
        this.requester = requester;
    }

    @Override
    public Payload target() {
        return target;
    }

    @Override
    public boolean beginWrite() {
        return target.beginWrite();
    }

    @Override
    public void endWrite() {
        target.endWrite();
    }

    @Override
    public Outcome complete(boolean whole) {
        return responder.completeInPlace(requester, whole);
    }

    @Override
    public void release() {
        target.release();
    }
}
