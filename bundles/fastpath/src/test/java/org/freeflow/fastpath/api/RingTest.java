package org.freeflow.fastpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RingTest {

    private static final QpRingLayout LAYOUT = QpRingLayout.forCapacity(4, 8, 2, 1, 0);

    private static ByteBuffer qpShm() {
        ByteBuffer shm = ByteBuffer.allocateDirect((int) LAYOUT.shmSize()).order(ByteOrder.LITTLE_ENDIAN);
        LAYOUT.initialize(shm, 0x123, Verbs.QPS_RESET);
        return shm;
    }

    /** The FFL's side of a send queue, as the native library does it. */
    private static void post(ByteBuffer shm, long wrId) {
        int prod = RingIndex.loadAcquire(shm, Abi.QpShm.SQ_PROD);
        int slot = (int) LAYOUT.sqOffset() + (prod & (LAYOUT.sqSlots() - 1)) * LAYOUT.sqSlotSize();
        shm.putLong(slot + Abi.SendWqe.WR_ID, wrId);
        RingIndex.storeRelease(shm, Abi.QpShm.SQ_PROD, prod + 1);
    }

    private static boolean sqFull(ByteBuffer shm) {
        return RingIndex.loadAcquire(shm, Abi.QpShm.SQ_PROD) - RingIndex.loadAcquire(shm, Abi.QpShm.SQ_CONS)
                == LAYOUT.sqSlots();
    }

    @Test
    void layoutIsPageAlignedAndHeaderIsWritten() {
        ByteBuffer shm = qpShm();
        assertEquals(4, LAYOUT.sqSlots());
        assertEquals(128, LAYOUT.sqSlotSize());
        assertEquals(8, LAYOUT.rqSlots());
        assertEquals(64, LAYOUT.rqSlotSize());
        assertEquals(4096, LAYOUT.sqOffset());
        assertEquals(8192, LAYOUT.rqOffset());
        assertEquals(12288, LAYOUT.shmSize());
        assertEquals(0x123, shm.getInt(Abi.QpShm.QP_NUM));
        assertEquals(8192L, shm.getLong(Abi.QpShm.RQ_OFFSET));
    }

    @Test
    void consumerWrapsAroundTheIndices() {
        ByteBuffer shm = qpShm();
        // start both indices just below 2^32 so they wrap during the test
        RingIndex.storeRelease(shm, Abi.QpShm.SQ_PROD, -3);
        RingIndex.storeRelease(shm, Abi.QpShm.SQ_CONS, -3);
        WorkQueueConsumer sq = LAYOUT.sendQueue(shm);
        for (long id = 0; id < 11; id++) {
            post(shm, id);
            assertEquals(1, sq.available());
            assertEquals(id, shm.getLong(sq.head() + Abi.SendWqe.WR_ID));
            sq.consume();
            assertEquals(0, sq.available());
        }
        assertEquals(8, shm.getInt(Abi.QpShm.SQ_CONS));
    }

    @Test
    void fullSendQueueAndDiscard() {
        ByteBuffer shm = qpShm();
        WorkQueueConsumer sq = LAYOUT.sendQueue(shm);
        for (int i = 0; i < 4; i++) {
            post(shm, i);
        }
        assertTrue(sqFull(shm));
        assertEquals(4, sq.available());
        assertFalse(sq.corrupt(sq.available()));
        sq.consume();
        assertFalse(sqFull(shm));
        assertEquals(3, sq.discardAll());
        assertEquals(0, sq.available());
        RingIndex.storeRelease(shm, Abi.QpShm.SQ_PROD, sq.consumed() + 5);
        assertTrue(sq.corrupt(sq.available()), "more entries than slots is a corrupt queue");
    }

    @Test
    void advancedEntriesAreReleasedTogetherAndProdIsReloadedWhenUsedUp() {
        ByteBuffer shm = qpShm();
        WorkQueueConsumer sq = LAYOUT.sendQueue(shm);
        post(shm, 1);
        assertEquals(1, sq.available());
        post(shm, 2);
        post(shm, 3);
        assertEquals(1, sq.available(), "counted against the prod loaded last");
        sq.advance();
        assertEquals(2, sq.available(), "used up: prod loaded again");
        sq.advance();
        assertEquals(0, shm.getInt(Abi.QpShm.SQ_CONS), "advanced past, not released yet");
        assertEquals(3L, shm.getLong(sq.head() + Abi.SendWqe.WR_ID));
        sq.publish();
        assertEquals(2, shm.getInt(Abi.QpShm.SQ_CONS));
        sq.advance();
        post(shm, 4);
        assertEquals(1, sq.available());
        assertEquals(4L, shm.getLong(sq.head() + Abi.SendWqe.WR_ID));
        sq.consume();
        assertEquals(4, shm.getInt(Abi.QpShm.SQ_CONS), "consume releases what was advanced past too");
        sq.publish();
        assertEquals(4, shm.getInt(Abi.QpShm.SQ_CONS));
        assertEquals(0, sq.available());
    }

    @Test
    void completionRingIsBackPressureWhenFull() {
        ByteBuffer cq = ByteBuffer.allocateDirect((int) CompletionRingProducer.shmSize(2)).order(ByteOrder.LITTLE_ENDIAN);
        CompletionRingProducer.initialize(cq, 2);
        CompletionRingProducer producer = new CompletionRingProducer(cq, 2);
        assertEquals(2, producer.room());
        assertTrue(producer.tryPost(1, Verbs.WC_SUCCESS, Verbs.WC_SEND, 10, 0, 7, 0, 0, 0, false));
        assertTrue(producer.reserve());
        assertFalse(producer.hasRoom(), "a reservation takes room");
        assertFalse(producer.tryPost(9, Verbs.WC_SUCCESS, Verbs.WC_SEND, 0, 0, 7, 0, 0, 0, false));
        producer.post(2, Verbs.WC_LOC_PROT_ERR, Verbs.WC_RDMA_WRITE, 0, 0, 7, 0, 0, 0, false);
        assertFalse(producer.reserve());
        int second = Abi.SHM_HDR_SIZE + Abi.CQE_SIZE;
        assertEquals(2L, cq.getLong(second + Abi.Cqe.WR_ID));
        assertEquals(Verbs.WC_LOC_PROT_ERR, cq.getInt(second + Abi.Cqe.STATUS));
        assertEquals(7, cq.getInt(second + Abi.Cqe.QP_NUM));
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, 1);
        assertTrue(producer.hasRoom());
        assertTrue(producer.reserve());
        producer.cancel();
        assertThrows(IllegalStateException.class, producer::cancel);
        assertThrows(IllegalStateException.class,
                () -> producer.post(0, Verbs.WC_SUCCESS, Verbs.WC_SEND, 0, 0, 7, 0, 0, 0, false));
        assertTrue(producer.tryPost(3, Verbs.WC_SUCCESS, Verbs.WC_RECV, 4, 0x01020304, 7, 9, Verbs.WC_WITH_IMM, 5,
                false));
        assertEquals(3L, cq.getLong(Abi.SHM_HDR_SIZE + Abi.Cqe.WR_ID), "slot 0 reused after wrap");
        assertEquals(0x01020304, cq.getInt(Abi.SHM_HDR_SIZE + Abi.Cqe.IMM_DATA));
        assertEquals(5, cq.getShort(Abi.SHM_HDR_SIZE + Abi.Cqe.SLID));
        assertEquals(3, producer.produced());
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, 77);
        assertEquals(0, producer.room(), "a nonsense cons reads as full, never as room");
    }

    @Test
    void severalProducerThreadsShareOneCompletionRing() throws Exception {
        int slots = 64;
        ByteBuffer cq = ByteBuffer.allocateDirect((int) CompletionRingProducer.shmSize(slots))
                .order(ByteOrder.LITTLE_ENDIAN);
        CompletionRingProducer.initialize(cq, slots);
        CompletionRingProducer producer = new CompletionRingProducer(cq, slots);
        int perThread = 50_000;
        int threads = 3;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] producers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int qpn = t;
            producers[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        while (!producer.reserve()) {
                            Thread.yield();
                        }
                        producer.post(i, Verbs.WC_SUCCESS, Verbs.WC_SEND, 0, 0, qpn, 0, 0, 0, false);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            producers[t].start();
        }
        long[] next = new long[threads];
        int cons = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (cons < threads * perThread && System.nanoTime() < deadline) {
            int prod = RingIndex.loadAcquire(cq, Abi.CqShm.RING_PROD);
            assertTrue(prod - cons <= slots, "overrun: " + (prod - cons) + " entries in " + slots + " slots");
            for (; cons != prod; cons++) {
                int e = Abi.SHM_HDR_SIZE + (cons & (slots - 1)) * Abi.CQE_SIZE;
                int qpn = cq.getInt(e + Abi.Cqe.QP_NUM);
                assertEquals(next[qpn]++, cq.getLong(e + Abi.Cqe.WR_ID), "order of thread " + qpn);
                RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, cons + 1);
            }
            Thread.yield();
        }
        for (Thread t : producers) {
            t.join();
        }
        assertEquals(null, failure.get());
        assertEquals(threads * perThread, cons);
    }

    @Test
    void producerThreadAgainstConsumer() throws Exception {
        ByteBuffer shm = qpShm();
        WorkQueueConsumer sq = LAYOUT.sendQueue(shm);
        int count = 200_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        Thread producer = new Thread(() -> {
            try {
                for (long id = 0; id < count && !abandoned.get(); id++) {
                    while (sqFull(shm) && !abandoned.get()) {
                        Thread.yield();
                    }
                    post(shm, id * 3 + 1);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        producer.start();
        long expected = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expected < count && System.nanoTime() < deadline) {
            int n = sq.available();
            assertFalse(sq.corrupt(n));
            for (int i = 0; i < n; i++) {
                assertEquals(expected * 3 + 1, shm.getLong(sq.head() + Abi.SendWqe.WR_ID));
                sq.consume();
                expected++;
            }
            if (n == 0) {
                Thread.yield();
            }
        }
        abandoned.set(true);
        producer.join();
        assertEquals(count, expected);
        assertEquals(null, failure.get());
    }

    @Test
    void slotCountsMustBePowersOfTwo() {
        ByteBuffer shm = qpShm();
        assertThrows(IllegalArgumentException.class, () -> new WorkQueueConsumer(shm, 0, 4096, 3, 64));
        assertThrows(IllegalArgumentException.class, () -> new CompletionRingProducer(shm, 6));
        assertEquals(1, RingIndex.ceilPowerOfTwo(0));
        assertEquals(16384, RingIndex.ceilPowerOfTwo(10000));
    }
}
