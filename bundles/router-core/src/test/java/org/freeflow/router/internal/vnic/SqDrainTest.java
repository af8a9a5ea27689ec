package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.QueryQpResp;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RTS to SQD: the work requests posted before the modify run to their end, later ones wait for RTS;
 * then IBV_EVENT_SQ_DRAINED when en_sqd_async_notify asked for it, and sq_draining reads 0.
 */
class SqDrainTest extends EndpointPairTest {

    private static final int SQD_MASK = QP_STATE | QP_EN_SQD_ASYNC_NOTIFY;

    @BeforeEach
    void connect() {
        fx.connect(a, b, 7, 1); // rnr_retry 7: a SEND without a receive waits for one
    }

    private void send(long wrId) {
        a.qp.postSend(wrId, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 16, srcKey));
    }

    private void toSqd(boolean notify) {
        a.ctx.modifyQp(a.qpHandle, SQD_MASK, new AttrBuilder().state(QPS_SQD).notifySqDrained(notify).build(SQD_MASK));
    }

    private boolean sqDraining() {
        ByteBuffer out = ByteBuffer.allocate(QueryQpResp.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        a.ctx.queryQp(a.qpHandle, out, 0);
        assertEquals(QPS_SQD, out.getInt(QueryQpResp.ATTR_QP_STATE));
        return out.get(QueryQpResp.ATTR_SQ_DRAINING) != 0;
    }

    private void assertNoEvent() {
        assertEquals(Errno.EAGAIN, assertThrows(VerbsException.class, a.ctx::takeAsyncEvent).errno());
    }

    private Event drained() {
        return new Event(EVENT_SQ_DRAINED, Abi.ASYNC_QP, a.qpHandle);
    }

    @Test
    void anEmptySendQueueIsDrainedAtOnce() {
        toSqd(true);
        assertFalse(sqDraining());
        assertEquals(drained(), a.ctx.takeAsyncEvent());
        assertNoEvent();
    }

    @Test
    void whatWasPostedBeforeRunsToItsEndThenTheEventLaterPostsWaitForRts() {
        send(1);
        send(2);
        fx.advance(MS);
        assertNull(a.sendCq.poll(), "no receive at B yet: RNR, retried");
        toSqd(true);
        send(3);
        assertTrue(sqDraining());
        assertNoEvent();
        b.qp.postRecv(11, new Sge(0x20000, 64, recvKey));
        b.qp.postRecv(12, new Sge(0x20000, 64, recvKey));
        b.qp.postRecv(13, new Sge(0x20000, 64, recvKey));
        fx.advance(MS);
        fx.advance(MS);
        assertEquals(1, a.sendCq.poll().wrId());
        assertEquals(2, a.sendCq.poll().wrId());
        assertNull(a.sendCq.poll(), "posted in SQD: not started");
        assertEquals(1, b.qp.recvQueued());
        assertFalse(sqDraining());
        assertEquals(drained(), a.ctx.takeAsyncEvent());
        assertNoEvent();
        a.ctx.modifyQp(a.qpHandle, QP_STATE, new AttrBuilder().state(QPS_RTS).build(QP_STATE));
        fx.settle();
        assertEquals(3, a.sendCq.poll().wrId(), "RTS again: it runs");
        assertNoEvent();
    }

    @Test
    void withoutTheFlagTheDrainIsSilent() {
        send(1);
        toSqd(false);
        b.qp.postRecv(11, new Sge(0x20000, 64, recvKey));
        fx.advance(MS);
        fx.advance(MS);
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertFalse(sqDraining());
        assertNoEvent();
    }

    @Test
    void aQpThatFailsWhileDrainingRaisesNothing() {
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000, recvKey + 1, 0, new Sge(0x10000, 16, srcKey));
        send(2);
        b.nic.setPortActive(false); // hold the WRITE back until the modify is in
        toSqd(true);
        assertTrue(sqDraining());
        b.nic.setPortActive(true);
        fx.advance(MS);
        fx.advance(100 * MS);
        assertEquals(WC_REM_ACCESS_ERR, a.sendCq.poll().status());
        assertEquals(QPS_ERR, a.state());
        assertNoEvent();
    }
}
