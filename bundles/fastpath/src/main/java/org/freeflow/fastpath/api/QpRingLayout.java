package org.freeflow.fastpath.api;

import java.nio.ByteBuffer;

/**
 * Where the queues of a QP memfd ({@code struct ff_qp_shm}) live: the header
 * page, then the send queue, then the receive queue, each starting on a page
 * boundary.  Slots are multiples of 64 bytes (one cache line).
 *
 * @param sqSlots    send-queue slots (power of two)
 * @param sqSlotSize bytes per send slot
 * @param rqSlots    receive-queue slots (power of two)
 * @param rqSlotSize bytes per receive slot
 */
public record QpRingLayout(int sqSlots, int sqSlotSize, int rqSlots, int rqSlotSize) {

    private static final int PAGE = 4096;
    private static final int LINE = 64;

    /**
     * The layout for queues that hold at least {@code sendWrs} / {@code recvWrs}
     * requests of up to {@code sendSges} / {@code recvSges} scatter-gather
     * entries, and send slots that hold {@code inlineBytes} of inline data.
     */
    public static QpRingLayout forCapacity(int sendWrs, int recvWrs, int sendSges, int recvSges, int inlineBytes) {
        int sqBody = Math.max(sendSges * Abi.Sge.SIZE, inlineBytes);
        int rqBody = Math.max(1, recvSges) * Abi.Sge.SIZE;
        return new QpRingLayout(RingIndex.ceilPowerOfTwo(Math.max(1, sendWrs)), align(Abi.SendWqe.SIZE + sqBody, LINE),
                RingIndex.ceilPowerOfTwo(Math.max(1, recvWrs)), align(Abi.RecvWqe.SIZE + rqBody, LINE));
    }

    /** Offset of send slot 0. */
    public long sqOffset() {
        return Abi.SHM_HDR_SIZE;
    }

    /** Offset of receive slot 0. */
    public long rqOffset() {
        return sqOffset() + align((long) sqSlots * sqSlotSize, PAGE);
    }

    /** Bytes of the memfd. */
    public long shmSize() {
        return rqOffset() + align((long) rqSlots * rqSlotSize, PAGE);
    }

    /** Inline bytes a send slot can carry. */
    public int inlineCapacity() {
        return sqSlotSize - Abi.SendWqe.SIZE;
    }

    /** Scatter-gather entries a send slot can carry. */
    public int sendSgeCapacity() {
        return (sqSlotSize - Abi.SendWqe.SIZE) / Abi.Sge.SIZE;
    }

    /** Writes the header of a fresh QP memfd. */
    public void initialize(ByteBuffer shm, int qpNum, int state) {
        shm.putInt(Abi.QpShm.SQ_SLOTS, sqSlots);
        shm.putInt(Abi.QpShm.SQ_SLOT_SIZE, sqSlotSize);
        shm.putInt(Abi.QpShm.RQ_SLOTS, rqSlots);
        shm.putInt(Abi.QpShm.RQ_SLOT_SIZE, rqSlotSize);
        shm.putLong(Abi.QpShm.SQ_OFFSET, sqOffset());
        shm.putLong(Abi.QpShm.RQ_OFFSET, rqOffset());
        shm.putInt(Abi.QpShm.QP_NUM, qpNum);
        RingIndex.storeRelease(shm, Abi.QpShm.STATE, state);
    }

    /** The router's reader of the send queue in {@code shm}. */
    public WorkQueueConsumer sendQueue(ByteBuffer shm) {
        return new WorkQueueConsumer(shm, Abi.QpShm.SQ, (int) sqOffset(), sqSlots, sqSlotSize);
    }

    /** The router's reader of the receive queue in {@code shm}. */
    public WorkQueueConsumer receiveQueue(ByteBuffer shm) {
        return new WorkQueueConsumer(shm, Abi.QpShm.RQ, (int) rqOffset(), rqSlots, rqSlotSize);
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private static long align(long n, long to) {
        return (n + to - 1) / to * to;
    }
}
