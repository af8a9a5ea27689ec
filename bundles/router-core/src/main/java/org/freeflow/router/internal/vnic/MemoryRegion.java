package org.freeflow.router.internal.vnic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.posix.api.MappedRegion;

/**
 * A registered memory region: the page range of the application's memfd that
 * covers [addr, addr + length), mapped here.  Remote peers address it by iova.
 * The byte at application address {@code va} is at mapping offset
 * {@code va - pageStart}; "map offsets" below are such offsets.
 * <p>
 * Immutable once made: pollers read it concurrently (buffers only with
 * absolute accesses; a gather list takes its own views of the chunks).  A
 * zero-length region has no mapping.  The mapping lives as long as the
 * registration or a transport's {@link #hold} on it, whichever ends last.
 */
final class MemoryRegion {

    /**
     * 64-bit words of a mapped chunk, for the responder's atomics: a locked
     * instruction on the shared page, so atomic against every other atomic of
     * any thread (any poller) and of the application itself, with no lock.
     */
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    final int key;
    final ProtectionDomain pd;
    final int access;
    final long addr;
    final long length;
    final long iova;
    final int handle;
    /** When ibv_reg_mr made it (MEMORY_MAPS' REGISTERED_AT, the same when the row is written again). */
    final Instant registeredAt = Instant.now();
    private final MappedRegion mapping;
    private final long addrOffset;
    /** The registration's own hold (1 until {@link #unmap}) and one per transport {@link #hold}. */
    private final AtomicInteger holds = new AtomicInteger(1);
    /** Writers of another thread under way ({@link #beginWrite}); the sign bit once deregistered. */
    private final AtomicInteger writers = new AtomicInteger();
    private static final int CLOSED = Integer.MIN_VALUE;

    MemoryRegion(int key, int handle, ProtectionDomain pd, int access, long addr, long length, long iova,
            MappedRegion mapping) {
        this.key = key;
        this.handle = handle;
        this.pd = pd;
        this.access = access;
        this.addr = addr;
        this.length = length;
        this.iova = iova;
        this.mapping = mapping;
        this.addrOffset = mapping == null ? 0 : addr - mapping.fileOffset();
    }

    /** Map offset of [va, va + len) if it lies inside the region, else -1. */
    long localOffset(long va, long len) {
        return inside(va - addr, len) ? addrOffset + (va - addr) : -1;
    }

    /** Map offset of the remote range [remoteAddr, remoteAddr + len) if it lies inside, else -1. */
    long remoteOffset(long remoteAddr, long len) {
        return inside(remoteAddr - iova, len) ? addrOffset + (remoteAddr - iova) : -1;
    }

    private boolean inside(long rel, long len) {
        return len >= 0 && len <= length && Long.compareUnsigned(rel, length - len) <= 0;
    }

    /** True when every bit of {@code flags} was granted at registration. */
    boolean allows(int flags) {
        return (access & flags) == flags;
    }

    /**
     * True when the word at map offset {@code mapOffset} can be accessed
     * atomically: 8-byte aligned in memory (chunks start on page boundaries,
     * so the offset decides).
     */
    static boolean wordAligned(long mapOffset) {
        return (mapOffset & 7) == 0;
    }

    /**
     * Atomically: the word at {@code mapOffset} becomes {@code swap} if it is
     * {@code compare}; returns the value it had.  The offset is
     * {@link #wordAligned} and inside the region.
     */
    long compareAndExchange(long mapOffset, long compare, long swap) {
        return (long) WORD.compareAndExchange(wordChunk(mapOffset), wordIndex(mapOffset), compare, swap);
    }

    /** Atomically adds {@code add} to the word at {@code mapOffset}; returns the value it had. */
    long getAndAdd(long mapOffset, long add) {
        return (long) WORD.getAndAdd(wordChunk(mapOffset), wordIndex(mapOffset), add);
    }

    private ByteBuffer wordChunk(long mapOffset) {
        return chunk((int) (mapOffset >>> MappedRegion.CHUNK_SHIFT));
    }

    private static int wordIndex(long mapOffset) {
        return (int) (mapOffset & MappedRegion.CHUNK_MASK);
    }

    /** Chunk {@code i} of the mapping (shared: absolute access only). */
    ByteBuffer chunk(int i) {
        return mapping.chunk(i);
    }

    /**
     * Appends [mapOffset, mapOffset + len) to {@code list}, one segment per
     * chunk it touches; false when the list has no room left.
     */
    boolean appendTo(GatherList list, long mapOffset, long len) {
        long off = mapOffset;
        long left = len;
        while (left > 0) {
            if (list.segments() == GatherList.CAPACITY) {
                return false;
            }
            int chunk = (int) (off >>> MappedRegion.CHUNK_SHIFT);
            int index = (int) (off & MappedRegion.CHUNK_MASK);
            int n = (int) Math.min(left, (long) chunk(chunk).capacity() - index);
            ByteBuffer view = list.viewOf(chunk(chunk));
            view.limit(index + n);
            view.position(index);
            list.add(view, n);
            off += n;
            left -= n;
        }
        return true;
    }

    /**
     * Keeps the mapping until {@link #release}: false when it is unmapped or about to be (deregistered, and
     * every hold released).
     */
    boolean hold() {
        for (int h = holds.get(); h > 0; h = holds.get()) {
            if (holds.compareAndSet(h, h + 1)) {
                return true;
            }
        }
        return false;
    }

    /** True while the registration or a transport's hold keeps it mapped. */
    boolean mapped() {
        return holds.get() > 0;
    }

    /** Ends one {@link #hold}; the last one of a deregistered region unmaps it. */
    void release() {
        if (holds.decrementAndGet() == 0 && mapping != null) {
            mapping.close();
        }
    }

    /**
     * A thread other than the pollers (a transport's I/O thread) is about to write into the region: false
     * once it is deregistered ({@link #closeToWriters}).  Each write is short and never blocks; it ends
     * with {@link #endWrite}.
     */
    boolean beginWrite() {
        for (int w = writers.get(); w >= 0; w = writers.get()) {
            if (writers.compareAndSet(w, w + 1)) {
                return true;
            }
        }
        return false;
    }

    void endWrite() {
        writers.decrementAndGet();
    }

    /**
     * Deregistration: no write begins from now on, and this returns once the writes under way ended
     * (each one socket read: microseconds).  On the thread that answers ibv_dereg_mr, never a poller.
     */
    void closeToWriters() {
        writers.getAndUpdate(w -> w | CLOSED);
        while ((writers.get() & ~CLOSED) != 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * The registration ends (only once the pollers no longer reference the region): unmaps now, or when the
     * last transport's hold is released.
     */
    void unmap() {
        release();
    }

    @Override
    public String toString() {
        return "MR[key=0x" + Integer.toHexString(key) + ", addr=0x" + Long.toHexString(addr) + ", length=" + length
                + "]";
    }
}
