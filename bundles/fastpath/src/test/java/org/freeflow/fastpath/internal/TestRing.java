package org.freeflow.fastpath.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.RingIndex;

/**
 * A one-word work queue in a direct buffer, as a QP's send queue: a producer
 * thread publishes prod (release), the poller consumes up to it and
 * publishes cons.  Checks that no two pollers ever poll it at once.
 */
final class TestRing implements PollTarget {

    private static final int PROD = 0;
    private static final int CONS = 64;

    private final ByteBuffer shm = ByteBuffer.allocateDirect(128).order(ByteOrder.LITTLE_ENDIAN);
    private final AtomicBoolean inPoll = new AtomicBoolean();
    final AtomicInteger overlaps = new AtomicInteger();
    volatile Thread lastPoller;
    private int prod;
    private int cons;

    @Override
    public boolean poll(long nowNanos) {
        if (!inPoll.compareAndSet(false, true)) {
            overlaps.incrementAndGet();
            return false;
        }
        try {
            lastPoller = Thread.currentThread();
            int p = RingIndex.loadAcquire(shm, PROD);
            if (p == cons) {
                return false;
            }
            cons = p;
            RingIndex.storeRelease(shm, CONS, cons);
            return true;
        } finally {
            inPoll.set(false);
        }
    }

    /** Producer thread: one more item. */
    void publish() {
        RingIndex.storeRelease(shm, PROD, ++prod);
    }

    /** Items published. */
    int published() {
        return RingIndex.loadAcquire(shm, PROD);
    }

    /** Items the poller consumed. */
    int consumed() {
        return RingIndex.loadAcquire(shm, CONS);
    }

    boolean drained() {
        return consumed() == published();
    }
}
