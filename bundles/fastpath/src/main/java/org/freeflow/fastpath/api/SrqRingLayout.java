package org.freeflow.fastpath.api;

import java.nio.ByteBuffer;

/**
 * Where the receive queue of an SRQ memfd ({@code struct ff_srq_shm}) lives:
 * the header page, then the slots, whose layout is a QP receive queue's
 * ({@link QpRingLayout#forCapacity}).
 *
 * @param slots    slots (power of two)
 * @param slotSize bytes per slot
 */
public record SrqRingLayout(int slots, int slotSize) {

    /** The layout for at least {@code wrs} receives of up to {@code sges} scatter-gather entries. */
    public static SrqRingLayout forCapacity(int wrs, int sges) {
        QpRingLayout receives = QpRingLayout.forCapacity(0, wrs, 0, sges, 0);
        return new SrqRingLayout(receives.rqSlots(), receives.rqSlotSize());
    }

    /** Offset of slot 0. */
    public long offset() {
        return Abi.SHM_HDR_SIZE;
    }

    /** Bytes of the memfd. */
    public long shmSize() {
        return offset() + ((long) slots * slotSize + Abi.SHM_HDR_SIZE - 1) / Abi.SHM_HDR_SIZE * Abi.SHM_HDR_SIZE;
    }

    /** Writes the header of a fresh SRQ memfd. */
    public void initialize(ByteBuffer shm) {
        shm.putInt(Abi.SrqShm.SLOTS, slots);
        shm.putInt(Abi.SrqShm.SLOT_SIZE, slotSize);
        shm.putLong(Abi.SrqShm.OFFSET, offset());
    }

    /** The router's reader of the queue in {@code shm}; its users serialise on a lock of their own. */
    public WorkQueueConsumer receiveQueue(ByteBuffer shm) {
        return new WorkQueueConsumer(shm, Abi.SrqShm.RQ, (int) offset(), slots, slotSize);
    }
}
