package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two requesters on two poller threads add to one counter through two
 * responder QPs (so no QP lock orders them): the sum is exact and every
 * fetched value is seen exactly once, as on an HCA with IBV_ATOMIC_HCA.
 */
@ExtendWith(RealPollers.Resolver.class)
class ConcurrentAtomicsTest {

    private static final int ADDS_EACH = 3000;
    private static final long COUNTER = 0x30000;

    @Test
    void fetchAndAddFromTwoPollersIsExact(RealPollers real) throws Exception {
        VnicFixture fx = real.fx;
        Endpoint a = fx.endpoint("alpha");
        Endpoint b = fx.endpoint("beta");
        Endpoint c = fx.endpoint("gamma");
        fx.addQp(b, b.sendCq, b.recvCq, new QpCaps(16, 16, 4, 4, 64), false);
        fx.connect(a, 0, b, 0, 7, 12);
        fx.connect(b, 1, c, 0, 7, 12);
        a.qp.ringing(real.bell);
        c.qp.ringing(real.bell);
        assertNotEquals(real.pollers.pollerOf(a.routerQp), real.pollers.pollerOf(c.routerQp), "one requester per poller");
        int counterKey = b.register(COUNTER, 64, VnicFixture.ALL_ACCESS);
        AtomicsTest.putWord(b, COUNTER, 0);
        Adder first = new Adder(a, counterKey);
        Adder second = new Adder(c, counterKey);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!first.done() || !second.done()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + first.completed + " and " + second.completed);
            boolean moved = first.step() | second.step();
            if (!moved) {
                Thread.yield();
            }
        }
        assertEquals(2L * ADDS_EACH, AtomicsTest.word(b, COUNTER));
        BitSet seen = new BitSet(2 * ADDS_EACH);
        first.collect(seen);
        second.collect(seen);
        assertEquals(2 * ADDS_EACH, seen.cardinality(), "every original value 0..2n-1 fetched exactly once");
    }

    /** Posts FETCH_AND_ADD 1 with one sink per add, keeping the send queue full. */
    private static final class Adder {
        private static final long SINKS = 0x100000;
        private final Endpoint e;
        private final FflQueuePair qp;
        private final int sinkKey;
        private final int counterKey;
        int posted;
        int completed;

        Adder(Endpoint e, int counterKey) {
            this.e = e;
            this.qp = e.qp;
            this.counterKey = counterKey;
            this.sinkKey = e.register(SINKS, 8L * ADDS_EACH, ACCESS_LOCAL_WRITE);
        }

        boolean done() {
            return completed == ADDS_EACH;
        }

        boolean step() {
            boolean moved = false;
            while (posted < ADDS_EACH && posted - completed < 16) {
                qp.postAtomic(posted, WR_ATOMIC_FETCH_AND_ADD, SEND_SIGNALED, COUNTER, counterKey, 1, 0,
                        new Sge(SINKS + 8L * posted, 8, sinkKey));
                posted++;
                moved = true;
            }
            Completion c;
            while ((c = e.sendCq.poll()) != null) {
                assertEquals(WC_SUCCESS, c.status());
                assertEquals(WC_FETCH_ADD, c.opcode());
                assertEquals(completed, c.wrId(), "in order");
                completed++;
                moved = true;
            }
            return moved;
        }

        void collect(BitSet seen) {
            for (int i = 0; i < ADDS_EACH; i++) {
                long v = AtomicsTest.word(e, SINKS + 8L * i);
                assertTrue(v >= 0 && v < 2 * ADDS_EACH, "fetched " + v);
                assertTrue(!seen.get((int) v), "value " + v + " fetched twice");
                seen.set((int) v);
            }
        }
    }
}
