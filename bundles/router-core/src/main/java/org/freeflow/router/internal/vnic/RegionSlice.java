package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.router.api.transport.Payload;

/**
 * A range of one region's mapping as a {@link Payload}: one segment per
 * mapped chunk the range touches, each a view of its own.  What a responder
 * hands a transport that reads a READ's data when it transmits it.
 */
final class RegionSlice implements Payload {

    private final MemoryRegion region;
    private final long length;
    private final ByteBuffer[] segments;

    /** [mapOffset, mapOffset + length) of {@code region}, checked to lie inside it. */
    RegionSlice(MemoryRegion region, long mapOffset, long length) {
        this.region = region;
        this.length = length;
        int first = (int) (mapOffset >>> MappedRegion.CHUNK_SHIFT);
        int last = length == 0 ? first - 1 : (int) ((mapOffset + length - 1) >>> MappedRegion.CHUNK_SHIFT);
        segments = new ByteBuffer[last - first + 1];
        long off = mapOffset;
        long left = length;
        for (int i = 0; i < segments.length; i++) {
            ByteBuffer chunk = region.chunk(first + i);
            int index = (int) (off & MappedRegion.CHUNK_MASK);
            int n = (int) Math.min(left, (long) chunk.capacity() - index);
            segments[i] = chunk.duplicate().limit(index + n).position(index);
            off += n;
            left -= n;
        }
    }

    @Override
    public Hold hold() {
        return region.hold() ? new RegionHold(region) : null;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int segments() {
        return segments.length;
    }

    @Override
    public ByteBuffer segment(int i) {
        return segments[i];
    }
}
