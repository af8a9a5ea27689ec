package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Payload;

/**
 * Registered memory a transport writes into itself: a READ's local memory ({@link GatherList#sinkInPlace}),
 * a WRITE's target ({@link RegionWrite}).  Views of the ranges, the regions they lie in held until
 * {@link #release}, and a write begins only while every one of those regions is still registered
 * ({@link MemoryRegion#beginWrite}).
 */
final class RegionSink implements InPlaceSink, Payload {

    private final MemoryRegion[] regions;
    private final ByteBuffer[] views;
    private final long length;
    private final Payload.Hold hold;

    /** @param hold the holds on {@code regions}, which {@link #release} ends */
    RegionSink(MemoryRegion[] regions, ByteBuffer[] views, long length, Payload.Hold hold) {
        this.regions = regions;
        this.views = views;
        this.length = length;
        this.hold = hold;
    }

    /** [mapOffset, mapOffset + length) of {@code region}, held once already: the release ends that hold. */
    static RegionSink of(MemoryRegion region, long mapOffset, long length) {
        RegionSlice slice = new RegionSlice(region, mapOffset, length);
        ByteBuffer[] views = new ByteBuffer[slice.segments()];
        for (int i = 0; i < views.length; i++) {
            views[i] = slice.segment(i);
        }
        return new RegionSink(new MemoryRegion[] {region}, views, length, new RegionHold(region));
    }

    @Override
    public Payload target() {
        return this;
    }

    @Override
    public boolean beginWrite() {
        for (int i = 0; i < regions.length; i++) {
            if (!regions[i].beginWrite()) {
                for (int j = 0; j < i; j++) {
                    regions[j].endWrite();
                }
                return false;
            }
        }
        return true;
    }

    @Override
    public void endWrite() {
        for (MemoryRegion r : regions) {
            r.endWrite();
        }
    }

    @Override
    public void release() {
        hold.release(); // a RegionHold: once
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int segments() {
        return views.length;
    }

    @Override
    public ByteBuffer segment(int i) {
        return views[i];
    }

    /** Held already, until {@link #release}: no hold of its own. */
    @Override
    public Hold hold() {
        return null;
    }
}
