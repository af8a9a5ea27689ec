package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each opcode between two QPs of this router, with the bytes checked. */
class DataPathTest {

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
        fx.connect(a, b);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void sendGathersTwoSgesAndScattersIntoTwoReceiveBuffers() {
        int srcKey = a.register(0x10000, 8192, ACCESS_LOCAL_WRITE);
        int dstKey = b.register(0x20000, 8192, ACCESS_LOCAL_WRITE);
        a.memory.fill(0x10000, 1000, 1);
        a.memory.fill(0x11000, 2000, 2);
        b.qp.postRecv(77, new Sge(0x20000, 1000, dstKey), new Sge(0x20800, 4000, dstKey));
        a.qp.postSend(5, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 1000, srcKey),
                new Sge(0x11000, 2000, srcKey));
        fx.settle();

        assertArrayEquals(AppMemory.pattern(1000, 1), b.memory.read(0x20000, 1000));
        assertArrayEquals(AppMemory.pattern(2000, 2), b.memory.read(0x20800, 2000));
        assertEquals(new Completion(5, WC_SUCCESS, WC_SEND, 3000, 0, a.qp.qpn, 0, 0, 0), a.sendCq.poll());
        assertEquals(new Completion(77, WC_SUCCESS, WC_RECV, 3000, 0, b.qp.qpn, a.qp.qpn, 0, a.nic.lid()),
                b.recvCq.poll());
        assertEquals(1, a.routerQp.counters().sendWrs());
        assertEquals(3000, a.routerQp.counters().bytesSent());
        assertEquals(1, b.routerQp.counters().recvWrs());
    }

    @Test
    void sendWithImmediateCarriesIt() {
        int srcKey = a.register(0x10000, 4096, 0);
        int dstKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
        b.qp.postRecv(1, new Sge(0x20000, 64, dstKey));
        a.qp.postSend(2, WR_SEND_WITH_IMM, SEND_SIGNALED, 0, 0, 0x0d0c0b0a, new Sge(0x10000, 16, srcKey));
        fx.settle();
        Completion recv = b.recvCq.poll();
        assertEquals(0x0d0c0b0a, recv.imm());
        assertEquals(WC_WITH_IMM, recv.wcFlags());
        assertEquals(16, recv.byteLen());
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
    }

    @Test
    void unsignaledWriteLandsWithoutAnyCompletion() {
        int srcKey = a.register(0x10000, 4096, 0);
        int dstKey = b.register(0x30000, 4096, ALL());
        a.memory.fill(0x10100, 512, 9);
        a.qp.postSend(3, WR_RDMA_WRITE, 0, 0x30200, dstKey, 0, new Sge(0x10100, 512, srcKey));
        fx.settle();
        assertArrayEquals(AppMemory.pattern(512, 9), b.memory.read(0x30200, 512));
        assertNull(a.sendCq.poll());
        assertNull(b.recvCq.poll());
        assertEquals(0, a.qp.sendQueued(), "the slot is released without a completion");
    }

    @Test
    void writeWithImmediateConsumesAReceive() {
        int srcKey = a.register(0x10000, 4096, 0);
        int dstKey = b.register(0x30000, 4096, ALL());
        a.memory.fill(0x10000, 100, 3);
        b.qp.postRecv(44);
        a.qp.postSend(4, WR_RDMA_WRITE_WITH_IMM, SEND_SIGNALED, 0x30010, dstKey, 1234, new Sge(0x10000, 100, srcKey));
        fx.settle();
        assertArrayEquals(AppMemory.pattern(100, 3), b.memory.read(0x30010, 100));
        assertEquals(new Completion(44, WC_SUCCESS, WC_RECV_RDMA_WITH_IMM, 100, 1234, b.qp.qpn, a.qp.qpn,
                WC_WITH_IMM, a.nic.lid()), b.recvCq.poll());
        assertEquals(WC_RDMA_WRITE, a.sendCq.poll().opcode());
    }

    @Test
    void readFetchesRemoteBytesIntoLocalBuffers() {
        int sinkKey = a.register(0x10000, 8192, ACCESS_LOCAL_WRITE);
        int srcKey = b.register(0x40000, 8192, ALL());
        b.memory.fill(0x40000, 6000, 5);
        a.qp.postSend(6, WR_RDMA_READ, SEND_SIGNALED, 0x40000, srcKey, 0, new Sge(0x10000, 4000, sinkKey),
                new Sge(0x11000, 2000, sinkKey));
        fx.settle();
        byte[] all = AppMemory.pattern(6000, 5);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 0, 4000), a.memory.read(0x10000, 4000));
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 4000, 6000), a.memory.read(0x11000, 2000));
        assertEquals(new Completion(6, WC_SUCCESS, WC_RDMA_READ, 6000, 0, a.qp.qpn, 0, 0, 0), a.sendCq.poll());
    }

    @Test
    void inlineSendCopiesFromTheSlot() {
        int dstKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
        b.qp.postRecv(1, new Sge(0x20000, 128, dstKey));
        a.qp.postInline(8, WR_SEND, SEND_SIGNALED, 0, 0, AppMemory.pattern(60, 4));
        fx.settle();
        assertArrayEquals(AppMemory.pattern(60, 4), b.memory.read(0x20000, 60));
        assertEquals(60, b.recvCq.poll().byteLen());
    }

    @Test
    void sqSigAllCompletesEveryRequestInOrder() throws Exception {
        Endpoint c = fx.endpoint("gamma", 64, new QpCaps(16, 16, 1, 1, 0), true);
        Endpoint d = fx.endpoint("gamma");
        fx.connect(c, d);
        int srcKey = c.register(0x10000, 4096, 0);
        int dstKey = d.register(0x10000, 4096, ALL());
        for (int i = 0; i < 5; i++) {
            c.qp.postSend(100 + i, WR_RDMA_WRITE, 0, 0x10000 + i * 8, dstKey, 0, new Sge(0x10000, 8, srcKey));
        }
        fx.settle();
        List<Completion> done = c.sendCq.drain();
        assertEquals(5, done.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(100 + i, done.get(i).wrId());
        }
    }

    @Test
    void twoQueuePairsOfOneContainerTalk() throws Exception {
        Endpoint c = fx.endpoint("gamma");
        Endpoint d = fx.endpoint("gamma");
        fx.connect(c, d);
        int srcKey = c.register(0x10000, 4096, 0);
        int dstKey = d.register(0x50000, 4096, ALL());
        c.memory.fill(0x10000, 32, 8);
        c.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x50000, dstKey, 0, new Sge(0x10000, 32, srcKey));
        fx.settle();
        assertEquals(WC_SUCCESS, c.sendCq.poll().status());
        assertArrayEquals(AppMemory.pattern(32, 8), d.memory.read(0x50000, 32));
    }

    @Test
    void writeAcrossTheGibChunkBoundaryOfBothRegions() throws Exception {
        long gib = 1L << 30;
        long length = gib + 8192;
        int fdA = MemFd.create("big-a");
        int fdB = MemFd.create("big-b");
        try {
            MemFd.truncate(fdA, 2 * gib);
            MemFd.truncate(fdB, 2 * gib);
            MemFd.addSeals(fdA, MemFd.F_SEAL_SHRINK);
            MemFd.addSeals(fdB, MemFd.F_SEAL_SHRINK);
            int srcKey = a.ctx.regMr(a.pd, 0, 0, length, 0, fdA).key();
            int dstKey = b.ctx.regMr(b.pd, ALL(), 0, length, 0, fdB).key();
            try (MappedRegion viewA = MappedRegion.map(fdA, gib - 4096, 8192, true);
                    MappedRegion viewB = MappedRegion.map(fdB, gib - 4096, 8192, true)) {
                byte[] data = AppMemory.pattern(300, 6);
                viewA.chunk(0).put(4096 - 50, data);
                a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, gib - 100, dstKey, 0,
                        new Sge(gib - 50, 300, srcKey));
                fx.settle();
                assertEquals(WC_SUCCESS, a.sendCq.poll().status());
                byte[] landed = new byte[300];
                viewB.chunk(0).get(4096 - 100, landed);
                assertArrayEquals(data, landed);
            }
        } finally {
            FileDescriptors.close(fdA);
            FileDescriptors.close(fdB);
        }
    }

    private static int ALL() {
        return VnicFixture.ALL_ACCESS;
    }
}
