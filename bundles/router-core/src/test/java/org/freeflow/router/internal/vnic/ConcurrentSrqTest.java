package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two RC requesters on two poller threads send into two QPs that share one
 * SRQ: every receive is consumed exactly once, each message lands whole in
 * its own receive (the SRQ is taken under its own lock).
 */
@ExtendWith(RealPollers.Resolver.class)
class ConcurrentSrqTest {

    private static final int EACH = 400;
    private static final int SLOT = 64;
    private static final long RECV = 0x100000;
    private static final long SRC = 0x10000;

    @Test
    void twoRequestersOnTwoPollersShareOneSrq(RealPollers real) throws Exception {
        VnicFixture fx = real.fx;
        Endpoint a = fx.endpoint("alpha", 64, new QpCaps(16, 16, 1, 1, 0), false, false, QPT_RC);
        Endpoint c = fx.endpoint("gamma", 64, new QpCaps(16, 16, 1, 1, 0), false, false, QPT_RC);
        Endpoint b = fx.endpoint("beta", 2 * EACH, new QpCaps(16, 16, 1, 1, 0), false, false, QPT_RC);
        FflSharedReceiveQueue srq = fx.addSrq(b, 2 * EACH, 1);
        fx.addSrqQp(b, srq.handle, QPT_RC);
        fx.addSrqQp(b, srq.handle, QPT_RC);
        QueuePair qa = a.routerQp;
        QueuePair qc = c.routerQp;
        QueuePair b1 = b.qps.get(1);
        QueuePair b2 = b.qps.get(2);
        init(a, qa); // dealt to pollers in this order
        init(c, qc);
        init(b, b1);
        init(b, b2);
        ready(a, qa, b, b1);
        ready(c, qc, b, b2);
        ready(b, b1, a, qa);
        ready(b, b2, c, qc);
        a.qp.ringing(real.bell);
        c.qp.ringing(real.bell);
        assertNotEquals(real.pollers.pollerOf(qa), real.pollers.pollerOf(qc), "one requester per poller");
        int recvKey = b.register(RECV, 2L * EACH * SLOT, ACCESS_LOCAL_WRITE);
        for (int i = 0; i < 2 * EACH; i++) {
            srq.postRecv(i, new Sge(RECV + (long) i * SLOT, SLOT, recvKey));
        }
        Sender first = new Sender(a, 1);
        Sender second = new Sender(c, 2);
        long deadline = System.nanoTime() + 60_000_000_000L;
        BitSet receives = new BitSet();
        BitSet messages = new BitSet();
        int received = 0;
        while (received < 2 * EACH) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + received + " messages");
            boolean moved = first.step() | second.step();
            Completion r;
            while ((r = b.recvCq.poll()) != null) {
                assertEquals(WC_SUCCESS, r.status());
                assertEquals(8, r.byteLen());
                assertFalse(receives.get((int) r.wrId()), "receive " + r.wrId() + " consumed twice");
                receives.set((int) r.wrId());
                ByteBuffer slot = ByteBuffer.wrap(b.memory.read(RECV + r.wrId() * SLOT, 8))
                        .order(ByteOrder.LITTLE_ENDIAN);
                int sender = slot.getInt();
                int seq = slot.getInt();
                assertEquals(sender == 1 ? b1.qpn : b2.qpn, r.qpNum());
                int id = (sender - 1) * EACH + seq;
                assertFalse(messages.get(id), "message " + sender + "/" + seq + " received twice");
                messages.set(id);
                received++;
                moved = true;
            }
            if (!moved) {
                Thread.yield();
            }
        }
        assertEquals(2 * EACH, receives.cardinality());
        assertEquals(2 * EACH, messages.cardinality());
        assertEquals(0, srq.queued());
        assertEquals(QPS_RTS, b1.state());
        assertEquals(QPS_RTS, b2.state());
    }

    private static void init(Endpoint e, QueuePair q) {
        e.ctx.modifyQp(q.handle, VnicFixture.INIT_MASK, new AttrBuilder().state(QPS_INIT).port(1)
                .access(VnicFixture.ALL_ACCESS).build(VnicFixture.INIT_MASK));
    }

    private static void ready(Endpoint e, QueuePair q, Endpoint peer, QueuePair peerQp) {
        e.ctx.modifyQp(q.handle, VnicFixture.RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(peer.nic.lid(), peerQp.qpn).minRnrTimer(1).rdAtomic(0, 16).build(VnicFixture.RTR_MASK));
        e.ctx.modifyQp(q.handle, VnicFixture.RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(14).retry(7, 7)
                .rdAtomic(16, 0).build(VnicFixture.RTS_MASK));
    }

    /** Sends EACH messages (its id and a sequence number) with up to 16 in flight. */
    private static final class Sender {
        private final Endpoint e;
        private final int key;
        int posted;
        int completed;

        Sender(Endpoint e, int id) {
            this.e = e;
            this.key = e.register(SRC, 8L * EACH, ACCESS_LOCAL_WRITE);
            ByteBuffer mem = e.memory.bytes().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < EACH; i++) {
                mem.putInt((int) SRC + 8 * i, id);
                mem.putInt((int) SRC + 8 * i + 4, i);
            }
        }

        boolean step() {
            boolean moved = false;
            while (posted < EACH && posted - completed < 16) {
                e.qp.postSend(posted, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(SRC + 8L * posted, 8, key));
                posted++;
                moved = true;
            }
            Completion done;
            while ((done = e.sendCq.poll()) != null) {
                assertEquals(WC_SUCCESS, done.status());
                assertEquals(completed, done.wrId(), "in order");
                completed++;
                moved = true;
            }
            return moved;
        }
    }
}
