package org.freeflow.fastpath.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.freeflow.posix.api.Pipe;

/**
 * The router's end of a completion ring (CQ memfd).  Several pollers may
 * complete into one CQ (its QPs may be served by different pollers), so the
 * producer side is guarded by one {@link SpinLock} (one compare-and-set, a
 * release store to let go: no full fence per completion): a poller first
 * {@link #reserve()}s an entry, does its work, then {@link #post}s into the
 * reservation (write the {@code struct ff_cqe}, release-store {@code prod})
 * or {@link #cancel()}s it.  Room is counted against the FFL's {@code cons}
 * as last loaded; it is loaded again (acquire) only when that count says the
 * ring is full, so a producer does not pull the line the FFL's polls write
 * on every completion.  A full ring is back-pressure: {@code reserve}
 * says no and the caller tries again later; an entry is never dropped.  The
 * ring remembers since when it has refused ({@link #fullSince()}), so that
 * the owner can tell a CQ the application drains slowly from one it has
 * abandoned, and {@link #fail() fail} it: an overrun CQ takes no entry
 * ever again.  A consumer index that makes no sense (more than the ring
 * ahead of, or behind, the producer) reads as a full ring.
 * <p>
 * With a completion channel, every post then applies the completion-event
 * protocol of ff_abi.h: full fence, read {@code armed}; NEXT matches any
 * entry, SOLICITED a solicited receive or an error; the exchange of
 * {@code armed} to 0 that succeeds exchanges {@code notified} to 1 and,
 * when it was 0, writes a byte to the channel's pipe (one byte per
 * notified CQ).  No allocation, no logging; the pipe write is the only
 * system call, only when armed, and it never blocks.
 */
public final class CompletionRingProducer {

    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(CompletionRingProducer.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SpinLock lock = new SpinLock();
    private final ByteBuffer shm;
    private final int slots;
    private final int mask;
    private final Pipe channel;
    private final boolean timestamps;
    private int prod;
    private int reserved;
    /** The FFL's cons as last loaded; at most the real one. */
    private int cons;
    /**
     * prod + reserved for the lock-free {@link #hasRoom()} hint: written with
     * release stores (a volatile store would fence), read with acquire loads.
     */
    @SuppressWarnings("unused") // through CLAIMED
    private int claimed;
    private long events;
    /** {@link System#nanoTime()} of the first refusal since the last reservation, or 0. */
    private long fullSince;
    private volatile boolean failed;

    /**
     * A producer without a completion channel.
     *
     * @param shm   the whole CQ memfd mapping (direct, little-endian), header already written
     * @param slots number of entries, a power of two
     */
    public CompletionRingProducer(ByteBuffer shm, int slots) {
        this(shm, slots, null, false);
    }

    /**
     * @param shm     the whole CQ memfd mapping (direct, little-endian), header already written
     * @param slots   number of entries, a power of two
     * @param channel    the completion channel's pipe (this process writes), or null; the caller keeps and closes it
     * @param timestamps stamp every entry with {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux)
     */
    public CompletionRingProducer(ByteBuffer shm, int slots, Pipe channel, boolean timestamps) {
        if (!RingIndex.isPowerOfTwo(slots)) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        if (Abi.SHM_HDR_SIZE + (long) slots * Abi.CQE_SIZE > shm.capacity()) {
            throw new IllegalArgumentException("ring does not fit its buffer");
        }
        this.shm = shm;
        this.slots = slots;
        this.mask = slots - 1;
        this.channel = channel;
        this.timestamps = timestamps;
        this.prod = RingIndex.loadAcquire(shm, Abi.CqShm.RING_PROD);
        this.cons = RingIndex.loadAcquire(shm, Abi.CqShm.RING_CONS);
        CLAIMED.setRelease(this, prod);
    }

    /** Bytes of a CQ memfd with {@code slots} entries. */
    public static long shmSize(int slots) {
        return Abi.SHM_HDR_SIZE + (long) slots * Abi.CQE_SIZE;
    }

    /** Writes the header of a fresh CQ memfd ({@code struct ff_cq_shm}), unarmed. */
    public static void initialize(ByteBuffer shm, int slots) {
        shm.putInt(Abi.CqShm.SLOTS, slots);
        shm.putInt(Abi.CqShm.ENTRY_SIZE, Abi.CQE_SIZE);
        shm.putInt(Abi.CqShm.ARMED, Abi.CQ_ARM_NONE);
        shm.putInt(Abi.CqShm.NOTIFIED, 0);
        RingIndex.storeRelease(shm, Abi.CqShm.RING_CONS, 0);
        RingIndex.storeRelease(shm, Abi.CqShm.RING_PROD, 0);
    }

    /** Free entries now, reservations deducted (0 when full or when the FFL's cons is nonsense). */
    public int room() {
        lock.lock();
        try {
            return free();
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when at least one entry could be reserved now.  A hint, read
     * without the lock: another poller may take the entry first;
     * {@link #reserve()} decides.
     */
    public boolean hasRoom() {
        if (failed) {
            return false;
        }
        int claims = (int) CLAIMED.getAcquire(this);
        if (Integer.compareUnsigned(claims - cons, slots) < 0) {
            return true;
        }
        return Integer.compareUnsigned(claims - RingIndex.loadAcquire(shm, Abi.CqShm.RING_CONS), slots) < 0;
    }

    /** Reserves one entry for a later {@link #post}; false when the ring is full (or failed). */
    public boolean reserve() {
        lock.lock();
        try {
            if (failed || free() == 0) {
                if (fullSince == 0) {
                    fullSince = System.nanoTime() | 1;
                }
                return false;
            }
            fullSince = 0;
            reserved++;
            CLAIMED.setRelease(this, prod + reserved);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a reservation back unused. */
    public void cancel() {
        lock.lock();
        try {
            if (reserved == 0) {
                throw new IllegalStateException("no reservation to cancel");
            }
            reserved--;
            CLAIMED.setRelease(this, prod + reserved);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes one completion into a reservation the caller holds, publishes
     * it, and raises a completion event when the CQ is armed for it.
     *
     * @param solicited a receive completion of a message sent with IBV_SEND_SOLICITED
     *                  (error completions match ARM_SOLICITED anyway)
     */
    public void post(long wrId, int status, int opcode, int byteLen, int immData, int qpNum, int srcQp,
            int wcFlags, int slid, boolean solicited) {
        post(wrId, status, opcode, byteLen, immData, qpNum, srcQp, wcFlags, slid, 0, solicited);
    }

    /**
     * {@link #post(long, int, int, int, int, int, int, int, int, boolean)}
     * with the sender's service level (UD receives).
     * @since 2.1
     */
    public void post(long wrId, int status, int opcode, int byteLen, int immData, int qpNum, int srcQp,
            int wcFlags, int slid, int sl, boolean solicited) {
        lock.lock();
        try {
            if (reserved == 0) {
                throw new IllegalStateException("post without a reservation");
            }
            reserved--;
            int e = Abi.SHM_HDR_SIZE + (prod & mask) * Abi.CQE_SIZE;
            shm.putLong(e + Abi.Cqe.WR_ID, wrId);
            shm.putInt(e + Abi.Cqe.STATUS, status);
            shm.putInt(e + Abi.Cqe.OPCODE, opcode);
            shm.putInt(e + Abi.Cqe.VENDOR_ERR, 0);
            shm.putInt(e + Abi.Cqe.BYTE_LEN, byteLen);
            shm.putInt(e + Abi.Cqe.IMM_DATA, immData);
            shm.putInt(e + Abi.Cqe.QP_NUM, qpNum);
            shm.putInt(e + Abi.Cqe.SRC_QP, srcQp);
            shm.putInt(e + Abi.Cqe.WC_FLAGS, wcFlags);
            shm.putShort(e + Abi.Cqe.PKEY_INDEX, (short) 0);
            shm.putShort(e + Abi.Cqe.SLID, (short) slid);
            shm.putInt(e + Abi.Cqe.SL, sl & 0xf); // sl, dlid_path_bits, reserved0
            shm.putLong(e + Abi.Cqe.TIMESTAMP, timestamps ? System.nanoTime() : 0L);
            prod++;
            RingIndex.storeRelease(shm, Abi.CqShm.RING_PROD, prod);
            if (channel != null) {
                raiseEvent(status != Verbs.WC_SUCCESS || solicited);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #reserve()} and {@link #post} in one; false (nothing written) when the ring is full. */
    public boolean tryPost(long wrId, int status, int opcode, int byteLen, int immData, int qpNum, int srcQp,
            int wcFlags, int slid, boolean solicited) {
        if (!reserve()) {
            return false;
        }
        post(wrId, status, opcode, byteLen, immData, qpNum, srcQp, wcFlags, slid, solicited);
        return true;
    }

    private void raiseEvent(boolean solicitedEvent) {
        VarHandle.fullFence();
        int armed = RingIndex.loadVolatile(shm, Abi.CqShm.ARMED);
        boolean matches = armed == Abi.CQ_ARM_NEXT || (armed == Abi.CQ_ARM_SOLICITED && solicitedEvent);
        if (matches && RingIndex.compareAndSet(shm, Abi.CqShm.ARMED, armed, Abi.CQ_ARM_NONE)) {
            if (RingIndex.getAndSet(shm, Abi.CqShm.NOTIFIED, 1) == 0) {
                channel.writeByte();
            }
            events++;
        }
    }

    /** Free entries, reservations deducted; loads the FFL's cons again only when the last one shows none. */
    private int free() {
        int used = prod + reserved - cons;
        if (Integer.compareUnsigned(used, slots) < 0) {
            return slots - used;
        }
        cons = RingIndex.loadAcquire(shm, Abi.CqShm.RING_CONS);
        used = prod + reserved - cons;
        return Integer.compareUnsigned(used, slots) >= 0 ? 0 : slots - used;
    }

    /**
     * Since when ({@link System#nanoTime()}, never 0) reservations have been
     * refused without one granted in between; 0 while the ring takes entries.
     *
     * @since 3.0
     */
    public long fullSince() {
        lock.lock();
        try {
            return fullSince;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The CQ overran: from now on every reservation is refused, and entries
     * reserved before are still posted.  Returns false when it had failed
     * already, so exactly one caller acts on the overrun.
     *
     * @since 3.0
     */
    public boolean fail() {
        lock.lock();
        try {
            if (failed) {
                return false;
            }
            failed = true;
            if (fullSince == 0) {
                fullSince = System.nanoTime() | 1;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True once {@link #fail()} was called.
     *
     * @since 3.0
     */
    public boolean failed() {
        lock.lock();
        try {
            return failed;
        } finally {
            lock.unlock();
        }
    }

    /** Entries produced so far (free-running). */
    public int produced() {
        lock.lock();
        try {
            return prod;
        } finally {
            lock.unlock();
        }
    }

    /** Completion events raised (the arm taken) so far. */
    public long events() {
        lock.lock();
        try {
            return events;
        } finally {
            lock.unlock();
        }
    }

    /** True when the CQ has a completion channel. */
    public boolean hasChannel() {
        return channel != null;
    }

    /** Number of entries. */
    public int slots() {
        return slots;
    }
}
