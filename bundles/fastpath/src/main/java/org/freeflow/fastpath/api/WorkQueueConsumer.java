package org.freeflow.fastpath.api;

import java.nio.ByteBuffer;

/**
 * The router's end of a work queue (send or receive queue of a QP memfd): the
 * FFL produces entries, this reads them in order.  {@link #available()}
 * acquire-loads {@code prod}; the caller reads the entry at {@link #head()}
 * with absolute gets and, once done with it, {@link #consume()}s it, which
 * release-stores {@code cons} so the FFL may reuse the slot.
 * <p>
 * The FFL is not trusted: {@code prod} may be anything, so callers treat
 * {@code available() > slots()} (unsigned) as a corrupt queue.  Slot offsets
 * are always inside the queue.  One thread only.
 */
public final class WorkQueueConsumer {

    private final ByteBuffer shm;
    private final int prodOffset;
    private final int consOffset;
    private final int entriesOffset;
    private final int mask;
    private final int slotSize;
    private int cons;
    /** {@code prod} as last loaded. */
    private int prod;
    private boolean unpublished;

    /**
     * @param shm           the whole QP memfd mapping (direct, little-endian)
     * @param ctrlOffset    offset of this queue's {@code struct ff_ring_ctrl}
     * @param entriesOffset offset of slot 0
     * @param slots         number of slots, a power of two
     * @param slotSize      bytes per slot
     */
    public WorkQueueConsumer(ByteBuffer shm, int ctrlOffset, int entriesOffset, int slots, int slotSize) {
        if (!RingIndex.isPowerOfTwo(slots)) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        if ((long) entriesOffset + (long) slots * slotSize > shm.capacity()) {
            throw new IllegalArgumentException("queue does not fit its buffer");
        }
        this.shm = shm;
        this.prodOffset = ctrlOffset + Abi.RingCtrl.PROD;
        this.consOffset = ctrlOffset + Abi.RingCtrl.CONS;
        this.entriesOffset = entriesOffset;
        this.mask = slots - 1;
        this.slotSize = slotSize;
        this.cons = RingIndex.loadAcquire(shm, consOffset);
        this.prod = cons;
    }

    /**
     * Entries posted and not consumed yet (prod - cons, as unsigned); at
     * least one when there is any.
     */
    public int available() {
        int n = prod - cons;
        if (n == 0) {
            prod = RingIndex.loadAcquire(shm, prodOffset);
            n = prod - cons;
        }
        return n;
    }

    /**
     * Entries posted and not consumed, from a fresh load of {@code prod}
     * (an exact count, for the SRQ limit; {@link #available()} may report
     * fewer).
     */
    public int posted() {
        prod = RingIndex.loadAcquire(shm, prodOffset);
        return prod - cons;
    }

    /**
     * A fresh acquire load of {@code prod}, as the FFL published it; unlike
     * every other method, callable from any thread (it reads the shared
     * index only): a sign that entries were posted, not a count to trust.
     */
    public int producerIndex() {
        return RingIndex.loadAcquire(shm, prodOffset);
    }

    /** True when the FFL claims more entries than the queue holds. */
    public boolean corrupt(int available) {
        return Integer.compareUnsigned(available, mask + 1) > 0;
    }

    /** Offset in the buffer of the oldest unconsumed entry. */
    public int head() {
        return entriesOffset + (cons & mask) * slotSize;
    }

    /**
     * Offset in the buffer of the entry {@code ahead} places after the head
     * (0: the head), for a consumer that works on several unconsumed entries
     * at once; the caller keeps {@code ahead} below what it saw available.
     */
    public int slot(int ahead) {
        return entriesOffset + ((cons + ahead) & mask) * slotSize;
    }

    /** Releases the head entry (and any advanced past before) to the producer. */
    public void consume() {
        cons++;
        RingIndex.storeRelease(shm, consOffset, cons);
        unpublished = false;
    }

    /** Moves past the head entry without releasing it yet; {@link #publish()} does. */
    public void advance() {
        cons++;
        unpublished = true;
    }

    /** Releases every entry {@link #advance()}d past. */
    public void publish() {
        if (unpublished) {
            RingIndex.storeRelease(shm, consOffset, cons);
            unpublished = false;
        }
    }

    /** Drops every posted entry without reading it; returns how many. */
    public int discardAll() {
        prod = RingIndex.loadAcquire(shm, prodOffset);
        int n = prod - cons;
        if (corrupt(n)) {
            n = mask + 1;
        }
        cons = prod;
        RingIndex.storeRelease(shm, consOffset, cons);
        unpublished = false;
        return n;
    }

    /** Entries consumed so far (free-running). */
    public int consumed() {
        return cons;
    }

    /** Number of slots. */
    public int slots() {
        return mask + 1;
    }

    /** Bytes per slot. */
    public int slotSize() {
        return slotSize;
    }

    /** The buffer the queue lives in. */
    public ByteBuffer buffer() {
        return shm;
    }
}
