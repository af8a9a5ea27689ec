package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.CompletionRingProducer;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.MappedRegion;

/**
 * A completion queue: a router-made ring memfd the FFL polls, and the
 * completion channel's eventfd when it was created with one.  Pollers post
 * into it concurrently through its {@link CompletionRingProducer}.
 */
final class CompletionQueue extends InUse {

    final int handle;
    final CompletionRingProducer ring;
    private final MappedRegion mapping;
    private final EventFd channel;

    CompletionQueue(int handle, MappedRegion mapping, int slots, EventFd channel, boolean timestamps) {
        this.handle = handle;
        this.mapping = mapping;
        this.channel = channel;
        CompletionRingProducer.initialize(mapping.chunk(0), slots);
        this.ring = new CompletionRingProducer(mapping.chunk(0), slots, channel, timestamps);
    }

    /** Unmaps and closes the channel's eventfd; only once no QP and no poller round references it. */
    void close() {
        mapping.close();
        if (channel != null) {
            channel.close();
        }
    }
}
