package org.freeflow.router.internal;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.CreateQpReq;
import org.freeflow.fastpath.api.Abi.ModifyQpReq;
import org.freeflow.fastpath.api.Abi.QpAttr;
import org.freeflow.fastpath.api.Abi.QpCap;
import org.freeflow.fastpath.api.Abi.RegMrReq;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.testing.AttachRequest;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.loopback.FflCompletionQueue;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.testing.InlinePoller;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.testing.WireClient;
import org.freeflow.router.internal.testing.WireClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two "processes" in two containers drive the router through the sockets only, a poller thread runs. */
class SocketEndToEndTest {

    @TempDir
    Path dir;

    private final InlinePoller poller = new InlinePoller();
    private VirtualNicManager router;
    private Thread pollerThread;
    private volatile boolean polling = true;

    @BeforeEach
    void start() throws Exception {
        router = new VirtualNicManager(new FakeOrchestrator(), new FakeQos(), poller,
                new RouterSettings("host1", dir, "freeflow0"));
        pollerThread = new Thread(() -> {
            while (polling) {
                if (!poller.round(System.nanoTime())) {
                    Thread.yield();
                }
            }
        });
        pollerThread.start();
    }

    @AfterEach
    void stop() throws Exception {
        polling = false;
        pollerThread.join();
        router.deactivate();
        poller.close();
    }

    /** What one process holds after setting up its verbs objects over the socket. */
    private final class Process implements AutoCloseable {
        final WireClient ffl;
        final AppMemory memory = new AppMemory();
        final int lid;
        int qpHandle;
        int key;
        FflQueuePair qp;
        FflCompletionQueue cq;

        Process(String container) throws Exception {
            try (WireClient admin = new WireClient(dir.resolve("admin.sock"))) {
                Response info = AttachRequest.ofThisProcess(admin, container, "");
                lid = info.payload().getShort(Abi.ContainerInfo.LID);
                ffl = new WireClient(Path.of(WireClient.string(info.payload(), Abi.ContainerInfo.SOCKET_PATH, 108)));
            }
            assertEquals(0, ffl.call(Abi.OP_OPEN, WireClient.payload(Abi.OpenReq.SIZE)).status());
            int pd = ffl.call(Abi.OP_ALLOC_PD, null).payload().getInt(Abi.HandleResp.HANDLE);
            ByteBuffer mr = WireClient.payload(RegMrReq.SIZE);
            mr.putInt(RegMrReq.PD_HANDLE, pd);
            mr.putInt(RegMrReq.ACCESS, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_RELAXED_ORDERING);
            mr.putLong(RegMrReq.ADDR, 0x10000);
            mr.putLong(RegMrReq.LENGTH, 4096);
            mr.putLong(RegMrReq.IOVA, 0x10000);
            Response reg = ffl.call(Abi.OP_REG_MR, mr, memory.fd);
            assertEquals(0, reg.status());
            key = reg.payload().getInt(Abi.RegMrResp.RKEY);
            assertEquals(key, reg.payload().getInt(Abi.RegMrResp.LKEY));
            ByteBuffer cqReq = WireClient.payload(Abi.CreateCqReq.SIZE);
            cqReq.putInt(Abi.CreateCqReq.CQE, 16);
            cqReq.putInt(Abi.CreateCqReq.CHANNEL, 0);
            Response cqResp = ffl.call(Abi.OP_CREATE_CQ, cqReq);
            int cqHandle = cqResp.payload().getInt(Abi.CreateCqResp.HANDLE);
            cq = new FflCompletionQueue(cqHandle, cqResp.fds()[0]);
            ByteBuffer qpReq = WireClient.payload(CreateQpReq.SIZE);
            qpReq.putInt(CreateQpReq.PD_HANDLE, pd);
            qpReq.putInt(CreateQpReq.SEND_CQ, cqHandle);
            qpReq.putInt(CreateQpReq.RECV_CQ, cqHandle);
            qpReq.putInt(CreateQpReq.QP_TYPE, QPT_RC);
            qpReq.putInt(CreateQpReq.CAP + QpCap.MAX_SEND_WR, 16);
            qpReq.putInt(CreateQpReq.CAP + QpCap.MAX_RECV_WR, 16);
            qpReq.putInt(CreateQpReq.CAP + QpCap.MAX_SEND_SGE, 1);
            qpReq.putInt(CreateQpReq.CAP + QpCap.MAX_RECV_SGE, 1);
            Response qpResp = ffl.call(Abi.OP_CREATE_QP, qpReq);
            assertEquals(0, qpResp.status());
            qpHandle = qpResp.payload().getInt(Abi.CreateQpResp.HANDLE);
            qp = new FflQueuePair(qpResp.payload().getInt(Abi.CreateQpResp.QP_NUM), qpResp.fds()[0]);
        }

        int modify(int mask, AttrBuilder attr) throws Exception {
            ByteBuffer req = WireClient.payload(ModifyQpReq.SIZE);
            req.putInt(ModifyQpReq.HANDLE, qpHandle);
            req.putInt(ModifyQpReq.ATTR_MASK, mask);
            req.put(ModifyQpReq.ATTR, attr.bytes(), 0, QpAttr.SIZE);
            return ffl.call(Abi.OP_MODIFY_QP, req).status();
        }

        void connectTo(Process peer) throws Exception {
            assertEquals(0, modify(0x39, new AttrBuilder().state(QPS_INIT).port(1)
                    .access(ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE)));
            assertEquals(0, modify(0x129181, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                    .dest(peer.lid, peer.qp.qpn).minRnrTimer(12).rdAtomic(0, 16)));
            assertEquals(0, modify(QP_STATE | QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_SQ_PSN
                    | QP_MAX_QP_RD_ATOMIC, new AttrBuilder().state(QPS_RTS).timeout(14).retry(7, 7)));
        }

        @Override
        public void close() {
            ffl.close();
            qp.close();
            cq.close();
            memory.close();
        }
    }

    @Test
    void writeBetweenTwoContainersThroughTheSockets() throws Exception {
        try (Process a = new Process("alpha"); Process b = new Process("beta")) {
            a.connectTo(b);
            b.connectTo(a);
            assertEquals(QPS_RTS, a.qp.state());

            ByteBuffer query = WireClient.payload(Abi.QueryQpReq.SIZE);
            query.putInt(Abi.QueryQpReq.HANDLE, a.qpHandle);
            ByteBuffer attr = a.ffl.call(Abi.OP_QUERY_QP, query).payload();
            assertEquals(QPS_RTS, attr.getInt(QpAttr.QP_STATE));
            assertEquals(b.qp.qpn, attr.getInt(QpAttr.DEST_QP_NUM));
            assertEquals(b.lid, attr.getShort(QpAttr.AH_ATTR_DLID));

            a.memory.fill(0x10000, 2048, 11);
            a.qp.postSend(7, WR_RDMA_WRITE, SEND_SIGNALED, 0x10800, b.key, 0, new Sge(0x10000, 2048, a.key));
            Completion done = null;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (done == null && System.nanoTime() < deadline) {
                done = a.cq.poll();
                Thread.yield();
            }
            assertNotNull(done, "no completion within 5 s");
            assertEquals(WC_SUCCESS, done.status());
            assertArrayEquals(AppMemory.pattern(2048, 11), b.memory.read(0x10800, 2048));

            List<QueuePairView> qps = router.queuePairs();
            assertEquals(2, qps.size());
            assertEquals("alpha", qps.get(0).container());
            assertEquals("RTS", qps.get(0).state());
            assertEquals(1, qps.get(0).sendWrs());
            assertEquals(2048, qps.get(0).bytesSent());
            assertEquals(b.qp.qpn, qps.get(0).destQpn());

            ByteBuffer bad = WireClient.payload(Abi.HandleReq.SIZE);
            bad.putInt(Abi.HandleReq.HANDLE, 999);
            assertEquals(Errno.EINVAL, a.ffl.call(Abi.OP_DESTROY_QP, bad).status());
        }
    }
}
