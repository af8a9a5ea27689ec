package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two RC QPs of one context take their receives from one SRQ; its limit, LAST_WQE_REACHED, destroy. */
class SharedReceiveQueueTest {

    private static final long SRC = 0x10000;
    private static final long RECV = 0x40000;
    private static final int SLOT = 64;

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint c;
    private Endpoint b;
    private FflSharedReceiveQueue srq;
    private int recvKey;
    private int aKey;
    private int cKey;

    @BeforeEach
    void open() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        c = fx.endpoint("gamma");
        b = fx.endpoint("beta");
        srq = fx.addSrq(b, 16, 1);
        fx.addSrqQp(b, srq.handle, QPT_RC);
        fx.addSrqQp(b, srq.handle, QPT_RC);
        fx.connect(a, 0, b, 1, 7, 1);
        fx.connect(c, 0, b, 2, 7, 1);
        aKey = a.register(SRC, 4096, ACCESS_LOCAL_WRITE);
        cKey = c.register(SRC, 4096, ACCESS_LOCAL_WRITE);
        recvKey = b.register(RECV, 16L * SLOT, ACCESS_LOCAL_WRITE);
        a.memory.bytes().put((int) SRC, "from alpha".getBytes());
        c.memory.bytes().put((int) SRC, "from gamma".getBytes());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private void post(int n) {
        for (int i = 0; i < n; i++) {
            srq.postRecv(i, new Sge(RECV + (long) i * SLOT, SLOT, recvKey));
        }
    }

    private void send(Endpoint from, int key, long wrId) {
        from.qp.postSend(wrId, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(SRC, 10, key));
    }

    private static void assertNoEvent(Endpoint e) {
        VerbsException x = assertThrows(VerbsException.class, e.ctx::takeAsyncEvent);
        assertEquals(Errno.EAGAIN, x.errno());
    }

    @Test
    void bothQpsConsumeTheSharedReceivesInOrder() {
        post(4);
        send(a, aKey, 1);
        fx.settle();
        send(c, cKey, 2);
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(WC_SUCCESS, c.sendCq.poll().status());
        List<Completion> recvs = b.recvCq.drain();
        assertEquals(2, recvs.size());
        assertEquals(0, recvs.get(0).wrId());
        assertEquals(b.qps.get(1).qpn, recvs.get(0).qpNum());
        assertEquals(1, recvs.get(1).wrId());
        assertEquals(b.qps.get(2).qpn, recvs.get(1).qpNum());
        assertArrayEquals("from alpha".getBytes(), b.memory.read(RECV, 10));
        assertArrayEquals("from gamma".getBytes(), b.memory.read(RECV + SLOT, 10));
        assertEquals(2, srq.queued());
    }

    @Test
    void theLimitRaisesOneEventAndDisarms() {
        post(4);
        b.ctx.modifySrq(srq.handle, SRQ_LIMIT, 3);
        assertEquals(3, b.ctx.querySrq(srq.handle)[2]);
        send(a, aKey, 1);
        fx.settle();
        assertNoEvent(b);
        send(c, cKey, 2);
        fx.settle();
        assertEquals(new Event(EVENT_SRQ_LIMIT_REACHED, Abi.ASYNC_SRQ, srq.handle), b.ctx.takeAsyncEvent());
        assertEquals(0, b.ctx.querySrq(srq.handle)[2], "disarmed");
        send(a, aKey, 3);
        fx.settle();
        assertEquals(3, b.recvCq.drain().size());
        assertNoEvent(b);
    }

    @Test
    void limitAndResizeAreChecked() {
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> b.ctx.modifySrq(srq.handle, SRQ_LIMIT, 17)).errno());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(VerbsException.class,
                () -> b.ctx.modifySrq(srq.handle, SRQ_MAX_WR, 32)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> b.ctx.createSrq(b.pd, 0, 1)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> b.ctx.createSrq(b.pd, 1 << 20, 1)).errno());
        assertArrayEquals(new int[] {16, 1, 0}, b.ctx.querySrq(srq.handle));
    }

    @Test
    void errRaisesLastWqeReachedAndLeavesTheSharedReceives() {
        post(4);
        QueuePair q1 = b.qps.get(1);
        b.ctx.modifyQp(q1.handle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
        fx.settle();
        assertEquals(new Event(EVENT_QP_LAST_WQE_REACHED, Abi.ASYNC_QP, q1.handle), b.ctx.takeAsyncEvent());
        assertNoEvent(b);
        assertTrue(b.recvCq.drain().isEmpty(), "no flush of the SRQ's receives");
        assertEquals(4, srq.queued());
        send(c, cKey, 1);
        fx.settle();
        assertEquals(WC_SUCCESS, c.sendCq.poll().status());
        assertEquals(b.qps.get(2).qpn, b.recvCq.poll().qpNum());
        b.ctx.modifyQp(q1.handle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
        assertEquals(3, srq.queued(), "RESET keeps them too");
    }

    @Test
    void aCorruptSrqRaisesSrqErrorOnceAndStopsItsQps() {
        srq.corrupt();
        send(a, aKey, 1);
        fx.settle();
        assertEquals(WC_REM_OP_ERR, a.sendCq.poll().status());
        send(c, cKey, 2);
        fx.settle();
        assertEquals(WC_REM_OP_ERR, c.sendCq.poll().status());
        assertEquals(QPS_ERR, b.qps.get(1).state());
        assertEquals(QPS_ERR, b.qps.get(2).state());
        assertEquals(new Event(EVENT_SRQ_ERR, Abi.ASYNC_SRQ, srq.handle), b.ctx.takeAsyncEvent());
        assertEquals(new Event(EVENT_QP_LAST_WQE_REACHED, Abi.ASYNC_QP, b.qps.get(1).handle),
                b.ctx.takeAsyncEvent());
        assertEquals(new Event(EVENT_QP_LAST_WQE_REACHED, Abi.ASYNC_QP, b.qps.get(2).handle),
                b.ctx.takeAsyncEvent());
        assertNoEvent(b);
        assertTrue(b.recvCq.drain().isEmpty());
    }

    @Test
    void destroyIsBusyWhileQpsUseIt() {
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, () -> b.ctx.destroySrq(srq.handle)).errno());
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, () -> b.ctx.deallocPd(b.pd)).errno());
        b.ctx.destroyQp(b.qps.get(1).handle);
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, () -> b.ctx.destroySrq(srq.handle)).errno());
        b.ctx.destroyQp(b.qps.get(2).handle);
        assertEquals(0, b.ctx.destroySrq(srq.handle));
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> b.ctx.querySrq(srq.handle)).errno());
    }

    @Test
    void aQpOnAnUnknownSrqIsRefused() {
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> fx.addSrqQp(b, 99, QPT_RC)).errno());
    }
}
