package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.RouterDefaults;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.loopback.UdAddress;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.Test;

/** A container's virtual port taken down and up: its events, its state, and traffic to and from it. */
class PortStateTest extends EndpointPairTest {

    private static final Event PORT_ERR = new Event(EVENT_PORT_ERR, Abi.ASYNC_PORT, RouterDefaults.PORT_NUM);
    private static final Event PORT_UP = new Event(EVENT_PORT_ACTIVE, Abi.ASYNC_PORT, RouterDefaults.PORT_NUM);

    private static void assertNoEvent(Endpoint e) {
        assertEquals(Errno.EAGAIN, assertThrows(VerbsException.class, e.ctx::takeAsyncEvent).errno());
    }

    /** A to B, RC, with a short transport timeout (timeout 1: 8 µs) and {@code retryCnt}. */
    private void connect(int retryCnt) {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        fx.toInit(b, VnicFixture.ALL_ACCESS);
        fx.toRtr(a, b, 12);
        fx.toRtr(b, a, 12);
        fx.toRts(a, 1, retryCnt, 7);
        fx.toRts(b, 1, retryCnt, 7);
    }

    private void send(long wrId) {
        a.qp.postSend(wrId, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 64, srcKey));
    }

    @Test
    void downRaisesPortErrOnEveryContextOfTheContainerAndUpPortActive() throws Exception {
        Endpoint a2 = fx.endpoint("alpha");
        assertTrue(a.nic.setPortActive(false));
        assertEquals(PORT_DOWN, a.nic.portState());
        assertEquals(RouterDefaults.PHYS_STATE_DISABLED, a.nic.physState());
        assertEquals(PORT_ERR, a.ctx.takeAsyncEvent());
        assertEquals(PORT_ERR, a2.ctx.takeAsyncEvent());
        assertNoEvent(b);
        assertFalse(a.nic.setPortActive(false), "down already: no news");
        assertNoEvent(a);
        assertTrue(a.nic.setPortActive(true));
        assertEquals(PORT_ACTIVE, a.nic.portState());
        assertEquals(RouterDefaults.PHYS_STATE_LINK_UP, a.nic.physState());
        assertEquals(PORT_UP, a.ctx.takeAsyncEvent());
        assertEquals(PORT_UP, a2.ctx.takeAsyncEvent());
        assertNoEvent(a);
        assertNoEvent(b);
    }

    @Test
    void theLastPortEventReadIsThePortsState() {
        int[] counted = {0};
        AsyncEventQueue q = new AsyncEventQueue(() -> ++counted[0] > 0);
        q.raiseQp(EVENT_COMM_EST, 1);
        q.raisePort(EVENT_PORT_ERR, 1);
        q.raisePort(EVENT_PORT_ACTIVE, 1);
        q.raisePort(EVENT_PORT_ERR, 1);
        assertEquals(3, counted[0], "one count per queued event");
        assertEquals(3, q.size());
        assertEquals(new Event(EVENT_COMM_EST, Abi.ASYNC_QP, 1), q.take());
        assertEquals(PORT_UP, q.take());
        assertEquals(PORT_ERR, q.take(), "down, up, down: down is the news that stays");
        assertNull(q.take());
        q.close();
    }

    @Test
    void aResponderWhosePortIsDownIsOutOfReach() {
        connect(3);
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        b.nic.setPortActive(false);
        send(1);
        Completion c = awaitSendCompletion(10);
        assertEquals(WC_RETRY_EXC_ERR, c.status());
        assertEquals(QPS_ERR, a.state());
        assertEquals(1, b.qp.recvQueued(), "nothing reached the responder");
        assertNull(b.recvCq.poll());
    }

    @Test
    void nothingLeavesAContainerWhosePortIsDown() {
        connect(3);
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        send(1);
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status(), "the peer was resolved and cached");
        b.qp.postRecv(6, new Sge(0x20000, 4096, recvKey));
        a.nic.setPortActive(false);
        send(2);
        assertEquals(WC_RETRY_EXC_ERR, awaitSendCompletion(10).status());
        assertEquals(1, b.qp.recvQueued());
    }

    @Test
    void trafficFlowsAgainOnceThePortIsUpWithinTheRetryBudget() {
        fx.connect(a, b); // timeout 14 (67 ms per try), retry_cnt 7: they outlast the outage
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        b.nic.setPortActive(false);
        send(1);
        fx.advance(MS);
        assertNull(a.sendCq.poll(), "retrying");
        b.nic.setPortActive(true);
        Completion c = awaitSendCompletion(200);
        assertEquals(WC_SUCCESS, c.status());
        assertEquals(5, b.recvCq.poll().wrId());
        assertEquals(QPS_RTS, a.state());
    }

    @Test
    void datagramsToOrFromADownPortAreLost() throws Exception {
        Endpoint u = fx.endpoint("gamma", QPT_UD);
        Endpoint v = fx.endpoint("delta", QPT_UD);
        int uKey = u.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int vKey = v.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
        fx.toUdRts(u, 0x11);
        fx.toUdRts(v, 0x11);
        v.qp.postRecv(7, new Sge(0x20000, 4096, vKey));
        for (Endpoint down : new Endpoint[] {v, u}) {
            down.nic.setPortActive(false);
            u.qp.postDatagram(1, WR_SEND, SEND_SIGNALED, 0, UdAddress.lid(v.nic.lid()), v.qp.qpn, 0x11,
                    new Sge(0x10000, 64, uKey));
            fx.settle();
            assertEquals(WC_SUCCESS, u.sendCq.poll().status(), "a datagram completes when it left");
            assertNull(v.recvCq.poll(), "and nobody received it");
            down.nic.setPortActive(true);
        }
        u.qp.postDatagram(2, WR_SEND, SEND_SIGNALED, 0, UdAddress.lid(v.nic.lid()), v.qp.qpn, 0x11,
                new Sge(0x10000, 64, uKey));
        fx.settle();
        assertEquals(WC_SUCCESS, u.sendCq.poll().status());
        assertEquals(7, v.recvCq.poll().wrId(), "up again: delivered");
    }
}
