package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.CompletionRingProducer;
import org.freeflow.posix.api.MappedRegion;

/** A completion queue: a router-made ring memfd the FFL polls. */
final class CompletionQueue {

    final int handle;
    final CompletionRingProducer ring;
    private final MappedRegion mapping;
    private int users;

    CompletionQueue(int handle, MappedRegion mapping, int slots) {
        this.handle = handle;
        this.mapping = mapping;
        CompletionRingProducer.initialize(mapping.chunk(0), slots);
        this.ring = new CompletionRingProducer(mapping.chunk(0), slots);
    }

    void retain() {
        users++;
    }

    void release() {
        users--;
    }

    boolean inUse() {
        return users > 0;
    }

    /** Unmaps; only once no QP and no poller round references it. */
    void unmap() {
        mapping.close();
    }
}
