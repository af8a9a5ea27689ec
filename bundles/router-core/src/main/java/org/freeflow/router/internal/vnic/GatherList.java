package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.fastpath.api.Abi.Sge;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.internal.RouterDefaults;

/**
 * A reusable {@link Payload}: the checked SGEs (or inline data) of the work
 * request being executed ({@link #load}), as views over shared memory.  One per QP (so one
 * poller at a time), rebuilt for every attempt.  The views are duplicates of
 * mapped chunks that each segment slot keeps for the last {@link #WAYS}
 * chunks it saw: a QP that sends from the same few buffers allocates nothing.
 */
final class GatherList implements Payload {

    /** Segments a work request can need: 32 SGEs plus the chunk crossings of 2 GiB. */
    static final int CAPACITY = 64;
    /** Views a segment slot keeps. */
    static final int WAYS = 4;

    private final ByteBuffer[] segments = new ByteBuffer[CAPACITY];
    private final ByteBuffer[] viewedChunks = new ByteBuffer[CAPACITY * WAYS];
    private final ByteBuffer[] views = new ByteBuffer[CAPACITY * WAYS];
    private final int[] nextWay = new int[CAPACITY];
    /** The QP's ring memory, which the work requests are read from. */
    private final ByteBuffer shm;
    /** A view of the QP's ring memory for inline data. */
    private final ByteBuffer inlineView;
    /** Inline bytes a work request may carry. */
    private final int maxInlineData;
    /** SGEs a work request may have. */
    private final int maxSge;
    /** The regions of the QP's container, which lkeys name. */
    private final MrTable mrs;
    /** The QP's PD, which every region of an SGE must belong to. */
    private final ProtectionDomain pd;
    private int count;
    private long length;
    /** The regions the segments lie in, each once: what {@link #hold} holds. */
    private final MemoryRegion[] regions = new MemoryRegion[CAPACITY];
    private int regionCount;
    /** The segment is the send queue's inline data, which the FFL reuses once the slot is released. */
    private boolean inline;

    GatherList(ByteBuffer shm, int maxInlineData, int maxSge, MrTable mrs, ProtectionDomain pd) {
        this.shm = shm;
        this.inlineView = shm.duplicate();
        this.maxInlineData = maxInlineData;
        this.maxSge = maxSge;
        this.mrs = mrs;
        this.pd = pd;
    }

    /** True for the work requests whose SGEs receive data: READ and the atomics' 8-byte result. */
    static boolean fetches(int opcode) {
        return opcode == WR_RDMA_READ || atomic(opcode);
    }

    private static boolean atomic(int opcode) {
        return opcode == WR_ATOMIC_CMP_AND_SWP || opcode == WR_ATOMIC_FETCH_AND_ADD;
    }

    /**
     * Fills this list from the send-queue slot at {@code slot} of the QP's
     * ring (empty before): the inline data, or each SGE checked (its lkey names a
     * region of the QP's container and PD that holds the range, with
     * LOCAL_WRITE where data lands: READ, and an atomic's result sink of
     * exactly 8 bytes).  Returns IBV_WC_SUCCESS or the local error.
     */
    int load(int slot, int opcode, int flags) {
        int status = loadEntries(slot, opcode, flags);
        if (status == WC_SUCCESS && atomic(opcode) && length != Long.BYTES) {
            return WC_LOC_LEN_ERR;
        }
        return status;
    }

    private int loadEntries(int slot, int opcode, int flags) {
        if ((flags & SEND_INLINE) != 0 && !fetches(opcode)) {
            int n = shm.getInt(slot + SendWqe.INLINE_LEN);
            if (n < 0 || n > maxInlineData) {
                return WC_LOC_LEN_ERR;
            }
            if (n > 0) {
                int start = slot + SendWqe.SIZE;
                inlineView.limit(start + n);
                inlineView.position(start);
                add(inlineView, n);
                inline = true;
            }
            return WC_SUCCESS;
        }
        int numSge = shm.getInt(slot + SendWqe.NUM_SGE);
        if (numSge < 0 || numSge > maxSge) {
            return WC_LOC_LEN_ERR;
        }
        int needed = fetches(opcode) ? ACCESS_LOCAL_WRITE : 0;
        long total = 0;
        for (int i = 0; i < numSge; i++) {
            int sge = slot + SendWqe.SIZE + i * Sge.SIZE;
            long addr = shm.getLong(sge + Sge.ADDR);
            long len = Integer.toUnsignedLong(shm.getInt(sge + Sge.LENGTH));
            total += len;
            if (total > RouterDefaults.MAX_MSG_SIZE) {
                return WC_LOC_LEN_ERR;
            }
            MemoryRegion mr = mrs.lookup(shm.getInt(sge + Sge.LKEY));
            long off = mr == null ? -1 : mr.localOffset(addr, len);
            if (off < 0 || mr.pd != pd || !mr.allows(needed)) {
                return WC_LOC_PROT_ERR;
            }
            if (!mr.appendTo(this, off, len)) {
                return WC_LOC_LEN_ERR;
            }
            noteRegion(mr);
        }
        return WC_SUCCESS;
    }

    private void noteRegion(MemoryRegion mr) {
        for (int i = 0; i < regionCount; i++) {
            if (regions[i] == mr) {
                return;
            }
        }
        regions[regionCount++] = mr;
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            segments[i] = null;
        }
        for (int i = 0; i < regionCount; i++) {
            regions[i] = null;
        }
        count = 0;
        length = 0;
        regionCount = 0;
        inline = false;
    }

    /**
     * Holds every region the segments lie in (none for no data); null for inline data, and when a region
     * could not be held (then none is).
     */
    @Override
    public Hold hold() {
        if (inline) {
            return null;
        }
        MemoryRegion[] held = new MemoryRegion[regionCount];
        for (int i = 0; i < regionCount; i++) {
            if (!regions[i].hold()) {
                for (int j = 0; j < i; j++) {
                    held[j].release();
                }
                return null;
            }
            held[i] = regions[i];
        }
        return new RegionHold(held);
    }

    /**
     * The segments as memory a transport writes into itself ({@link RegionSink}: views of their own, the
     * regions held and gated); null for inline data, no data, or a region that could not be held.
     */
    RegionSink sinkInPlace() {
        if (inline || count == 0) {
            return null;
        }
        Hold hold = hold();
        if (hold == null) {
            return null;
        }
        ByteBuffer[] views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            views[i] = segments[i].duplicate();
        }
        return new RegionSink(java.util.Arrays.copyOf(regions, regionCount), views, length, hold);
    }

    /**
     * A view of {@code chunk} (a mapped chunk, shared: never moved) this list
     * may set position and limit of, for its next segment.
     */
    ByteBuffer viewOf(ByteBuffer chunk) {
        int base = count * WAYS;
        for (int w = 0; w < WAYS; w++) {
            if (viewedChunks[base + w] == chunk) {
                return views[base + w];
            }
        }
        int w = nextWay[count];
        nextWay[count] = (w + 1) % WAYS;
        viewedChunks[base + w] = chunk;
        views[base + w] = chunk.duplicate();
        return views[base + w];
    }

    void add(ByteBuffer view, int bytes) {
        segments[count++] = view;
        length += bytes;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int segments() {
        return count;
    }

    @Override
    public ByteBuffer segment(int i) {
        return segments[i];
    }
}
