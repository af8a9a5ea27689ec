package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.loopback.UdAddress;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two UD senders on two poller threads deliver into one UD QP at once: each
 * datagram lands whole in its own receive, exactly once (the receive queue is
 * taken under the QP's lock).
 */
@ExtendWith(RealPollers.Resolver.class)
class ConcurrentUdTest {

    private static final int QKEY = 0x11111111;
    private static final int EACH = 400;
    private static final int SLOT = 64;
    private static final long RECV = 0x100000;
    private static final long SRC = 0x10000;

    @Test
    void twoSendersOnTwoPollersIntoOneQp(RealPollers real) throws Exception {
        VnicFixture fx = real.fx;
        Endpoint a = fx.endpoint("alpha", 64, new QpCaps(16, 16, 1, 1, 0), false, false, QPT_UD);
        Endpoint b = fx.endpoint("beta", 2 * EACH, new QpCaps(16, 2 * EACH, 1, 1, 0), false, false, QPT_UD);
        Endpoint c = fx.endpoint("gamma", 64, new QpCaps(16, 16, 1, 1, 0), false, false, QPT_UD);
        for (Endpoint e : new Endpoint[] {a, c, b}) { // dealt to pollers in this order
            fx.toUdRts(e, QKEY);
        }
        a.qp.ringing(real.bell);
        c.qp.ringing(real.bell);
        assertNotEquals(real.pollers.pollerOf(a.routerQp), real.pollers.pollerOf(c.routerQp), "one sender per poller");
        int recvKey = b.register(RECV, 2L * EACH * SLOT, ACCESS_LOCAL_WRITE);
        for (int i = 0; i < 2 * EACH; i++) {
            b.qp.postRecv(i, new Sge(RECV + (long) i * SLOT, SLOT, recvKey));
        }
        Sender first = new Sender(a, b, 1);
        Sender second = new Sender(c, b, 2);
        long deadline = System.nanoTime() + 60_000_000_000L;
        BitSet seen = new BitSet();
        int received = 0;
        while (received < 2 * EACH) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + received + " datagrams");
            boolean moved = first.step() | second.step();
            Completion r;
            while ((r = b.recvCq.poll()) != null) {
                assertEquals(WC_SUCCESS, r.status());
                assertEquals(40 + 8, r.byteLen());
                ByteBuffer slot = ByteBuffer.wrap(b.memory.read(RECV + r.wrId() * SLOT + 40, 8))
                        .order(ByteOrder.LITTLE_ENDIAN);
                int sender = slot.getInt();
                int seq = slot.getInt();
                assertEquals(sender == 1 ? a.routerQp.qpn : c.routerQp.qpn, r.srcQp());
                int id = (sender - 1) * EACH + seq;
                assertTrue(!seen.get(id), "datagram " + sender + "/" + seq + " received twice");
                seen.set(id);
                received++;
                moved = true;
            }
            if (!moved) {
                Thread.yield();
            }
        }
        assertEquals(2 * EACH, seen.cardinality());
        assertEquals(QPS_RTS, b.state());
    }

    /** Sends EACH datagrams (its id and a sequence number) with up to 16 in flight. */
    private static final class Sender {
        private final Endpoint e;
        private final Endpoint to;
        private final int id;
        private final int key;
        int posted;
        int completed;

        Sender(Endpoint e, Endpoint to, int id) {
            this.e = e;
            this.to = to;
            this.id = id;
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
                e.qp.postDatagram(posted, WR_SEND, SEND_SIGNALED, 0, UdAddress.lid(to.nic.lid()), to.qp.qpn, QKEY,
                        new Sge(SRC + 8L * posted, 8, key));
                posted++;
                moved = true;
            }
            Completion c;
            while ((c = e.sendCq.poll()) != null) {
                assertEquals(WC_SUCCESS, c.status());
                assertEquals(completed, c.wrId(), "in order");
                completed++;
                moved = true;
            }
            return moved;
        }
    }
}
