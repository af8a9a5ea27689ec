package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.FileStatus;
import org.freeflow.router.internal.loopback.FflCompletionQueue;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CQs created with a completion channel: events as ibv_req_notify_cq asked for them, from real WRs. */
class CompletionChannelTest {

    private VnicFixture fx;
    /** The applications' ends of the channels (the reading ends, made non-blocking here as an app may). */
    private int channelA;
    private int channelB;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;
    private int dstKey;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha", 64, new QpCaps(16, 16, 4, 4, 64), false, true);
        b = fx.endpoint("beta", 64, new QpCaps(16, 16, 4, 4, 64), false, true);
        channelA = a.ctx.completionChannelFd(a.channel);
        channelB = b.ctx.completionChannelFd(b.channel);
        FileDescriptors.setNonBlocking(channelA, true);
        FileDescriptors.setNonBlocking(channelB, true);
        fx.connect(a, b);
        srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        dstKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** Bytes waiting in the channel {@code fd}, read. */
    private static int drain(int fd) throws Exception {
        byte[] buffer = new byte[4096];
        int total = 0;
        for (int n; (n = FileDescriptors.read(fd, buffer)) > 0; ) {
            total += n;
        }
        return total;
    }

    private void send(long wrId, int opcode, int flags) {
        a.qp.postSend(wrId, opcode, flags, 0x20000, dstKey, 0, new Sge(0x10000, 32, srcKey));
        fx.settle();
    }

    /** ibv_get_cq_event for {@code cq} on {@code channel}: 1 when an event was raised on it. */
    private static int events(FflCompletionQueue cq, int channel) throws Exception {
        boolean notified = cq.takeNotification();
        int counted = drain(channel);
        assertEquals(notified ? 1 : 0, counted, "notified and the channel's byte agree");
        return counted;
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
    void theChannelIsTheReadingEndOfARouterPipeAndLivesUntilItsCqsAreGone() throws Exception {
        FileStatus status = FileStatus.of(channelA);
        assertTrue(status.isFifo(), "a pipe");
        assertEquals(FileStatus.O_RDONLY, status.accessMode(), "the application gets the reading end only");
        long before = openFds();
        int channel = a.ctx.createCompletionChannel();
        assertEquals(before + 2, openFds(), "the router holds both ends of a new channel");
        var cq = a.ctx.createCq(8, channel, false);
        VerbsException busy = assertThrows(VerbsException.class, () -> a.ctx.destroyCompletionChannel(channel));
        assertEquals(Errno.EBUSY, busy.errno());
        try (FflCompletionQueue ffl = new FflCompletionQueue(cq.handle(), cq.fd())) {
            a.ctx.destroyCq(cq.handle());
        }
        a.ctx.destroyCompletionChannel(channel);
        assertEquals(before, openFds(), "destroying the channel closed both ends");
        VerbsException gone = assertThrows(VerbsException.class, () -> a.ctx.createCq(8, channel, false));
        assertEquals(Errno.EINVAL, gone.errno(), "a CQ on a destroyed channel");
    }

    @Test
    void aChannelNobodyReadsNeitherBlocksNorStopsCompletions() throws Exception {
        FileDescriptors.setNonBlocking(channelA, false);
        int room = FileDescriptors.setPipeCapacity(channelA, 4096);
        int rounds = room + 1000;
        for (int i = 0; i < rounds; i++) {
            a.sendCq.arm(Abi.CQ_ARM_NEXT);
            send(i, WR_RDMA_WRITE, SEND_SIGNALED);
            assertEquals(1, a.sendCq.drain().size(), "completion " + i);
            a.sendCq.takeNotification();
        }
        FileDescriptors.setNonBlocking(channelA, true);
        int bytes = drain(channelA);
        assertEquals(room, bytes, "the pipe filled and the router dropped the rest");
        a.sendCq.arm(Abi.CQ_ARM_NEXT);
        send(1, WR_RDMA_WRITE, SEND_SIGNALED);
        assertEquals(1, events(a.sendCq, channelA), "events again once the application reads");
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
