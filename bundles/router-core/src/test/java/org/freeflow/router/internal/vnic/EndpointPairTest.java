package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.ACCESS_LOCAL_WRITE;

import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Tests of one requester and one responder on a thread-less poller: A in container alpha with a
 * 4 KiB source at 0x10000 (filled with 3s), B in beta with a 4 KiB receive buffer at 0x20000.
 */
abstract class EndpointPairTest {

    static final long MS = 1_000_000L;

    VnicFixture fx;
    Endpoint a;
    Endpoint b;
    int srcKey;
    int recvKey;

    @BeforeEach
    void endpoints() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
        srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        recvKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
        a.memory.fill(0x10000, 4096, 3);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** Advances the clock in 1 ms steps until A's send CQ has something (at most {@code steps}). */
    Completion awaitSendCompletion(int steps) {
        for (int i = 0; i < steps; i++) {
            Completion c = a.sendCq.poll();
            if (c != null) {
                return c;
            }
            fx.advance(MS);
        }
        return a.sendCq.poll();
    }
}
