package org.freeflow.fastpath.api;

import java.nio.ByteBuffer;

/**
 * The router's end of a completion ring (CQ memfd): checks room against the
 * FFL's acquire-loaded {@code cons}, writes a {@code struct ff_cqe}, then
 * release-stores {@code prod}.  A full ring is back-pressure: callers check
 * {@link #hasRoom()} first and try again later; an entry is never dropped.
 * One thread only (the poller).
 */
public final class CompletionRingProducer {

    private final ByteBuffer shm;
    private final int slots;
    private final int mask;
    private int prod;

    /**
     * @param shm   the whole CQ memfd mapping (direct, little-endian), header already written
     * @param slots number of entries, a power of two
     */
    public CompletionRingProducer(ByteBuffer shm, int slots) {
        if (!RingIndex.isPowerOfTwo(slots)) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        if (Abi.SHM_HDR_SIZE + (long) slots * Abi.CQE_SIZE > shm.capacity()) {
            throw new IllegalArgumentException("ring does not fit its buffer");
        }
        this.shm = shm;
        this.slots = slots;
        this.mask = slots - 1;
        this.prod = RingIndex.loadAcquire(shm, Abi.CqShm.RING_PROD);
    }

    /** Bytes of a CQ memfd with {@code slots} entries. */
    public static long shmSize(int slots) {
        return Abi.SHM_HDR_SIZE + (long) slots * Abi.CQE_SIZE;
    }

    /** Writes the header of a fresh CQ memfd ({@code struct ff_cq_shm}). */
    public static void initialize(ByteBuffer shm, int slots) {
        shm.putInt(Abi.CqShm.SLOTS, slots);
        shm.putInt(Abi.CqShm.ENTRY_SIZE, Abi.CQE_SIZE);
        RingIndex.storeRelease(shm, Abi.CqShm.RING_CONS, 0);
        RingIndex.storeRelease(shm, Abi.CqShm.RING_PROD, 0);
    }

    /** Free entries now (0 when full or when the FFL's cons is nonsense). */
    public int room() {
        int used = prod - RingIndex.loadAcquire(shm, Abi.CqShm.RING_CONS);
        return Integer.compareUnsigned(used, slots) >= 0 ? 0 : slots - used;
    }

    /** True when at least one entry fits. */
    public boolean hasRoom() {
        return room() > 0;
    }

    /**
     * Writes one completion and publishes it.  The caller has checked
     * {@link #hasRoom()} on this thread.
     */
    public void post(long wrId, int status, int opcode, int byteLen, int immData, int qpNum, int srcQp,
            int wcFlags, int slid) {
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
        shm.putInt(e + Abi.Cqe.SL, 0); // sl, dlid_path_bits, reserved0
        prod++;
        RingIndex.storeRelease(shm, Abi.CqShm.RING_PROD, prod);
    }

    /** Entries produced so far (free-running). */
    public int produced() {
        return prod;
    }

    /** Number of entries. */
    public int slots() {
        return slots;
    }
}
