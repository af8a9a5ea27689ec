package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.PollSet;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which errors and arrivals raise which asynchronous events, and how the queue counts them. */
class AsyncEventsTest extends EndpointPairTest {

    private int dstKey;

    @BeforeEach
    void target() {
        dstKey = b.register(0x30000, 4096, VnicFixture.ALL_ACCESS);
    }

    private static boolean readable(int fd) throws PosixException {
        PollSet set = new PollSet(1);
        set.add(fd, PollSet.POLLIN);
        return set.poll(0) == 1 && (set.revents(0) & PollSet.POLLIN) != 0;
    }

    private static void assertNoEvent(Endpoint e) {
        VerbsException x = assertThrows(VerbsException.class, e.ctx::takeAsyncEvent);
        assertEquals(Errno.EAGAIN, x.errno());
    }

    @Test
    void wrongRkeyRaisesAccessErrorOnTheResponderOnlyAndCountsOnTheFd() throws Exception {
        int fdA = a.ctx.asyncEventFd();
        int fdB = b.ctx.asyncEventFd();
        fx.connect(a, b);
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, dstKey + 1, 0, new Sge(0x10000, 64, srcKey));
        fx.settle();
        assertEquals(WC_REM_ACCESS_ERR, a.sendCq.poll().status());
        assertEquals(QPS_ERR, b.state());
        assertTrue(readable(fdB), "an event is pending");
        assertTrue(!readable(fdA), "the requester learns it from its completion");
        assertEquals(new Event(EVENT_QP_ACCESS_ERR, Abi.ASYNC_QP, b.qpHandle), b.ctx.takeAsyncEvent());
        assertNoEvent(b);
        assertNoEvent(a);
    }

    @Test
    void invalidRequestRaisesRequestError() throws Exception {
        fx.connect(a, b);
        a.qp.postAtomic(1, WR_ATOMIC_FETCH_AND_ADD, SEND_SIGNALED, 0x30004, dstKey, 1, 0,
                new Sge(0x10000, 8, srcKey));
        fx.settle();
        assertEquals(WC_REM_INV_REQ_ERR, a.sendCq.poll().status());
        assertEquals(new Event(EVENT_QP_REQ_ERR, Abi.ASYNC_QP, b.qpHandle), b.ctx.takeAsyncEvent());
    }

    @Test
    void firstMessageInRtrRaisesCommunicationEstablishedOnce() {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        fx.toInit(b, VnicFixture.ALL_ACCESS);
        fx.toRtr(a, b, 12);
        fx.toRtr(b, a, 12);
        fx.toRts(a, 14, 7, 7);
        for (int i = 0; i < 3; i++) {
            a.qp.postSend(i, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, dstKey, 0, new Sge(0x10000, 64, srcKey));
        }
        fx.settle();
        assertEquals(3, a.sendCq.drain().size());
        assertEquals(new Event(EVENT_COMM_EST, Abi.ASYNC_QP, b.qpHandle), b.ctx.takeAsyncEvent());
        assertNoEvent(b);
        assertNoEvent(a);
        int aKey = a.register(0x20000, 4096, VnicFixture.ALL_ACCESS);
        fx.toRts(b, 14, 7, 7);
        b.qp.postSend(9, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000, aKey, 0, new Sge(0x30000, 8, dstKey));
        fx.settle();
        assertEquals(WC_SUCCESS, b.sendCq.poll().status());
        assertNoEvent(a);
    }

    @Test
    void theApplicationsOwnModifyToErrRaisesNothing() {
        fx.connect(a, b);
        a.ctx.modifyQp(a.qpHandle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
        fx.settle();
        assertEquals(QPS_ERR, a.state());
        assertNoEvent(a);
        assertNoEvent(b);
    }

    @Test
    void destroyDropsTheUnreadEventsAndSaysHowMany() {
        fx.connect(a, b);
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, dstKey + 1, 0, new Sge(0x10000, 64, srcKey));
        fx.settle();
        assertEquals(0, a.ctx.destroyQp(a.qpHandle));
        assertEquals(1, b.ctx.destroyQp(b.qpHandle));
        assertNoEvent(b);
    }

    @Test
    void theQueueHoldsOneEventPerObjectAndTypeAndKeepsTheOrder() {
        int[] counted = {0};
        AsyncEventQueue q = new AsyncEventQueue(() -> ++counted[0] > 0);
        q.raiseQp(EVENT_COMM_EST, 1);
        q.raiseQp(EVENT_QP_FATAL, 2);
        q.raiseQp(EVENT_COMM_EST, 1);
        q.raiseQp(EVENT_QP_ACCESS_ERR, 1);
        assertEquals(3, counted[0]);
        assertEquals(3, q.size());
        assertEquals(new Event(EVENT_COMM_EST, Abi.ASYNC_QP, 1), q.take());
        q.raiseQp(EVENT_COMM_EST, 1);
        assertEquals(4, counted[0], "read, so news again");
        assertEquals(2, q.drop(Abi.ASYNC_QP, 1));
        assertEquals(new Event(EVENT_QP_FATAL, Abi.ASYNC_QP, 2), q.take());
        assertNull(q.take());
        q.close();
    }
}
