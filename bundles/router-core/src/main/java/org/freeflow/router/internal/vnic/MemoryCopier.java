package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.router.api.transport.Payload;

/**
 * The one copy of the local transport: between payload segments and mapped
 * regions, split at 1 GiB chunk boundaries, with absolute bulk puts (no
 * buffer state changes, no allocation).
 */
final class MemoryCopier {

    private MemoryCopier() {
    }

    /** Copies all of {@code src} into {@code dst} from map offset {@code dstOffset}. */
    static void copy(Payload src, MemoryRegion dst, long dstOffset) {
        long off = dstOffset;
        for (int s = 0; s < src.segments(); s++) {
            ByteBuffer seg = src.segment(s);
            off = copySegment(seg, seg.position(), seg.remaining(), dst, off);
        }
    }

    /** Copies all of {@code src} into the receive buffers of {@code dst}, in order. */
    static void scatter(Payload src, ScatterList dst) {
        scatter(src, dst, 0);
    }

    /** Copies all of {@code src} into the receive buffers of {@code dst} from byte {@code at} of them on. */
    static void scatter(Payload src, ScatterList dst, long at) {
        long to = at;
        for (int s = 0; s < src.segments(); s++) {
            ByteBuffer seg = src.segment(s);
            to = scatter(seg, seg.position(), seg.remaining(), dst, to);
        }
    }

    /** Copies {@code len} bytes of {@code seg} from {@code pos} into the receive buffers from byte {@code at}. */
    static long scatter(ByteBuffer seg, int pos, int len, ScatterList dst, long at) {
        int target = 0;
        long skip = at;
        while (target < dst.count && skip >= dst.lengths[target]) {
            skip -= dst.lengths[target];
            target++;
        }
        int from = pos;
        int left = len;
        while (left > 0) {
            while (skip == dst.lengths[target]) {
                target++;
                skip = 0;
            }
            int n = (int) Math.min(left, dst.lengths[target] - skip);
            copySegment(seg, from, n, dst.regions[target], dst.offsets[target] + skip);
            skip += n;
            from += n;
            left -= n;
        }
        return at + len;
    }

    /** Copies [srcOffset, srcOffset + dst.length()) of {@code src} into the segments of {@code dst}. */
    static void copy(MemoryRegion src, long srcOffset, Payload dst) {
        long off = srcOffset;
        for (int s = 0; s < dst.segments(); s++) {
            ByteBuffer seg = dst.segment(s);
            int pos = seg.position();
            int left = seg.remaining();
            while (left > 0) {
                ByteBuffer chunk = src.chunk((int) (off >>> MappedRegion.CHUNK_SHIFT));
                int index = (int) (off & MappedRegion.CHUNK_MASK);
                int n = Math.min(left, chunk.capacity() - index);
                seg.put(pos, chunk, index, n);
                pos += n;
                left -= n;
                off += n;
            }
        }
    }

    /** Copies {@code src}'s position..limit into the segments of {@code dst}, in order (as many bytes as it holds). */
    static void copy(ByteBuffer src, Payload dst) {
        int from = src.position();
        for (int s = 0; s < dst.segments(); s++) {
            ByteBuffer seg = dst.segment(s);
            int n = seg.remaining();
            seg.put(seg.position(), src, from, n);
            from += n;
        }
    }

    /**
     * Writes {@code value} little-endian into the 8 bytes of {@code dst}
     * (an atomic's result sink), byte by byte: its segments may split the
     * word at a chunk boundary.
     */
    static void putLong(Payload dst, long value) {
        long v = value;
        for (int s = 0; s < dst.segments(); s++) {
            ByteBuffer seg = dst.segment(s);
            for (int i = seg.position(); i < seg.limit(); i++) {
                seg.put(i, (byte) v);
                v >>>= 8;
            }
        }
    }

    private static long copySegment(ByteBuffer seg, int pos, int len, MemoryRegion dst, long dstOffset) {
        long off = dstOffset;
        int left = len;
        int from = pos;
        while (left > 0) {
            ByteBuffer chunk = dst.chunk((int) (off >>> MappedRegion.CHUNK_SHIFT));
            int index = (int) (off & MappedRegion.CHUNK_MASK);
            int n = Math.min(left, chunk.capacity() - index);
            chunk.put(index, seg, from, n);
            from += n;
            left -= n;
            off += n;
        }
        return off;
    }
}
