package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MemFd;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.AsyncEventQueue.Event;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * XRC: an initiator in container alpha, its target in one process of
 * container beta, and XRC SRQs of the domain the target belongs to in that
 * process and in a second process of beta, which opened the domain of the
 * same file.
 */
class XrcTest {

    private static final long SRC = 0x10000;
    private static final long RECV = 0x40000;
    private static final int SLOT = 64;
    private static final int CREATE = Abi.XRCD_CREATE;
    private static final int XRC_RTS_MASK = QP_STATE | QP_TIMEOUT | QP_SQ_PSN;
    private static final int ALL_REMOTE = ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ | ACCESS_REMOTE_ATOMIC;

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b1;
    private Endpoint b2;
    private final List<Integer> files = new ArrayList<>();
    private int file;
    private int xrcd1;
    private int xrcd2;
    private FflQueuePair ini;
    private QueuePair iniQp;
    private QueuePair tgt;
    private Srq s1;
    private Srq s2;
    private int srcKey;

    /** An XRC SRQ as the FFL sees it: its ring, number and receive buffer key. */
    private record Srq(FflSharedReceiveQueue ring, int handle, int srqn, int recvKey) {
    }

    @BeforeEach
    void open() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b1 = fx.endpoint("beta");
        b2 = fx.endpoint("beta");
        file = newFile();
        xrcd1 = b1.ctx.openXrcd(CREATE, file);
        xrcd2 = b2.ctx.openXrcd(0, file);
        s1 = xrcSrq(b1, xrcd1);
        s2 = xrcSrq(b2, xrcd2);
        Grants.Qp i = a.ctx.createQp(new QpRequest(a.pd, a.sendCq.handle, 0, 0, QPT_XRC_SEND, false,
                new QpCaps(16, 0, 1, 0, 0)));
        ini = new FflQueuePair(i.qpn(), i.fd());
        a.ffls.add(ini);
        iniQp = fx.directory.get(i.qpn());
        tgt = target(b1, xrcd1);
        connect(iniQp, a, tgt, b1);
        srcKey = a.register(SRC, 4096, ACCESS_LOCAL_WRITE);
        a.memory.bytes().put((int) SRC, "to the first".getBytes());
        a.memory.bytes().put((int) SRC + 32, "to the second".getBytes());
    }

    @AfterEach
    void close() {
        fx.close();
        for (int fd : files) {
            FileDescriptors.closeQuietly(fd);
        }
    }

    private int newFile() throws Exception {
        int fd = MemFd.create("xrc-domain-file");
        files.add(fd);
        return fd;
    }

    private Srq xrcSrq(Endpoint e, int xrcd) throws Exception {
        Grants.Srq g = e.ctx.createSrq(e.pd, SRQT_XRC, 16, 1, xrcd, e.recvCq.handle);
        FflSharedReceiveQueue ring = new FflSharedReceiveQueue(g.handle(), g.fd());
        e.srqs.add(ring);
        return new Srq(ring, g.handle(), g.srqn(), e.register(RECV, 16L * SLOT, ACCESS_LOCAL_WRITE | ALL_REMOTE));
    }


    private QueuePair target(Endpoint e, int xrcd) {
        Grants.Qp t = e.ctx.createQp(new QpRequest(0, 0, 0, 0, QPT_XRC_RECV, false, new QpCaps(0, 0, 0, 0, 0),
                xrcd));
        FileDescriptors.closeQuietly(t.fd());
        assertEquals(new QpCaps(0, 0, 0, 0, 0), t.caps(), "a target has no queue");
        return fx.directory.get(t.qpn());
    }

    /** As ibv_xsrq_pingpong: the initiator without responder attributes, the target without requester ones. */
    private static void connect(QueuePair i, Endpoint ie, QueuePair t, Endpoint te) {
        int init = VnicFixture.INIT_MASK;
        te.ctx.modifyQp(t.handle, init, new AttrBuilder().state(QPS_INIT).port(1)
                .access(ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ).build(init));
        te.ctx.modifyQp(t.handle, VnicFixture.RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_1024)
                .dest(ie.nic.lid(), i.qpn).minRnrTimer(12).build(VnicFixture.RTR_MASK));
        te.ctx.modifyQp(t.handle, XRC_RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(14).build(XRC_RTS_MASK));
        connectInitiator(i, ie, t, te);
    }

    private static void connectInitiator(QueuePair i, Endpoint ie, QueuePair t, Endpoint te) {
        int init = VnicFixture.INIT_MASK;
        ie.ctx.modifyQp(i.handle, init, new AttrBuilder().state(QPS_INIT).port(1).access(0).build(init));
        int rtr = VnicFixture.UC_RTR_MASK;
        ie.ctx.modifyQp(i.handle, rtr, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_1024)
                .dest(te.nic.lid(), t.qpn).build(rtr));
        ie.ctx.modifyQp(i.handle, VnicFixture.RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(14).retry(7, 7)
                .build(VnicFixture.RTS_MASK));
    }

    private void send(long wrId, long offset, int length, int srqn) {
        ini.postXrc(wrId, WR_SEND, SEND_SIGNALED, 0, 0, srqn, new Sge(SRC + offset, length, srcKey));
    }

    @Test
    void sendsLandInTheSrqTheyNameInEitherProcessOfTheContainer() {
        s1.ring().postRecv(11, new Sge(RECV, SLOT, s1.recvKey()));
        s2.ring().postRecv(22, new Sge(RECV, SLOT, s2.recvKey()));
        assertNotEquals(s1.srqn(), s2.srqn());
        send(1, 0, 12, s1.srqn());
        send(2, 32, 13, s2.srqn());
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        Completion first = b1.recvCq.poll();
        assertEquals(11, first.wrId());
        assertEquals(WC_RECV, first.opcode());
        assertEquals(12, first.byteLen());
        assertEquals(tgt.qpn, first.qpNum(), "wc.qp_num is the target's");
        assertEquals(iniQp.qpn, first.srcQp());
        Completion second = b2.recvCq.poll();
        assertEquals(22, second.wrId());
        assertEquals(13, second.byteLen());
        assertEquals(tgt.qpn, second.qpNum());
        assertArrayEquals("to the first".getBytes(), b1.memory.read(RECV, 12));
        assertArrayEquals("to the second".getBytes(), b2.memory.read(RECV, 13), "the other process's memory");
        assertNull(b1.recvCq.poll());
    }

    @Test
    void anEmptySrqIsReceiverNotReadyUntilAReceiveIsPosted() {
        send(1, 0, 12, s2.srqn());
        fx.settle();
        assertNull(a.sendCq.poll(), "RNR: retried (rnr_retry 7)");
        s2.ring().postRecv(5, new Sge(RECV, SLOT, s2.recvKey()));
        fx.advance(1_000_000_000L);
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(5, b2.recvCq.poll().wrId());
    }

    @Test
    void anSrqNumberTheDomainLacksIsAnInvalidRequest() {
        for (int srqn : new int[] {s2.srqn() + 1000, 0xabcdef}) {
            send(7, 0, 12, srqn);
            fx.settle();
            assertEquals(WC_REM_INV_REQ_ERR, a.sendCq.poll().status());
            assertEquals(QPS_ERR, iniQp.state());
            assertEquals(QPS_RTS, tgt.state(), "the target keeps serving");
            a.ctx.modifyQp(iniQp.handle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
            connectInitiator(iniQp, a, tgt, b1);
        }
    }

    @Test
    void containersDoNotShareDomainsOrSrqNumbersEvenForOneFile() throws Exception {
        Endpoint g = fx.endpoint("gamma");
        Srq theirs = xrcSrq(g, g.ctx.openXrcd(CREATE, file));
        assertEquals(s1.srqn(), theirs.srqn(), "SRQ numbers are per container");
        theirs.ring().postRecv(1, new Sge(RECV, SLOT, theirs.recvKey()));
        s1.ring().postRecv(2, new Sge(RECV, SLOT, s1.recvKey()));
        send(3, 0, 12, theirs.srqn());
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(2, b1.recvCq.poll().wrId(), "beta's SRQ of that number");
        assertNull(g.recvCq.poll(), "gamma's domain is another one");
    }

    @Test
    void rdmaWriteIsCheckedAgainstTheNamedSrqsPd() {
        int target = s2.recvKey();
        ini.postXrc(1, WR_RDMA_WRITE, SEND_SIGNALED, RECV, target, s2.srqn(), new Sge(SRC, 12, srcKey));
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertArrayEquals("to the first".getBytes(), b2.memory.read(RECV, 12));
        ini.postXrc(2, WR_RDMA_WRITE, SEND_SIGNALED, RECV, target, s1.srqn(), new Sge(SRC, 12, srcKey));
        fx.settle();
        assertEquals(WC_REM_ACCESS_ERR, a.sendCq.poll().status(), "s1's PD is another process's");
    }

    @Test
    void rdmaReadComesFromTheNamedSrqsPd() {
        b2.memory.bytes().put((int) RECV, "read me back".getBytes());
        int sink = a.register(SRC + 2048, 64, ACCESS_LOCAL_WRITE);
        ini.postXrc(1, WR_RDMA_READ, SEND_SIGNALED, RECV, s2.recvKey(), s2.srqn(), new Sge(SRC + 2048, 12, sink));
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_SUCCESS, c.status());
        assertEquals(WC_RDMA_READ, c.opcode());
        assertArrayEquals("read me back".getBytes(), a.memory.read(SRC + 2048, 12));
        assertNull(b2.recvCq.poll(), "a READ takes no receive");
    }

    @Test
    void aDestroyedSrqIsNoLongerReachable() {
        b2.ctx.destroySrq(s2.handle());
        send(1, 0, 12, s2.srqn());
        fx.settle();
        assertEquals(WC_REM_INV_REQ_ERR, a.sendCq.poll().status());
    }

    @Test
    void theLimitOfAnXrcSrqIsRaisedInItsOwnContext() {
        for (int i = 0; i < 3; i++) {
            s2.ring().postRecv(i, new Sge(RECV + (long) i * SLOT, SLOT, s2.recvKey()));
        }
        b2.ctx.modifySrq(s2.handle(), SRQ_LIMIT, 3);
        send(1, 0, 12, s2.srqn());
        fx.settle();
        assertEquals(new Event(EVENT_SRQ_LIMIT_REACHED, Abi.ASYNC_SRQ, s2.handle()), b2.ctx.takeAsyncEvent());
        assertEquals(Errno.EAGAIN, assertThrows(VerbsException.class, b1.ctx::takeAsyncEvent).errno(),
                "the target's process sees nothing of it");
    }

    @Test
    void aDomainIsOpenedAsLinuxOpensIt() throws Exception {
        Endpoint g = fx.endpoint("gamma");
        int fresh = newFile();
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> g.ctx.openXrcd(0, fresh)).errno(),
                "no domain yet, no O_CREAT");
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> g.ctx.openXrcd(0, -1)).errno(),
                "a private domain needs O_CREAT");
        int first = g.ctx.openXrcd(CREATE | Abi.XRCD_EXCL, fresh);
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> g.ctx.openXrcd(CREATE | Abi.XRCD_EXCL, fresh)).errno(), "O_EXCL: it has one");
        int again = g.ctx.openXrcd(0, fresh);
        assertNotEquals(first, again);
        g.ctx.closeXrcd(first);
        g.ctx.closeXrcd(again);
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> g.ctx.openXrcd(0, fresh)).errno(),
                "the last close forgets the domain");
        assertEquals(Errno.EBADF, assertThrows(VerbsException.class, () -> g.ctx.openXrcd(CREATE, 1 << 20))
                .errno());
    }

    @Test
    void aDomainCannotBeClosedWhileItsSrqsOrTargetsExist() {
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, () -> b2.ctx.closeXrcd(xrcd2)).errno());
        b2.ctx.destroySrq(s2.handle());
        b2.ctx.closeXrcd(xrcd2);
        b1.ctx.destroySrq(s1.handle());
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, () -> b1.ctx.closeXrcd(xrcd1)).errno(),
                "the target holds it");
        b1.ctx.destroyQp(tgt.handle);
        b1.ctx.closeXrcd(xrcd1);
    }

    @Test
    void eachHalfHasOnlyWhatItNeeds() {
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> a.ctx.createQp(new QpRequest(a.pd,
                a.sendCq.handle, 0, 0, QPT_XRC_RECV, false, new QpCaps(0, 0, 0, 0, 0), 0))).errno(),
                "a target needs its domain");
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> b1.ctx.createQp(new QpRequest(b1.pd,
                b1.sendCq.handle, b1.recvCq.handle, s1.handle(), QPT_RC, false, new QpCaps(4, 0, 1, 0, 0))))
                .errno(), "an XRC SRQ serves targets only");
        assertEquals(0, iniQp.caps.maxRecvWr(), "an initiator has no receive queue");
        assertNull(iniQp.receive().responder(), "nothing is delivered to an initiator");
    }
}
