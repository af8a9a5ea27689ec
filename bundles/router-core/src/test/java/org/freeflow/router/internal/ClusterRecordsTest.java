package org.freeflow.router.internal;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.CreateQpReq;
import org.freeflow.fastpath.api.Abi.ModifyQpReq;
import org.freeflow.fastpath.api.Abi.QpAttr;
import org.freeflow.fastpath.api.Abi.QpCap;
import org.freeflow.fastpath.api.Abi.RegMrReq;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.testing.AttachRequest;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.testing.InlinePoller;
import org.freeflow.router.internal.testing.WireClient;
import org.freeflow.router.internal.testing.WireClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the router publishes into QPS and MEMORY_MAPS, and when its verbs answer relative to that. */
@Timeout(60)
class ClusterRecordsTest {

    @TempDir
    Path dir;

    private final FakeOrchestrator orchestrator = new FakeOrchestrator();
    private final InlinePoller poller = new InlinePoller();
    private VirtualNicManager router;
    private WireClient ffl;
    private AppMemory memory;
    private int pd;

    @BeforeEach
    void start() throws Exception {
        router = new VirtualNicManager(orchestrator, new FakeQos(), poller,
                new RouterSettings("host1", dir, "freeflow0", 0, 50));
        try (WireClient admin = new WireClient(dir.resolve("admin.sock"))) {
            Response info = AttachRequest.ofThisProcess(admin, "alpha", "acme");
            ffl = new WireClient(Path.of(WireClient.string(info.payload(), Abi.ContainerInfo.SOCKET_PATH, 108)));
        }
        memory = new AppMemory();
        assertEquals(0, ffl.call(Abi.OP_OPEN, WireClient.payload(Abi.OpenReq.SIZE)).status());
        pd = ffl.call(Abi.OP_ALLOC_PD, null).payload().getInt(Abi.HandleResp.HANDLE);
    }

    @AfterEach
    void stop() {
        ffl.close();
        memory.close();
        router.deactivate();
        poller.close();
    }

    private ByteBuffer regMrReq(long addr, long length) {
        ByteBuffer mr = WireClient.payload(RegMrReq.SIZE);
        mr.putInt(RegMrReq.PD_HANDLE, pd);
        mr.putInt(RegMrReq.ACCESS, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_READ);
        mr.putLong(RegMrReq.ADDR, addr);
        mr.putLong(RegMrReq.LENGTH, length);
        mr.putLong(RegMrReq.IOVA, addr);
        return mr;
    }

    private static ByteBuffer handleReq(int handle) {
        ByteBuffer req = WireClient.payload(Abi.HandleReq.SIZE);
        req.putInt(Abi.HandleReq.HANDLE, handle);
        return req;
    }

    private CompletableFuture<Response> receiveLater() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ffl.receive();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void regMrAnswersOnlyOnceTheMemoryMapsHoldTheRegionAndDeregMrOnceTheyDropIt() throws Exception {
        orchestrator.holdRegionWrites();
        ffl.send(Abi.OP_REG_MR, regMrReq(0x20000, 8192), memory.fd);
        CompletableFuture<Response> reply = receiveLater();
        Thread.sleep(300);
        assertFalse(reply.isDone(), "no answer while the cluster has not taken the region");
        orchestrator.releaseRegionWrites();
        Response reg = reply.get(10, TimeUnit.SECONDS);
        assertEquals(0, reg.status());
        int rkey = reg.payload().getInt(Abi.RegMrResp.RKEY);
        MemoryRegionRecord row = orchestrator.regions.get("alpha/" + rkey);
        assertTrue(row != null, "published before the answer: " + orchestrator.regions);
        assertEquals(new MemoryRegionRecord("alpha", rkey, rkey, "host1", pd, 0x20000, 8192,
                ACCESS_LOCAL_WRITE | ACCESS_REMOTE_READ, row.registeredAt()), row);

        int handle = reg.payload().getInt(Abi.RegMrResp.HANDLE);
        orchestrator.holdRegionWrites();
        ffl.send(Abi.OP_DEREG_MR, handleReq(handle));
        CompletableFuture<Response> dereg = receiveLater();
        Thread.sleep(300);
        assertFalse(dereg.isDone(), "no answer while the row is still there");
        orchestrator.releaseRegionWrites();
        assertEquals(0, dereg.get(10, TimeUnit.SECONDS).status());
        assertNull(orchestrator.regions.get("alpha/" + rkey), "removed before the answer");
    }

    @Test
    void aRegionTheMemoryMapsRefuseIsNotRegistered() throws Exception {
        orchestrator.regionWritesFail = new IllegalStateException("cluster read-only");
        Response refused = ffl.call(Abi.OP_REG_MR, regMrReq(0x20000, 4096), memory.fd);
        assertEquals(Errno.ENOMEM, refused.status());
        assertTrue(orchestrator.regions.isEmpty());
        assertEquals(0, ffl.call(Abi.OP_DEALLOC_PD, handleReq(pd)).status(),
                "the refused registration holds its PD no more (it was deregistered)");
    }

    @Test
    void queuePairRowsFollowCreateModifyAndDestroy() throws Exception {
        Response created = createQp(QPT_RC);
        assertEquals(0, created.status());
        int handle = created.payload().getInt(Abi.CreateQpResp.HANDLE);
        int qpn = created.payload().getInt(Abi.CreateQpResp.QP_NUM);
        QueuePairRecord row = orchestrator.queuePairs.get(qpn);
        assertEquals("alpha", row.container());
        assertEquals("host1", row.host());
        assertEquals("RC", row.type());
        assertEquals("RESET", row.state());

        assertEquals(0, modify(handle, 0x39, new AttrBuilder().state(QPS_INIT).port(1).access(ACCESS_LOCAL_WRITE)));
        assertEquals(0, modify(handle, 0x129181, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(7, 0x4242).minRnrTimer(12).rdAtomic(0, 16)));
        row = orchestrator.queuePairs.get(qpn);
        assertEquals("RTR", row.state());
        assertEquals(7, row.peerLid());
        assertEquals(0x4242, row.peerQpn());

        assertEquals(0, ffl.call(Abi.OP_DESTROY_QP, handleReq(handle)).status());
        assertNull(orchestrator.queuePairs.get(qpn));
    }

    @Test
    void theRefreshWritesTheCountersOfRunningQps() throws Exception {
        int qpn = createQp(QPT_UD).payload().getInt(Abi.CreateQpResp.QP_NUM);
        orchestrator.queuePairs.clear(); // as if the create's write had been lost
        eventually(() -> orchestrator.queuePairs.containsKey(qpn), "the refresh wrote the QP's row again");
        assertEquals("UD", orchestrator.queuePairs.get(qpn).type());
    }

    @Test
    void aProcessThatDiesLeavesNoRowBehind() throws Exception {
        assertEquals(0, ffl.call(Abi.OP_REG_MR, regMrReq(0x20000, 4096), memory.fd).status());
        assertEquals(0, ffl.call(Abi.OP_REG_MR, regMrReq(0x40000, 4096), memory.fd).status());
        assertEquals(2, orchestrator.regions.size());
        ffl.close();
        eventually(orchestrator.regions::isEmpty, "the dead process's regions are dropped");
    }

    @Test
    void aClusterThatRestartedWholeGetsBackWhatTheRouterServes() throws Exception {
        Response reg = ffl.call(Abi.OP_REG_MR, regMrReq(0x20000, 8192), memory.fd);
        assertEquals(0, reg.status());
        int rkey = reg.payload().getInt(Abi.RegMrResp.RKEY);
        int qpn = createQp(QPT_RC).payload().getInt(Abi.CreateQpResp.QP_NUM);

        FakeOrchestrator restarted = new FakeOrchestrator(); // empty tables: every node stopped meanwhile
        router.unbindOrchestrator(orchestrator);
        router.bindOrchestrator(restarted);
        assertEquals(java.util.List.of(orchestrator.registered.get("alpha")), restarted.hosts.get("host1"),
                "the host registered with the record of the container it serves");
        eventually(() -> restarted.regions.containsKey("alpha/" + rkey), "the region written back");
        MemoryRegionRecord row = restarted.regions.get("alpha/" + rkey);
        assertEquals(new MemoryRegionRecord("alpha", rkey, rkey, "host1", pd, 0x20000, 8192,
                ACCESS_LOCAL_WRITE | ACCESS_REMOTE_READ, row.registeredAt()), row);
        eventually(() -> restarted.queuePairs.containsKey(qpn), "the QP written back");
        assertEquals("RESET", restarted.queuePairs.get(qpn).state());
    }

    /** A QP of {@code type} on a CQ of its own, four WRs each way. */
    private Response createQp(int type) throws Exception {
        int cq = ffl.call(Abi.OP_CREATE_CQ, cqReq()).payload().getInt(Abi.CreateCqResp.HANDLE);
        ByteBuffer req = WireClient.payload(CreateQpReq.SIZE);
        req.putInt(CreateQpReq.PD_HANDLE, pd);
        req.putInt(CreateQpReq.SEND_CQ, cq);
        req.putInt(CreateQpReq.RECV_CQ, cq);
        req.putInt(CreateQpReq.QP_TYPE, type);
        req.putInt(CreateQpReq.CAP + QpCap.MAX_SEND_WR, 4);
        req.putInt(CreateQpReq.CAP + QpCap.MAX_RECV_WR, 4);
        req.putInt(CreateQpReq.CAP + QpCap.MAX_SEND_SGE, 1);
        req.putInt(CreateQpReq.CAP + QpCap.MAX_RECV_SGE, 1);
        return ffl.call(Abi.OP_CREATE_QP, req);
    }

    private int modify(int handle, int mask, AttrBuilder attr) throws Exception {
        ByteBuffer req = WireClient.payload(ModifyQpReq.SIZE);
        req.putInt(ModifyQpReq.HANDLE, handle);
        req.putInt(ModifyQpReq.ATTR_MASK, mask);
        req.put(ModifyQpReq.ATTR, attr.bytes(), 0, QpAttr.SIZE);
        return ffl.call(Abi.OP_MODIFY_QP, req).status();
    }

    private static ByteBuffer cqReq() {
        ByteBuffer req = WireClient.payload(Abi.CreateCqReq.SIZE);
        req.putInt(Abi.CreateCqReq.CQE, 16);
        return req;
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Thread.sleep(10);
        }
    }
}
