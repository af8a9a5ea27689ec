package org.freeflow.router.internal.vnic;

import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Payload;

/** A transport's holds on regions ({@link MemoryRegion#hold}, taken): released together, once. */
final class RegionHold implements Payload.Hold {

    private final MemoryRegion[] held;
    private final AtomicBoolean released = new AtomicBoolean();

    /** @param held regions this hold owns one {@link MemoryRegion#hold} of each */
    RegionHold(MemoryRegion... held) {
        this.held = held;
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            for (MemoryRegion mr : held) {
                mr.release();
            }
        }
    }
}
