package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.loopback.UdAddress;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unreliable datagram QPs: a SEND names its destination per work request;
 * the receive buffer starts with the 40-byte GRH area; Q_Keys are checked;
 * whatever the responder cannot take is dropped while the sender completes
 * successfully; a message above the MTU is a local length error.
 */
class UdTest {

    private static final int QKEY = 0x11111111;
    private static final long SRC = 0x10000;
    private static final long DST = 0x30000;
    private static final byte[] UNTOUCHED = AppMemory.pattern(4200, 99);

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;
    private int dstKey;

    @BeforeEach
    void start() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha", QPT_UD);
        b = fx.endpoint("beta", QPT_UD);
        fx.toUdRts(a, QKEY);
        fx.toUdRts(b, QKEY);
        srcKey = a.register(SRC, 8192, ACCESS_LOCAL_WRITE);
        dstKey = b.register(DST, 8192, ACCESS_LOCAL_WRITE);
        a.memory.fill(SRC, 8192, 1);
        b.memory.fill(DST, 4200, 99);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private Completion send(long wrId, int opcode, UdAddress to, int qpn, int qkey, int length) {
        a.qp.postDatagram(wrId, opcode, SEND_SIGNALED, 0x5678, to, qpn, qkey, new Sge(SRC, length, srcKey));
        fx.settle();
        return a.sendCq.poll();
    }

    private Completion sendToB(long wrId, int length) {
        return send(wrId, WR_SEND, UdAddress.lid(b.nic.lid()), b.qp.qpn, QKEY, length);
    }

    private void assertSent(Completion c, long wrId, int length) {
        assertEquals(new Completion(wrId, WC_SUCCESS, WC_SEND, length, 0, a.qp.qpn, 0, 0, 0), c);
        assertEquals(QPS_RTS, a.state());
    }

    private void assertDropped() {
        assertNull(b.recvCq.poll(), "the datagram is dropped");
        assertArrayEquals(UNTOUCHED, b.memory.read(DST, UNTOUCHED.length));
        assertEquals(QPS_RTS, b.state(), "a UD responder stays in RTS");
    }

    @Test
    void lidAddressedSendLeavesTheGrhAreaAlone() {
        b.qp.postRecv(1, new Sge(DST, 40 + 100, dstKey));
        assertSent(send(10, WR_SEND, new UdAddress(b.nic.lid(), null, 5, 0, 0, 0), b.qp.qpn, QKEY, 100), 10, 100);
        assertEquals(new Completion(1, WC_SUCCESS, WC_RECV, 140, 0, b.qp.qpn, a.qp.qpn, 0, a.nic.lid()),
                b.recvCq.poll());
        assertEquals(5, b.recvCq.lastSl());
        assertArrayEquals(Arrays.copyOf(UNTOUCHED, 40), b.memory.read(DST, 40), "no GRH: 40 bytes as they were");
        assertArrayEquals(AppMemory.pattern(100, 1), b.memory.read(DST + 40, 100));
    }

    @Test
    void globalSendWritesTheGrh() {
        b.qp.postRecv(2, new Sge(DST, 20, dstKey), new Sge(DST + 100, 200, dstKey));
        UdAddress to = new UdAddress(b.nic.lid(), b.nic.gid(), 3, 0x2c, 0xabcde, 64);
        assertSent(send(11, WR_SEND_WITH_IMM, to, b.qp.qpn, QKEY, 64), 11, 64);
        assertEquals(new Completion(2, WC_SUCCESS, WC_RECV, 104, 0x5678, b.qp.qpn, a.qp.qpn, WC_GRH | WC_WITH_IMM,
                a.nic.lid()), b.recvCq.poll());
        ByteBuffer grh = ByteBuffer.allocate(40);
        grh.put(b.memory.read(DST, 20)).put(b.memory.read(DST + 100, 20));
        assertEquals(6 << 28 | 0x2c << 20 | 0xabcde, grh.getInt(0), "version, traffic class, flow label");
        assertEquals(64 + 12 + 8 + 4 + 4, grh.getShort(4), "payload length: BTH, DETH, immediate, data, ICRC");
        assertEquals(0x1b, grh.get(6), "next header: IBA");
        assertEquals(64, grh.get(7), "hop limit");
        assertArrayEquals(a.nic.gid(), Arrays.copyOfRange(grh.array(), 8, 24), "sgid");
        assertArrayEquals(b.nic.gid(), Arrays.copyOfRange(grh.array(), 24, 40), "dgid");
        assertArrayEquals(AppMemory.pattern(64, 1), b.memory.read(DST + 120, 64), "payload after the GRH");
    }

    @Test
    void gidOnlyAddressResolves() {
        b.qp.postRecv(3, new Sge(DST, 100, dstKey));
        assertSent(send(12, WR_SEND, new UdAddress(0, b.nic.gid(), 0, 0, 0, 1), b.qp.qpn, QKEY, 10), 12, 10);
        assertEquals(WC_GRH, b.recvCq.poll().wcFlags());
    }

    @Test
    void qkeyMustMatchAndHighBitMeansTheQpsOwn() {
        b.qp.postRecv(4, new Sge(DST, 4200, dstKey));
        assertSent(send(13, WR_SEND, UdAddress.lid(b.nic.lid()), b.qp.qpn, QKEY + 1, 8), 13, 8);
        assertDropped();
        assertSent(send(14, WR_SEND, UdAddress.lid(b.nic.lid()), b.qp.qpn, 0x80000000, 8), 14, 8);
        assertEquals(48, b.recvCq.poll().byteLen(), "0x80000000: the sender QP's qkey, which is b's");
    }

    @Test
    void datagramsNobodyTakesAreDroppedAndTheSenderCompletes() {
        assertSent(sendToB(15, 8), 15, 8);
        assertDropped();
        b.qp.postRecv(5, new Sge(DST, 40 + 7, dstKey));
        assertSent(sendToB(16, 8), 16, 8);
        assertDropped();
        assertEquals(1, b.qp.recvQueued(), "a receive too small stays posted");
        assertSent(send(17, WR_SEND, UdAddress.lid(0x7777), b.qp.qpn, QKEY, 8), 17, 8);
        assertSent(send(18, WR_SEND, UdAddress.lid(b.nic.lid()), 0xabcdef, QKEY, 8), 18, 8);
        assertSent(send(19, WR_SEND, UdAddress.lid(b.nic.lid()), a.qp.qpn, QKEY, 8), 19, 8);
        assertDropped();
        assertEquals(new Completion(5, WC_SUCCESS, WC_RECV, 44, 0, b.qp.qpn, a.qp.qpn, 0, a.nic.lid()),
                sendAndReceive(20, 4));
    }

    private Completion sendAndReceive(long wrId, int length) {
        assertSent(sendToB(wrId, length), wrId, length);
        return b.recvCq.poll();
    }

    @Test
    void responderNotReceivingDropsAndSenderCompletes() {
        b.ctx.modifyQp(b.qpHandle, QP_STATE, new AttrBuilder()
                .state(QPS_RESET).build(QP_STATE));
        b.ctx.modifyQp(b.qpHandle, VnicFixture.UD_INIT_MASK, new AttrBuilder()
                .state(QPS_INIT).port(1).qkey(QKEY).build(VnicFixture.UD_INIT_MASK));
        b.qp.postRecv(6, new Sge(DST, 200, dstKey));
        assertSent(sendToB(21, 8), 21, 8);
        assertNull(b.recvCq.poll(), "INIT does not receive");
        assertEquals(QPS_INIT, b.state());
    }

    @Test
    void messagesUpToTheMtuGoLargerOnesFailLocally() {
        b.qp.postRecv(7, new Sge(DST, 40 + 4096, dstKey));
        assertSent(sendToB(22, 4096), 22, 4096);
        assertEquals(4136, b.recvCq.poll().byteLen());
        b.qp.postRecv(8, new Sge(DST, 40 + 4096, dstKey));
        assertEquals(new Completion(23, WC_LOC_LEN_ERR, WC_SEND, 0, 0, a.qp.qpn, 0, 0, 0), sendToB(23, 4097));
        assertEquals(QPS_ERR, a.state());
        assertNull(b.recvCq.poll());
    }

    @Test
    void onlySendsExist() {
        a.qp.postSend(24, WR_RDMA_WRITE, SEND_SIGNALED, DST, dstKey, 0, new Sge(SRC, 8, srcKey));
        fx.settle();
        assertEquals(WC_LOC_QP_OP_ERR, a.sendCq.poll().status());
    }

    @Test
    void connectedRequestersGetNoAnswerFromUdQps() {
        Responder r = b.routerQp.receive().responder();
        assertEquals(Outcome.NOT_READY, r.send(null, a.routerQp.self, false, 0));
    }
}
