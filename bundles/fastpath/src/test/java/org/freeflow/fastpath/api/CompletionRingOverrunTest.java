package org.freeflow.fastpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A full ring remembers since when it refuses; a failed one refuses for good; a nonsense cons reads as full. */
class CompletionRingOverrunTest {

    private static final int SLOTS = 4;

    private ByteBuffer cq;
    private CompletionRingProducer producer;

    @BeforeEach
    void cq() {
        cq = ByteBuffer.allocateDirect((int) CompletionRingProducer.shmSize(SLOTS)).order(ByteOrder.LITTLE_ENDIAN);
        CompletionRingProducer.initialize(cq, SLOTS);
        producer = new CompletionRingProducer(cq, SLOTS);
    }

    private void fill() {
        for (int i = 0; i < SLOTS; i++) {
            assertTrue(producer.tryPost(i, Verbs.WC_SUCCESS, Verbs.WC_RECV, 0, 0, 7, 0, 0, 0, false));
        }
    }

    @Test
    void fullSinceIsTheFirstRefusalAndClearsWhenAnEntryIsGranted() {
        assertEquals(0, producer.fullSince());
        fill();
        long before = System.nanoTime();
        assertFalse(producer.reserve());
        long since = producer.fullSince();
        assertTrue(since != 0 && since - before >= -1, "set at the refusal");
        assertFalse(producer.reserve());
        assertEquals(since, producer.fullSince(), "the first refusal counts");
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, 1);
        assertTrue(producer.reserve());
        assertEquals(0, producer.fullSince(), "the application drained it");
        producer.cancel();
    }

    @Test
    void aFailedRingRefusesEverythingButPostsWhatWasReserved() {
        assertTrue(producer.reserve());
        assertTrue(producer.fail());
        assertFalse(producer.fail(), "only the first caller acts on the overrun");
        assertTrue(producer.failed());
        assertFalse(producer.hasRoom());
        assertFalse(producer.reserve());
        assertTrue(producer.fullSince() != 0);
        producer.post(9, Verbs.WC_SUCCESS, Verbs.WC_RECV, 0, 0, 7, 0, 0, 0, false);
        assertEquals(1, RingIndex.loadAcquire(cq, Abi.CqShm.RING_PROD));
    }

    @Test
    void aConsumerIndexAheadOfTheProducerIsAFullRing() {
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, 1000);
        producer = new CompletionRingProducer(cq, SLOTS);
        assertFalse(producer.reserve());
        assertEquals(0, producer.room());
        assertTrue(producer.fullSince() != 0);
    }
}
