package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** lkey and rkey checks end in the IB error completion, with no byte moved. */
class KeyCheckTest {

    private static final byte[] UNTOUCHED = AppMemory.pattern(256, 99);

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
        fx.connect(a, b);
        srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        a.memory.fill(0x10000, 4096, 1);
        b.memory.fill(0x30000, 256, 99);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private Completion writeTo(long remoteAddr, int rkey, int length) {
        a.qp.postSend(9, WR_RDMA_WRITE, 0, remoteAddr, rkey, 0, new Sge(0x10000, length, srcKey));
        fx.settle();
        return a.sendCq.poll();
    }

    private void assertTargetUntouched() {
        assertArrayEquals(UNTOUCHED, b.memory.read(0x30000, 256));
    }

    @Test
    void wrongLkeyIsALocalProtectionErrorEvenWhenUnsignaled() {
        int dstKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        a.qp.postSend(1, WR_RDMA_WRITE, 0, 0x30000, dstKey, 0, new Sge(0x10000, 64, srcKey + 1));
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_LOC_PROT_ERR, c.status());
        assertEquals(1, c.wrId());
        assertEquals(QPS_ERR, a.state());
        assertEquals(QPS_ERR, a.qp.state(), "state mirrored for the FFL");
        assertEquals(QPS_RTS, b.state(), "a local error does not touch the responder");
        assertTargetUntouched();
    }

    @Test
    void lkeyOfAnotherContainerIsRefused() {
        int dstKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        int foreign = b.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, dstKey, 0, new Sge(0x10000, 64, foreign));
        fx.settle();
        assertEquals(WC_LOC_PROT_ERR, a.sendCq.poll().status());
    }

    @Test
    void localRangeOutsideTheRegionIsRefused() {
        int dstKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        a.qp.postSend(1, WR_RDMA_WRITE, 0, 0x30000, dstKey, 0, new Sge(0x10000 + 4000, 200, srcKey));
        fx.settle();
        assertEquals(WC_LOC_PROT_ERR, a.sendCq.poll().status());
        assertTargetUntouched();
    }

    @Test
    void readIntoARegionWithoutLocalWriteIsRefused() {
        int readOnly = a.register(0x20000, 4096, 0);
        int srcRemote = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        a.qp.postSend(1, WR_RDMA_READ, SEND_SIGNALED, 0x30000, srcRemote, 0, new Sge(0x20000, 64, readOnly));
        fx.settle();
        assertEquals(WC_LOC_PROT_ERR, a.sendCq.poll().status());
    }

    @Test
    void remoteRangeOutOfBoundsIsARemoteAccessErrorAndNoByteMoves() {
        int dstKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000 + 200, dstKey, 100).status());
        assertTargetUntouched();
        assertEquals(QPS_ERR, a.state());
        assertEquals(QPS_ERR, b.state(), "the responder goes to ERR as on a real HCA");
    }

    @Test
    void remoteAddressBelowTheRegionIsRefused() {
        int dstKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000 - 1, dstKey, 16).status());
        assertTargetUntouched();
    }

    @Test
    void rkeyOfAnotherProtectionDomainIsRefused() {
        int otherPd = b.ctx.allocPd();
        int dstKey = b.register(otherPd, 0x30000, 256, VnicFixture.ALL_ACCESS);
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000, dstKey, 16).status());
        assertTargetUntouched();
    }

    @Test
    void regionWithoutRemoteWriteIsRefused() {
        int dstKey = b.register(0x30000, 256, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_READ);
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000, dstKey, 16).status());
        assertTargetUntouched();
    }

    @Test
    void queuePairWithoutRemoteReadAccessRefusesReads() throws Exception {
        Endpoint c = fx.endpoint("gamma");
        Endpoint d = fx.endpoint("delta");
        fx.toInit(c, VnicFixture.ALL_ACCESS);
        fx.toInit(d, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE);
        fx.toRtr(c, d, 12);
        fx.toRtr(d, c, 12);
        fx.toRts(c, 14, 7, 7);
        fx.toRts(d, 14, 7, 7);
        int sink = c.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int source = d.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        c.qp.postSend(1, WR_RDMA_READ, SEND_SIGNALED, 0x30000, source, 0, new Sge(0x10000, 64, sink));
        fx.settle();
        assertEquals(WC_REM_ACCESS_ERR, c.sendCq.poll().status());
    }

    @Test
    void zeroLengthWriteToAZeroLengthRegionSucceeds() {
        int empty = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x30000, 0, 0x30000, b.memory.fd).key();
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, empty, 0);
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000, empty, 1).status(), "one byte does not fit");
        assertTargetUntouched();
    }

    @Test
    void staleKeyAfterDeregistrationNamesNothing() {
        Grants.Mr first = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x30000, 256, 0x30000, b.memory.fd);
        b.ctx.deregMr(first.handle());
        Grants.Mr second = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x30000, 256, 0x30000, b.memory.fd);
        assertEquals(first.key() >>> 8, second.key() >>> 8, "the slot is reused");
        assertEquals((first.key() + 1) & 0xff, second.key() & 0xff, "with the next generation");
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000, first.key(), 16).status());
        assertTargetUntouched();
    }

    @Test
    void iovaAddressesTheRegionRemotely() {
        int dstKey = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x30000, 256, 0x7000_0000_0000L, b.memory.fd).key();
        assertEquals(WC_REM_ACCESS_ERR, writeTo(0x30000, dstKey, 16).status(), "the virtual address is not the iova");
    }

    @Test
    void iovaWriteLandsAtTheRightOffset() throws Exception {
        int dstKey = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x30000, 256, 0x7000_0000_0000L, b.memory.fd).key();
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x7000_0000_0010L, dstKey, 0, new Sge(0x10000, 16, srcKey));
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertArrayEquals(AppMemory.pattern(16, 1), b.memory.read(0x30010, 16));
        assertNull(b.recvCq.poll());
    }
}
