package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.Test;

/** RNR and transport retries, error flushes, RESET, back-pressure and rate limits. */
class RetryAndFlushTest extends EndpointPairTest {

    private void send(long wrId, int length) {
        a.qp.postSend(wrId, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, length, srcKey));
    }

    @Test
    void receiverNotReadyIsRetriedAfterMinRnrTimerUntilAReceiveIsPosted() {
        fx.connect(a, b, 7, 12);
        send(1, 100);
        fx.settle();
        assertNull(a.sendCq.poll());
        assertEquals(1, a.qp.sendQueued(), "the request waits in the send queue");
        assertEquals(1, a.routerQp.view().rnrNaks());
        fx.advance(MS / 2);
        assertEquals(1, a.routerQp.view().rnrNaks(), "no retry before min_rnr_timer (0.64 ms) has passed");
        for (int i = 0; i < 10; i++) {
            fx.advance(MS);
        }
        assertNull(a.sendCq.poll(), "rnr_retry 7 retries forever");
        assertEquals(11, a.routerQp.view().rnrNaks(), "one retry per min_rnr_timer run out");
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status(), "retried as soon as the receive was posted");
        assertEquals(11, a.routerQp.view().rnrNaks());
        assertEquals(100, b.recvCq.poll().byteLen());
        assertArrayEquals(AppMemory.pattern(100, 3), b.memory.read(0x20000, 100));
    }

    @Test
    void aReceivePostedToAnSrqEndsTheRnrWaitToo() throws Exception {
        FflSharedReceiveQueue srq = fx.addSrq(b, 16, 1);
        fx.addSrqQp(b, srq.handle, QPT_RC);
        fx.connect(a, 0, b, 1, 7, 31); // min_rnr_timer 31: 491.52 ms
        send(1, 100);
        fx.settle();
        assertEquals(1, a.routerQp.view().rnrNaks());
        srq.postRecv(8, new Sge(0x20000, 4096, recvKey));
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status(), "no 491 ms wait for the receive posted meanwhile");
        assertEquals(8, b.recvCq.poll().wrId());
    }

    @Test
    void anRnrWaitOutlivesTheResponderItWaitsFor() {
        fx.connect(a, b, 7, 12);
        send(1, 100);
        fx.settle();
        assertEquals(1, a.routerQp.view().rnrNaks());
        b.ctx.destroyQp(b.qpHandle); // its rings are unmapped: the waiting requester must not look at them
        fx.advance(MS / 2);
        // timeout 14 (67 ms) x retry_cnt 7: the destination is gone, each retry waits the timeout out
        assertNull(awaitSendCompletion(400), "no retry before its timeout");
        Completion c = awaitSendCompletion(200);
        assertEquals(WC_RETRY_EXC_ERR, c.status(), "the destination is gone: the transport retries run out");
        assertEquals(1, a.routerQp.view().rnrNaks());
    }

    @Test
    void rnrRetriesRunOut() {
        fx.connect(a, b, 2, 1);
        send(1, 10);
        Completion c = awaitSendCompletion(10);
        assertEquals(WC_RNR_RETRY_EXC_ERR, c.status());
        assertEquals(QPS_ERR, a.state());
        assertEquals(QPS_RTS, b.state());
        assertEquals(2, a.routerQp.view().rnrNaks(), "rnr_retry 2: two RNR NAKs waited out, the third fails");
    }

    @Test
    void responderNotConnectedBackExhaustsTheTransportRetries() {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        fx.toInit(b, VnicFixture.ALL_ACCESS);
        fx.toRtr(a, b, 12);
        fx.toRts(a, 1, 3, 7);
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        send(1, 10);
        Completion c = awaitSendCompletion(10);
        assertEquals(WC_RETRY_EXC_ERR, c.status());
        assertEquals(1, b.qp.recvQueued(), "nothing reached the responder");
    }

    @Test
    void responderThatConnectsInTimeGetsTheMessage() {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        fx.toInit(b, VnicFixture.ALL_ACCESS);
        fx.toRtr(a, b, 12);
        fx.toRts(a, 14, 7, 7);
        b.qp.postRecv(5, new Sge(0x20000, 4096, recvKey));
        send(1, 10);
        fx.settle();
        fx.toRtr(b, a, 12);
        Completion c = awaitSendCompletion(200);
        assertEquals(WC_SUCCESS, c.status());
    }

    @Test
    void unknownDestinationIsARetryError() {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        a.ctx.modifyQp(a.qpHandle, VnicFixture.RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_1024)
                .dest(b.nic.lid(), 0xabcdef).minRnrTimer(1).build(VnicFixture.RTR_MASK));
        fx.toRts(a, 1, 1, 7);
        send(1, 10);
        assertEquals(WC_RETRY_EXC_ERR, awaitSendCompletion(10).status());
    }

    @Test
    void errorStateFlushesBothQueuesAndLaterPosts() {
        fx.connect(a, b);
        int aRecv = a.register(0x30000, 4096, ACCESS_LOCAL_WRITE);
        a.qp.postRecv(21, new Sge(0x30000, 64, aRecv));
        a.qp.postRecv(22, new Sge(0x30040, 64, aRecv));
        send(11, 10);
        send(12, 10);
        a.qp.postSend(13, WR_RDMA_WRITE, 0, 0x20000, recvKey, 0, new Sge(0x10000, 8, srcKey));
        fx.settle();
        assertNull(a.sendCq.poll(), "stuck on RNR");
        a.ctx.modifyQp(a.qpHandle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
        fx.settle();
        List<Completion> sends = a.sendCq.drain();
        assertEquals(List.of(11L, 12L, 13L), sends.stream().map(Completion::wrId).toList());
        assertTrue(sends.stream().allMatch(c -> c.status() == WC_WR_FLUSH_ERR));
        List<Completion> recvs = a.recvCq.drain();
        assertEquals(List.of(21L, 22L), recvs.stream().map(Completion::wrId).toList());
        assertTrue(recvs.stream().allMatch(c -> c.status() == WC_WR_FLUSH_ERR && c.opcode() == WC_RECV));
        send(14, 10);
        fx.settle();
        assertEquals(new Completion(14, WC_WR_FLUSH_ERR, WC_SEND, 0, 0, a.qp.qpn, 0, 0, 0), a.sendCq.poll());
    }

    @Test
    void resetDiscardsWithoutCompletions() {
        fx.connect(a, b);
        send(1, 10);
        send(2, 10);
        fx.settle();
        int targets = fx.poller.targets();
        a.ctx.modifyQp(a.qpHandle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
        fx.advance(MS);
        assertNull(a.sendCq.poll());
        assertEquals(0, a.qp.sendQueued());
        assertEquals(QPS_RESET, a.qp.state());
        assertEquals(targets - 1, fx.poller.targets(), "a QP in RESET is not polled");
    }

    @Test
    void fullCompletionQueueHoldsTheSendQueueBack() throws Exception {
        Endpoint c = fx.endpoint("gamma", 2, new QpCaps(8, 8, 1, 1, 0), false);
        Endpoint d = fx.endpoint("delta");
        fx.connect(c, d);
        int src = c.register(0x10000, 4096, 0);
        int dst = d.register(0x10000, 4096, VnicFixture.ALL_ACCESS);
        for (int i = 0; i < 5; i++) {
            c.qp.postSend(i, WR_RDMA_WRITE, SEND_SIGNALED, 0x10000, dst, 0, new Sge(0x10000, 8, src));
        }
        fx.settle();
        assertEquals(2, c.sendCq.drain().size());
        assertEquals(3, c.qp.sendQueued(), "the rest waits for room");
        fx.settle();
        assertEquals(2, c.sendCq.drain().size());
        fx.settle();
        List<Completion> last = c.sendCq.drain();
        assertEquals(1, last.size());
        assertEquals(4, last.get(0).wrId());
    }

    @Test
    void fullReceiveCompletionQueueIsBackPressureNotAnRnr() throws Exception {
        Endpoint c = fx.endpoint("gamma");
        Endpoint d = fx.endpoint("delta", 1, new QpCaps(8, 8, 1, 1, 0), false);
        fx.connect(c, d, 0, 1);
        int src = c.register(0x10000, 4096, 0);
        int dst = d.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        d.qp.postRecv(1, new Sge(0x10000, 64, dst));
        d.qp.postRecv(2, new Sge(0x10040, 64, dst));
        c.qp.postSend(1, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, src));
        c.qp.postSend(2, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, src));
        fx.advance(MS);
        fx.advance(MS);
        assertEquals(1, c.sendCq.drain().size());
        assertEquals(1, d.recvCq.drain().size());
        fx.advance(MS);
        assertEquals(WC_SUCCESS, c.sendCq.poll().status(), "rnr_retry 0, yet the second send got through");
    }

    @Test
    void receiveTooSmallFailsBothSides() {
        fx.connect(a, b);
        b.qp.postRecv(5, new Sge(0x20000, 16, recvKey));
        send(1, 64);
        fx.settle();
        assertEquals(WC_REM_INV_REQ_ERR, a.sendCq.poll().status());
        assertEquals(WC_LOC_LEN_ERR, b.recvCq.poll().status());
        assertEquals(QPS_ERR, b.state());
    }

    @Test
    void badReceiveLkeyIsARemoteOperationError() {
        fx.connect(a, b);
        b.qp.postRecv(5, new Sge(0x20000, 64, recvKey ^ 0x100));
        send(1, 8);
        fx.settle();
        assertEquals(WC_REM_OP_ERR, a.sendCq.poll().status());
        assertEquals(WC_LOC_PROT_ERR, b.recvCq.poll().status());
    }

    @Test
    void unsupportedOpcodeAndOversizedInlineAreLocalErrors() throws Exception {
        fx.connect(a, b);
        a.qp.postSend(1, WR_BIND_MW, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x10000, 8, srcKey));
        fx.settle();
        assertEquals(WC_LOC_QP_OP_ERR, a.sendCq.poll().status());
        Endpoint c = fx.endpoint("gamma", 8, new QpCaps(8, 8, 1, 1, 16), false);
        Endpoint d = fx.endpoint("delta");
        fx.connect(c, d);
        c.qp.postInline(2, WR_SEND, SEND_SIGNALED, 0, 0, new byte[17]);
        fx.settle();
        assertEquals(WC_LOC_LEN_ERR, c.sendCq.poll().status());
    }

    @Test
    void rateLimiterDelaysARequestAndIsAskedOncePerRequest() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        fx.qos.nextLimiter = (bytes, now) -> asked.incrementAndGet() == 1 ? 5 * MS : 0;
        Endpoint c = fx.endpoint("gamma");
        Endpoint d = fx.endpoint("delta");
        fx.connect(c, d);
        int src = c.register(0x10000, 4096, 0);
        int dst = d.register(0x10000, 4096, VnicFixture.ALL_ACCESS);
        c.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x10000, dst, 0, new Sge(0x10000, 1000, src));
        fx.settle();
        fx.advance(MS);
        assertNull(c.sendCq.poll(), "held by the rate limiter");
        fx.advance(5 * MS);
        assertEquals(WC_SUCCESS, c.sendCq.poll().status());
        assertEquals(2, asked.get());
    }
}
