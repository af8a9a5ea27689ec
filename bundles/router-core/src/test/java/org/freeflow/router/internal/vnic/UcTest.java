package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unreliable connected QPs: SEND and WRITE (with or without immediate), no
 * acknowledgements, retries or RNR.  The requester completes once the message
 * left; the responder drops what it cannot take and stays in RTS.
 */
class UcTest {

    private static final byte[] UNTOUCHED = AppMemory.pattern(256, 99);

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;
    private int dstKey;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha", QPT_UC);
        b = fx.endpoint("beta", QPT_UC);
        fx.connectUc(a, b);
        srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        dstKey = b.register(0x30000, 4096, VnicFixture.ALL_ACCESS);
        a.memory.fill(0x10000, 4096, 1);
        b.memory.fill(0x30000, 256, 99);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private Completion send(long wrId, int length) {
        a.qp.postSend(wrId, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, length, srcKey));
        fx.settle();
        return a.sendCq.poll();
    }

    private void assertDelivered(Completion c, long wrId, int opcode, int length) {
        assertEquals(new Completion(wrId, WC_SUCCESS, opcode, length, 0, a.qp.qpn, 0, 0, 0), c);
    }

    private void assertResponderUntouched() {
        assertArrayEquals(UNTOUCHED, b.memory.read(0x30000, 256));
        assertNull(b.recvCq.poll());
        assertEquals(QPS_RTS, b.state(), "a UC responder drops the message and stays");
        assertEquals(QPS_RTS, a.state());
    }

    @Test
    void sendAndWritesWithAndWithoutImmediateArrive() {
        b.qp.postRecv(1, new Sge(0x30000, 256, dstKey));
        assertDelivered(send(10, 100), 10, WC_SEND, 100);
        Completion r = b.recvCq.poll();
        assertEquals(new Completion(1, WC_SUCCESS, WC_RECV, 100, 0, b.qp.qpn, a.qp.qpn, 0, a.nic.lid()), r);
        assertArrayEquals(AppMemory.pattern(100, 1), b.memory.read(0x30000, 100));

        a.qp.postSend(11, WR_RDMA_WRITE, SEND_SIGNALED, 0x30200, dstKey, 0, new Sge(0x10000, 64, srcKey));
        b.qp.postRecv(2, new Sge(0x30000, 16, dstKey));
        a.qp.postSend(12, WR_RDMA_WRITE_WITH_IMM, SEND_SIGNALED, 0x30400, dstKey, 0x1234,
                new Sge(0x10000, 32, srcKey));
        fx.settle();
        assertDelivered(a.sendCq.poll(), 11, WC_RDMA_WRITE, 64);
        assertDelivered(a.sendCq.poll(), 12, WC_RDMA_WRITE, 32);
        assertArrayEquals(AppMemory.pattern(64, 1), b.memory.read(0x30200, 64));
        assertArrayEquals(AppMemory.pattern(32, 1), b.memory.read(0x30400, 32));
        Completion imm = b.recvCq.poll();
        assertEquals(WC_RECV_RDMA_WITH_IMM, imm.opcode());
        assertEquals(0x1234, imm.imm());
        assertEquals(32, imm.byteLen());
    }

    @Test
    void aSendWithoutAReceiveIsDroppedAndTheNextOneLands() {
        assertDelivered(send(1, 100), 1, WC_SEND, 100);
        assertResponderUntouched();
        b.qp.postRecv(7, new Sge(0x30000, 256, dstKey));
        a.memory.fill(0x10000, 50, 5);
        assertDelivered(send(2, 50), 2, WC_SEND, 50);
        Completion r = b.recvCq.poll();
        assertEquals(7, r.wrId());
        assertEquals(50, r.byteLen(), "the receive took the second message");
        assertArrayEquals(AppMemory.pattern(50, 5), b.memory.read(0x30000, 50));
    }

    @Test
    void aWriteWithImmediateWithoutAReceiveWritesNothing() {
        a.qp.postSend(1, WR_RDMA_WRITE_WITH_IMM, SEND_SIGNALED, 0x30000, dstKey, 9, new Sge(0x10000, 64, srcKey));
        fx.settle();
        assertDelivered(a.sendCq.poll(), 1, WC_RDMA_WRITE, 64);
        assertResponderUntouched();
    }

    @Test
    void noRetriesAndNoTimersForAResponderThatIsNotThere() throws Exception {
        Endpoint c = fx.endpoint("gamma", QPT_UC);
        Endpoint d = fx.endpoint("delta", QPT_UC);
        fx.toInit(c, VnicFixture.ALL_ACCESS);
        fx.toInit(d, VnicFixture.ALL_ACCESS);
        fx.toUcRtr(c, d);
        fx.toUcRts(c);
        int key = c.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        d.qp.postRecv(1, new Sge(0x30000, 256, d.register(0x30000, 256, VnicFixture.ALL_ACCESS)));
        c.qp.postSend(1, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, key));
        fx.settle();
        assertEquals(WC_SUCCESS, c.sendCq.poll().status(), "done at once: D is in INIT and the message is lost");
        assertNull(d.recvCq.poll());
        assertEquals(1, d.qp.recvQueued());
    }

    @Test
    void badRkeyOrMissingAccessDropsTheWrite() {
        int noWrite = b.register(0x30000, 256, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_READ);
        long[][] writes = {{0x30000, dstKey + 1}, {0x30000, noWrite}, {0x30000 + 4090, dstKey}};
        for (long[] w : writes) {
            a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, w[0], (int) w[1], 0, new Sge(0x10000, 16, srcKey));
            fx.settle();
            assertEquals(WC_SUCCESS, a.sendCq.poll().status());
            assertResponderUntouched();
        }
    }

    @Test
    void aQueuePairWithoutRemoteWriteDropsWrites() throws Exception {
        Endpoint c = fx.endpoint("gamma", QPT_UC);
        Endpoint d = fx.endpoint("delta", QPT_UC);
        fx.connectUc(c, d, ACCESS_LOCAL_WRITE);
        int key = c.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int target = d.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        d.memory.fill(0x30000, 256, 99);
        c.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x30000, target, 0, new Sge(0x10000, 16, key));
        fx.settle();
        assertEquals(WC_SUCCESS, c.sendCq.poll().status());
        assertArrayEquals(UNTOUCHED, d.memory.read(0x30000, 256));
        assertEquals(QPS_RTS, d.state());
    }

    @Test
    void aMessageTooLongConsumesTheReceiveWithALengthErrorAndTheQpStays() {
        b.qp.postRecv(1, new Sge(0x30000, 16, dstKey));
        b.qp.postRecv(2, new Sge(0x30100, 64, dstKey));
        assertDelivered(send(1, 32), 1, WC_SEND, 32);
        Completion r = b.recvCq.poll();
        assertEquals(1, r.wrId());
        assertEquals(WC_LOC_LEN_ERR, r.status());
        assertEquals(QPS_RTS, b.state());
        assertDelivered(send(2, 32), 2, WC_SEND, 32);
        assertEquals(new Completion(2, WC_SUCCESS, WC_RECV, 32, 0, b.qp.qpn, a.qp.qpn, 0, a.nic.lid()),
                b.recvCq.poll());
    }

    @Test
    void aReceiveWithABadLkeyIsTheResponderOwnFault() {
        b.qp.postRecv(1, new Sge(0x30000, 64, dstKey + 1));
        assertDelivered(send(1, 8), 1, WC_SEND, 8);
        assertEquals(WC_LOC_PROT_ERR, b.recvCq.poll().status());
        assertEquals(QPS_ERR, b.state(), "a malformed receive faults the QP under every service");
    }

    @Test
    void readAndAtomicsAreNotUcOperations() {
        a.qp.postSend(1, WR_RDMA_READ, SEND_SIGNALED, 0x30000, dstKey, 0, new Sge(0x10000, 16, srcKey));
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_LOC_QP_OP_ERR, c.status());
        assertEquals(WC_RDMA_READ, c.opcode());
        assertEquals(QPS_ERR, a.state());
        assertResponderState(QPS_RTS);
    }

    @Test
    void anAtomicIsALocalQpOperationError() throws Exception {
        a.qp.postAtomic(1, WR_ATOMIC_FETCH_AND_ADD, SEND_SIGNALED, 0x30000, dstKey, 1, 0,
                new Sge(0x10000, 8, srcKey));
        a.qp.postSend(2, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, srcKey));
        fx.settle();
        assertEquals(WC_LOC_QP_OP_ERR, a.sendCq.poll().status());
        assertEquals(WC_WR_FLUSH_ERR, a.sendCq.poll().status(), "ERR flushes what follows");
        assertArrayEquals(UNTOUCHED, b.memory.read(0x30000, 256));
    }

    @Test
    void aLocalErrorCompletesInErrorAndMovesTheRequesterToErr() {
        a.qp.postSend(1, WR_SEND, 0, 0, 0, 0, new Sge(0x10000, 16, srcKey + 1));
        fx.settle();
        assertEquals(WC_LOC_PROT_ERR, a.sendCq.poll().status());
        assertEquals(QPS_ERR, a.state());
        assertResponderState(QPS_RTS);
    }

    @Test
    void modifyTakesTheUcAttributesOnly() throws Exception {
        Endpoint c = fx.endpoint("gamma", QPT_UC);
        fx.toInit(c, VnicFixture.ALL_ACCESS);
        int rcRtr = VnicFixture.RTR_MASK;
        VerbsContextTest.assertErrno(Errno.EINVAL, () -> c.ctx.modifyQp(c.qpHandle, rcRtr,
                new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096).dest(b.nic.lid(), b.qp.qpn).minRnrTimer(12)
                        .rdAtomic(0, 16).build(rcRtr)));
        fx.toUcRtr(c, b);
        int rcRts = VnicFixture.RTS_MASK;
        VerbsContextTest.assertErrno(Errno.EINVAL, () -> c.ctx.modifyQp(c.qpHandle, rcRts,
                new AttrBuilder().state(QPS_RTS).timeout(14).retry(7, 7).rdAtomic(16, 0).build(rcRts)));
        assertEquals(QPS_RTR, c.state());
        fx.toUcRts(c);
        assertEquals(QPS_RTS, c.state());
    }

    private void assertResponderState(int state) {
        assertEquals(state, b.state());
    }
}
