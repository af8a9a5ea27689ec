package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Verbs;

/**
 * The checked SGEs of a receive work request: where an incoming SEND lands.
 * One per QP, reused.
 */
final class ScatterList {

    final MemoryRegion[] regions;
    final long[] offsets;
    final long[] lengths;
    int count;
    long capacity;

    ScatterList(int maxSge) {
        regions = new MemoryRegion[maxSge];
        offsets = new long[maxSge];
        lengths = new long[maxSge];
    }

    /**
     * Reads and checks the SGEs of the receive slot at {@code slot}: each lkey
     * must name a region of {@code table} in {@code pd} with LOCAL_WRITE that
     * holds the range.  Returns IBV_WC_SUCCESS or the failing status.
     */
    int load(ByteBuffer rq, int slot, int numSge, MrTable table, ProtectionDomain pd) {
        clear();
        if (numSge < 0 || numSge > regions.length) {
            return Verbs.WC_LOC_LEN_ERR;
        }
        for (int i = 0; i < numSge; i++) {
            int sge = slot + Abi.RecvWqe.SIZE + i * Abi.Sge.SIZE;
            long addr = rq.getLong(sge + Abi.Sge.ADDR);
            long len = Integer.toUnsignedLong(rq.getInt(sge + Abi.Sge.LENGTH));
            MemoryRegion mr = table.lookup(rq.getInt(sge + Abi.Sge.LKEY));
            long off = mr == null ? -1 : mr.localOffset(addr, len);
            if (off < 0 || mr.pd != pd || !mr.allows(Verbs.ACCESS_LOCAL_WRITE)) {
                clear();
                return Verbs.WC_LOC_PROT_ERR;
            }
            regions[count] = mr;
            offsets[count] = off;
            lengths[count] = len;
            count++;
            capacity += len;
        }
        return Verbs.WC_SUCCESS;
    }

    /**
     * The first {@code length} bytes of the loaded buffers (at most {@link #capacity}) as memory a transport
     * writes into itself, each region they lie in held; null when one of them is being deregistered.
     */
    RegionSink sinkInPlace(long length) {
        MemoryRegion[] held = new MemoryRegion[count];
        List<ByteBuffer> views = new ArrayList<>(count);
        int h = 0;
        long left = length;
        for (int i = 0; i < count && left > 0; i++) {
            long n = Math.min(lengths[i], left);
            if (n == 0) {
                continue;
            }
            if (!regions[i].hold()) {
                new RegionHold(Arrays.copyOf(held, h)).release();
                return null;
            }
            held[h++] = regions[i];
            RegionSlice slice = new RegionSlice(regions[i], offsets[i], n);
            for (int s = 0; s < slice.segments(); s++) {
                views.add(slice.segment(s));
            }
            left -= n;
        }
        MemoryRegion[] holds = Arrays.copyOf(held, h);
        return new RegionSink(holds, views.toArray(new ByteBuffer[0]), length, new RegionHold(holds));
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            regions[i] = null;
        }
        count = 0;
        capacity = 0;
    }
}
