package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.EventFd;
import org.freeflow.router.internal.testing.FflCompletionQueue;
import org.freeflow.router.internal.testing.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CQs created with a completion channel: events as ibv_req_notify_cq asked for them, from real WRs. */
class CompletionChannelTest {

    private VnicFixture fx;
    private EventFd channelA;
    private EventFd channelB;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;
    private int dstKey;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        channelA = EventFd.create(EventFd.EFD_NONBLOCK);
        channelB = EventFd.create(EventFd.EFD_NONBLOCK);
        a = fx.endpoint("alpha", 64, new QpCaps(16, 16, 4, 4, 64), false, channelA.fd());
        b = fx.endpoint("beta", 64, new QpCaps(16, 16, 4, 4, 64), false, channelB.fd());
        fx.connect(a, b);
        srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        dstKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE);
    }

    @AfterEach
    void close() {
        fx.close();
        channelA.close();
        channelB.close();
    }

    private void send(long wrId, int opcode, int flags) {
        a.qp.postSend(wrId, opcode, flags, 0x20000, dstKey, 0, new Sge(0x10000, 32, srcKey));
        fx.settle();
    }

    /** ibv_get_cq_event for {@code cq} on {@code channel}: 1 when an event was raised on it. */
    private static int events(FflCompletionQueue cq, EventFd channel) throws Exception {
        boolean notified = cq.takeNotification();
        long counted = channel.drain();
        assertEquals(notified ? 1 : 0, counted, "notified and the eventfd agree");
        return (int) counted;
    }

    @Test
    void armedNextFiresOncePerArm() throws Exception {
        a.sendCq.arm(Abi.CQ_ARM_NEXT);
        send(1, WR_SEND_WITH_IMM, SEND_SIGNALED);
        assertEquals(0, events(a.sendCq, channelA), "RNR: nothing completed yet");
        b.qp.postRecv(1, new Sge(0x20000, 64, dstKey));
        fx.advance(1_000_000_000L);
        assertEquals(1, a.sendCq.drain().size());
        assertEquals(1, events(a.sendCq, channelA));
        assertEquals(Abi.CQ_ARM_NONE, a.sendCq.armed());
        send(2, WR_RDMA_WRITE, SEND_SIGNALED);
        send(3, WR_RDMA_WRITE, SEND_SIGNALED);
        assertEquals(2, a.sendCq.drain().size());
        assertEquals(0, events(a.sendCq, channelA), "not armed again: no event");
        a.sendCq.arm(Abi.CQ_ARM_NEXT);
        send(4, WR_RDMA_WRITE, SEND_SIGNALED);
        send(5, WR_RDMA_WRITE, SEND_SIGNALED);
        assertEquals(1, events(a.sendCq, channelA), "two completions, one event");
        assertEquals(0, events(b.recvCq, channelB), "B's CQ was never armed");
    }

    @Test
    void solicitedFiresOnlyForSolicitedReceivesAndErrors() throws Exception {
        b.recvCq.arm(Abi.CQ_ARM_SOLICITED);
        for (int i = 0; i < 4; i++) {
            b.qp.postRecv(10 + i, new Sge(0x20000, 64, dstKey));
        }
        send(1, WR_SEND, SEND_SIGNALED);
        send(2, WR_RDMA_WRITE_WITH_IMM, SEND_SIGNALED);
        assertEquals(2, b.recvCq.drain().size());
        assertEquals(0, events(b.recvCq, channelB), "unsolicited receives");
        assertEquals(Abi.CQ_ARM_SOLICITED, b.recvCq.armed());
        send(3, WR_SEND, SEND_SIGNALED | SEND_SOLICITED);
        assertEquals(1, events(b.recvCq, channelB), "a solicited SEND");
        b.recvCq.arm(Abi.CQ_ARM_SOLICITED);
        send(4, WR_RDMA_WRITE_WITH_IMM, SEND_SOLICITED);
        assertEquals(1, events(b.recvCq, channelB), "a solicited WRITE_WITH_IMM");
        assertEquals(2, b.recvCq.drain().size());

        a.sendCq.arm(Abi.CQ_ARM_SOLICITED);
        send(5, WR_RDMA_WRITE, SEND_SIGNALED | SEND_SOLICITED);
        assertEquals(0, events(a.sendCq, channelA), "a send completion is no solicited event");
        b.qp.postRecv(20, new Sge(0x20000, 64, dstKey));
        b.recvCq.arm(Abi.CQ_ARM_SOLICITED);
        a.qp.postSend(6, WR_RDMA_WRITE, SEND_SIGNALED, 0x90000, dstKey, 0, new Sge(0x10000, 32, srcKey));
        fx.settle();
        assertEquals(QPS_ERR, b.state(), "a bad remote address moves the responder to ERR");
        assertEquals(WC_WR_FLUSH_ERR, b.recvCq.poll().status());
        assertEquals(1, events(b.recvCq, channelB), "its flush error is an event");
        assertEquals(1, events(a.sendCq, channelA), "so is the requester's error completion");
    }

    @Test
    void unarmedNeverFires() throws Exception {
        for (int i = 0; i < 8; i++) {
            b.qp.postRecv(i, new Sge(0x20000, 64, dstKey));
            send(i, WR_SEND, SEND_SIGNALED | SEND_SOLICITED);
        }
        assertEquals(8, a.sendCq.drain().size());
        assertEquals(8, b.recvCq.drain().size());
        assertEquals(0, events(a.sendCq, channelA));
        assertEquals(0, events(b.recvCq, channelB));
    }

    @Test
    void destroyingTheCqClosesTheRoutersCopyOfTheChannel() throws Exception {
        long before = openFds();
        var cq = a.ctx.createCq(8, channelA.fd(), false);
        try (FflCompletionQueue ffl = new FflCompletionQueue(cq.handle(), cq.fd())) {
            assertEquals(before + 1, openFds(), "the router holds a copy of the channel's eventfd");
            a.ctx.destroyCq(cq.handle());
        }
        assertEquals(before, openFds(), "destroy_cq closed it");
        channelA.signal(1);
        assertEquals(1, channelA.drain(), "the application's channel stays open");
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
