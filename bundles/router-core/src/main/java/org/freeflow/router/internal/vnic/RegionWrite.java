package org.freeflow.router.internal.vnic;

import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * An RDMA WRITE a transport places into a region itself ({@link RcResponder#writeInPlace}): the target
 * range, held mapped until {@link #release}, and the gate each write passes ({@link MemoryRegion#beginWrite}).
 */
final class RegionWrite implements Responder.InPlaceWrite {

    private final RcResponder responder;
    private final MemoryRegion region;
    private final RegionSlice target;
    private final Destination requester;
    private final AtomicBoolean released = new AtomicBoolean();

    /** @param region held once ({@link MemoryRegion#hold}) for this write: {@link #release} ends it */
    RegionWrite(RcResponder responder, MemoryRegion region, RegionSlice target, Destination requester) {
        this.responder = responder;
        this.region = region;
        this.target = target;
        this.requester = requester;
    }

    @Override
    public Payload target() {
        return target;
    }

    @Override
    public boolean beginWrite() {
        return region.beginWrite();
    }

    @Override
    public void endWrite() {
        region.endWrite();
    }

    @Override
    public Outcome complete(boolean whole) {
        return responder.completeInPlace(requester, whole);
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            region.release();
        }
    }
}
