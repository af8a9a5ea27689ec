package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.loopback.UdAddress;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver that never polls its CQ holds nobody up for long: its CQ
 * overruns after the QP's timeout x (retry_cnt + 1) (IBV_EVENT_CQ_ERR, its
 * QPs to ERR) and an RC sender gets its error completion; UD datagrams to it
 * are dropped and counted, and the UD sender completes every send.
 */
class BackPressureTest {

    private static final int QKEY = 0x11111111;
    /** timeout 1: 8.192 us per attempt. */
    private static final int SHORT_TIMEOUT = 1;

    private VnicFixture fx;

    @BeforeEach
    void start() {
        fx = new VnicFixture();
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** Rounds, real time passing, until {@code done} or 5 s. */
    private void pollUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(1);
            fx.advance(100_000);
        }
    }

    private static List<Completion> drain(Endpoint e, List<Completion> into) {
        into.addAll(e.sendCq.drain());
        return into;
    }

    private static QueuePairView view(Endpoint e) {
        return e.routerQp.view();
    }

    @Test
    void rcReceiverThatNeverPollsOverrunsItsCqAndTheSenderGetsAnError() throws Exception {
        Endpoint sender = fx.endpoint("alpha");
        Endpoint receiver = fx.endpoint("beta", 1, new QpCaps(8, 8, 1, 1, 0), false);
        fx.toInit(sender, VnicFixture.ALL_ACCESS);
        fx.toInit(receiver, VnicFixture.ALL_ACCESS);
        fx.toRtr(sender, receiver, 1);
        fx.toRtr(receiver, sender, 1);
        fx.toRts(sender, SHORT_TIMEOUT, 1, 7);
        fx.toRts(receiver, SHORT_TIMEOUT, 1, 7);
        int src = sender.register(0x10000, 4096, 0);
        int dst = receiver.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        for (int i = 0; i < 4; i++) {
            receiver.qp.postRecv(i, new Sge(0x10000, 64, dst));
        }
        for (int i = 0; i < 3; i++) {
            sender.qp.postSend(i, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, src));
        }
        List<Completion> sent = new ArrayList<>();
        pollUntil(() -> drain(sender, sent).size() >= 3);

        assertEquals(3, sent.size(), "every send completed: " + sent);
        assertEquals(WC_SUCCESS, sent.get(0).status(), "the first found room");
        assertEquals(WC_RETRY_EXC_ERR, sent.get(1).status(), "the second got no answer within its timeouts");
        assertEquals(WC_WR_FLUSH_ERR, sent.get(2).status());
        assertEquals(QPS_ERR, sender.state());
        Event overrun = receiver.ctx.takeAsyncEvent();
        assertEquals(new Event(EVENT_CQ_ERR, Abi.ASYNC_CQ, receiver.recvCq.handle), overrun);
        assertEquals(QPS_ERR, receiver.state(), "the QPs of an overrun CQ go to ERR");
        assertEquals(1, receiver.recvCq.drain().size(), "the one entry it had room for, and no more ever");
        fx.advance(1_000_000);
        assertNull(receiver.recvCq.poll(), "the flush of its receives is discarded, not written over");
        assertEquals(1, view(sender).sendWrs());
    }

    @Test
    void aSenderWhoseOwnCqOverranFailsAgainAfterAReconnect() throws Exception {
        Endpoint sender = fx.endpoint("alpha", 1, new QpCaps(8, 8, 1, 1, 0), false);
        Endpoint receiver = fx.endpoint("beta");
        connectShort(sender, receiver);
        int src = sender.register(0x10000, 4096, 0);
        int dst = receiver.register(0x10000, 4096, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE);
        for (int i = 0; i < 3; i++) {
            sender.qp.postSend(i, WR_RDMA_WRITE, SEND_SIGNALED, 0x10000, dst, 0, new Sge(0x10000, 8, src));
        }
        pollUntil(() -> sender.state() == QPS_ERR);
        assertEquals(new Event(EVENT_CQ_ERR, Abi.ASYNC_CQ, sender.sendCq.handle), sender.ctx.takeAsyncEvent(),
                "its send CQ, never polled, overran");
        assertEquals(1, sender.sendCq.drain().size(), "the entry it had room for");

        sender.ctx.modifyQp(sender.qpHandle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
        connectShort(sender, receiver);
        sender.qp.postSend(9, WR_RDMA_WRITE, SEND_SIGNALED, 0x10000, dst, 0, new Sge(0x10000, 8, src));
        fx.settle();
        assertEquals(QPS_ERR, sender.state(), "its first completion into the overrun CQ fails the QP");
        assertNull(sender.sendCq.poll(), "and the CQ takes nothing");
        assertTrue(fx.poller.nearestDeadline(fx.now) == org.freeflow.fastpath.api.PollTarget.NO_DEADLINE
                || !fx.poller.round(fx.now), "the pollers come to rest");
    }

    private void connectShort(Endpoint a, Endpoint b) {
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        fx.toRtr(a, b, 1);
        fx.toRts(a, SHORT_TIMEOUT, 1, 7);
        if (b.state() != QPS_RTS) {
            fx.toInit(b, VnicFixture.ALL_ACCESS);
            fx.toRtr(b, a, 1);
            fx.toRts(b, SHORT_TIMEOUT, 1, 7);
        }
    }

    @Test
    void udDatagramsToAFullCqAreDroppedCountedAndNeverHoldTheSender() throws Exception {
        Endpoint sender = fx.endpoint("alpha", QPT_UD);
        Endpoint receiver = fx.endpoint("beta", 1, new QpCaps(8, 8, 1, 1, 0), false, false, QPT_UD);
        fx.toUdRts(sender, QKEY);
        fx.toUdRts(receiver, QKEY);
        int src = sender.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int dst = receiver.register(0x10000, 8192, ACCESS_LOCAL_WRITE);
        for (int i = 0; i < 8; i++) {
            receiver.qp.postRecv(i, new Sge(0x10000, 1024, dst));
        }
        List<Completion> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sender.qp.postDatagram(i, WR_SEND, SEND_SIGNALED, 0, UdAddress.lid(receiver.nic.lid()),
                    receiver.qp.qpn, QKEY, new Sge(0x10000, 100, src));
            fx.settle();
            drain(sender, sent);
        }
        assertEquals(6, sent.size(), "no datagram waited for the receiver");
        assertTrue(sent.stream().allMatch(c -> c.status() == WC_SUCCESS), sent.toString());
        assertEquals(1, receiver.recvCq.drain().size(), "one delivered into the one CQ entry");
        assertEquals(1, view(sender).sendWrs(), "sent counts what was delivered");
        assertEquals(100, view(sender).bytesSent());
        assertEquals(5, view(sender).sendDropped());
        assertEquals(5, view(receiver).recvDropped());
        assertEquals(QPS_RTS, receiver.state(), "a UD receiver stays as it is");
        sender.qp.postDatagram(9, WR_SEND, SEND_SIGNALED, 0, UdAddress.lid(receiver.nic.lid()),
                receiver.qp.qpn, QKEY, new Sge(0x10000, 100, src));
        fx.settle();
        assertEquals(WC_SUCCESS, sender.sendCq.poll().status());
        assertEquals(1, receiver.recvCq.drain().size(), "room again: delivered again");
        assertEquals(2, view(sender).sendWrs());
    }

    @Test
    void ucMessagesNobodyTookAreCountedAsDroppedNotSent() throws Exception {
        Endpoint sender = fx.endpoint("alpha", QPT_UC);
        Endpoint receiver = fx.endpoint("beta", QPT_UC);
        fx.connectUc(sender, receiver);
        int src = sender.register(0x10000, 4096, 0);
        sender.qp.postSend(1, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 64, src));
        fx.settle();
        assertEquals(WC_SUCCESS, sender.sendCq.poll().status(), "UC learns nothing of the responder");
        assertEquals(0, view(sender).sendWrs());
        assertEquals(0, view(sender).bytesSent());
        assertEquals(1, view(sender).sendDropped(), "no receive was posted: dropped");
        assertEquals(1, view(receiver).recvDropped());
        sender.ctx.modifyQp(sender.qpHandle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
    }
}
