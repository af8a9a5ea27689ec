package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.freeflow.fastpath.api.Abi.QpAttr;
import org.freeflow.fastpath.api.Abi.QpCap;
import org.freeflow.fastpath.api.Abi.QueryQpResp;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.MemFd;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Control operations of a context: errors, modify/query, cleanup. */
class VerbsContextTest {

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;

    @BeforeEach
    void setUp() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
    }

    @AfterEach
    void close() {
        fx.close();
    }

    static void assertErrno(int errno, Executable call) {
        assertEquals(errno, assertThrows(VerbsException.class, call).errno());
    }

    @Test
    void modifyChecksTransitionMaskAndValues() {
        assertErrno(Errno.EINVAL, () -> fx.toRtr(a, b, 12));
        assertErrno(Errno.EINVAL, () -> a.ctx.modifyQp(a.qpHandle, VnicFixture.INIT_MASK,
                new AttrBuilder().state(QPS_INIT).port(2).build(VnicFixture.INIT_MASK)));
        assertErrno(Errno.EINVAL, () -> a.ctx.modifyQp(a.qpHandle, VnicFixture.INIT_MASK,
                new AttrBuilder().state(QPS_INIT).port(1).pkeyIndex(1).build(VnicFixture.INIT_MASK)));
        assertErrno(Errno.EINVAL, () -> a.ctx.modifyQp(a.qpHandle, VnicFixture.INIT_MASK,
                new AttrBuilder().state(QPS_INIT).port(1).access(1 << 12).build(VnicFixture.INIT_MASK)));
        assertEquals(QPS_RESET, a.state(), "a refused modify changes nothing");
        fx.toInit(a, VnicFixture.ALL_ACCESS);
        assertErrno(Errno.EINVAL, () -> a.ctx.modifyQp(a.qpHandle, VnicFixture.RTR_MASK,
                new AttrBuilder().state(QPS_RTR).pathMtu(7).dest(2, 0x101).build(VnicFixture.RTR_MASK)));
        assertErrno(Errno.EINVAL, () -> a.ctx.modifyQp(a.qpHandle, QP_STATE | QP_CUR_STATE,
                new AttrBuilder().state(QPS_ERR).currentState(QPS_RTS).build(QP_STATE | QP_CUR_STATE)));
        assertEquals(QPS_INIT, a.state());
        assertEquals(QPS_INIT, a.qp.state(), "mirrored into ff_qp_shm.state");
    }

    @Test
    void queryReportsWhatWasSet() {
        fx.connect(a, b, 6, 14);
        ByteBuffer out = ByteBuffer.allocate(QueryQpResp.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        a.ctx.queryQp(a.qpHandle, out, 0);
        assertEquals(QPS_RTS, out.getInt(QpAttr.QP_STATE));
        assertEquals(VnicFixture.ALL_ACCESS, out.getInt(QpAttr.QP_ACCESS_FLAGS));
        assertEquals(MTU_4096, out.getInt(QpAttr.PATH_MTU));
        assertEquals(b.qp.qpn, out.getInt(QpAttr.DEST_QP_NUM));
        assertEquals(b.nic.lid(), out.getShort(QpAttr.AH_ATTR_DLID));
        assertEquals(14, out.get(QpAttr.MIN_RNR_TIMER));
        assertEquals(6, out.get(QpAttr.RNR_RETRY));
        assertEquals(16, out.getInt(QpAttr.CAP + QpCap.MAX_SEND_WR));
        assertEquals(QPT_RC, out.getInt(QueryQpResp.QP_TYPE));
    }

    @Test
    void registrationIsChecked() throws Exception {
        assertErrno(Errno.EINVAL, () -> a.ctx.regMr(99, 0, 0x1000, 10, 0x1000, a.memory.fd));
        assertErrno(Errno.EINVAL, () -> a.ctx.regMr(a.pd, ACCESS_REMOTE_WRITE, 0x1000, 10, 0x1000, a.memory.fd));
        assertErrno(Errno.EOPNOTSUPP, () -> a.ctx.regMr(a.pd, ACCESS_ON_DEMAND, 0x1000, 10, 0x1000, a.memory.fd));
        assertTrue(a.ctx.regMr(a.pd, 0, 0x1000, 0, 0x1000, a.memory.fd).key() != 0, "zero length, as the FFL allows");
        assertErrno(Errno.EINVAL, () -> a.ctx.regMr(a.pd, 0, AppMemory.SIZE - 10, 20, 0, a.memory.fd));
        assertErrno(Errno.EINVAL, () -> a.ctx.regMr(a.pd, 0, 0x1000, 10, 0x1000, -1));
        try (AppMemory unsealed = new AppMemory(1 << 20, 0)) {
            assertErrno(Errno.EINVAL, () -> a.ctx.regMr(a.pd, 0, 0x1000, 10, 0x1000, unsealed.fd));
        }
        int relaxed = ACCESS_LOCAL_WRITE | ACCESS_RELAXED_ORDERING;
        assertTrue(a.ctx.regMr(a.pd, relaxed, 0x1234, 10, 0x1234, a.memory.fd).key() != 0,
                "optional access bits are ignored, unaligned buffers are fine");
        assertEquals(MemFd.F_SEAL_SHRINK, MemFd.seals(a.memory.fd));
    }

    @Test
    void objectsInUseCannotBeDestroyed() {
        a.register(0x1000, 100, 0);
        assertErrno(Errno.EBUSY, () -> a.ctx.deallocPd(a.pd));
        assertErrno(Errno.EBUSY, () -> a.ctx.destroyCq(a.sendCq.handle));
        a.ctx.destroyQp(a.qpHandle);
        a.ctx.destroyCq(a.sendCq.handle);
        assertErrno(Errno.EINVAL, () -> a.ctx.destroyCq(a.sendCq.handle));
        assertErrno(Errno.EINVAL, () -> a.ctx.destroyQp(a.qpHandle));
    }

    @Test
    void queuePairRequestsAreChecked() {
        int cq = a.recvCq.handle;
        assertErrno(Errno.EOPNOTSUPP, () -> a.ctx.createQp(new QpRequest(a.pd, cq, cq, 0, 8, false, caps(1))));
        assertErrno(Errno.EINVAL, () -> a.ctx.createQp(new QpRequest(a.pd, cq, cq, 0, 5, false, caps(1))));
        assertErrno(Errno.EINVAL, () -> a.ctx.createQp(new QpRequest(a.pd, cq, cq, 3, QPT_RC, false, caps(1))));
        assertErrno(Errno.EINVAL, () -> a.ctx.createQp(new QpRequest(a.pd, cq, cq, 0, QPT_RC, false, caps(20000))));
        assertErrno(Errno.EINVAL, () -> a.ctx.createQp(new QpRequest(a.pd, 77, cq, 0, QPT_RC, false, caps(1))));
        fx.qos.maxQps = 2;
        a.ctx.createQp(new QpRequest(a.pd, cq, cq, 0, QPT_RC, false, caps(1)));
        assertErrno(Errno.EDQUOT, () -> a.ctx.createQp(new QpRequest(a.pd, cq, cq, 0, QPT_RC, false, caps(1))));
        Grants.Qp granted = b.ctx.createQp(new QpRequest(b.pd, b.recvCq.handle, b.recvCq.handle, 0, QPT_RC, false,
                new QpCaps(100, 3, 0, 2, 32)));
        assertEquals(new QpCaps(128, 4, 1, 2, 32), granted.caps(), "queues round up to powers of two");
        VerbsContext.closeRingFd(granted.fd());
    }

    @Test
    void closingAContextDestroysEverythingItMade() {
        fx.connect(a, b);
        a.register(0x1000, 100, 0);
        int targets = fx.poller.targets();
        a.ctx.close();
        assertEquals(targets - 1, fx.poller.targets());
        assertEquals(null, fx.directory.get(a.qp.qpn));
        assertEquals(0, a.nic.queuePairs());
        assertEquals(0, a.nic.mrTable.size());
        assertEquals(0, a.nic.view("freeflow0").connections());
        assertEquals(1, b.nic.view("freeflow0").qps());
    }

    private static QpCaps caps(int wrs) {
        return new QpCaps(wrs, wrs, 1, 1, 0);
    }
}
