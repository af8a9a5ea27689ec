package org.freeflow.router.internal.control;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.freeflow.router.internal.testing.FuzzValues.flags;
import static org.freeflow.router.internal.testing.FuzzValues.handle;
import static org.freeflow.router.internal.testing.FuzzValues.near;
import static org.freeflow.router.internal.testing.FuzzValues.nearLong;
import static org.freeflow.router.internal.testing.FuzzValues.pick;
import static org.freeflow.router.internal.testing.FuzzValues.pickLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.AsyncEvent;
import org.freeflow.fastpath.api.Abi.AttachReq;
import org.freeflow.fastpath.api.Abi.ContainerInfo;
import org.freeflow.fastpath.api.Abi.ContainerReq;
import org.freeflow.fastpath.api.Abi.CreateCqReq;
import org.freeflow.fastpath.api.Abi.CreateCqResp;
import org.freeflow.fastpath.api.Abi.CreateQpReq;
import org.freeflow.fastpath.api.Abi.CreateQpResp;
import org.freeflow.fastpath.api.Abi.CreateSrqReq;
import org.freeflow.fastpath.api.Abi.CreateSrqResp;
import org.freeflow.fastpath.api.Abi.DestroyResp;
import org.freeflow.fastpath.api.Abi.DeviceInfo;
import org.freeflow.fastpath.api.Abi.HandleReq;
import org.freeflow.fastpath.api.Abi.HandleResp;
import org.freeflow.fastpath.api.Abi.Hdr;
import org.freeflow.fastpath.api.Abi.ModifyQpReq;
import org.freeflow.fastpath.api.Abi.ModifySrqReq;
import org.freeflow.fastpath.api.Abi.OpenReq;
import org.freeflow.fastpath.api.Abi.OpenXrcdReq;
import org.freeflow.fastpath.api.Abi.PortAttr;
import org.freeflow.fastpath.api.Abi.PortReq;
import org.freeflow.fastpath.api.Abi.QpAttr;
import org.freeflow.fastpath.api.Abi.QueryQpReq;
import org.freeflow.fastpath.api.Abi.QueryQpResp;
import org.freeflow.fastpath.api.Abi.RegMrReq;
import org.freeflow.fastpath.api.Abi.RegMrResp;
import org.freeflow.fastpath.api.Abi.SrqAttr;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.posix.api.Datagram;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.freeflow.qos.api.QosService;
import org.freeflow.qos.api.RateLimiter;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.internal.RouterDefaults;
import org.freeflow.router.internal.RouterSettings;
import org.freeflow.router.internal.VirtualNicManager;
import org.freeflow.router.internal.testing.Descriptors;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.AppPipe;
import org.freeflow.router.internal.testing.InlinePoller;
import org.freeflow.router.internal.vnic.LocalTransport;
import org.freeflow.router.internal.vnic.QpDirectory;
import org.freeflow.router.internal.vnic.TransportRegistry;
import org.freeflow.router.internal.vnic.VerbsContext;
import org.freeflow.router.internal.vnic.VerbsException;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.freeflow.router.internal.vnic.VnicEnvironment;

/**
 * Fuzz target (issue 9): the control protocol as the control thread runs
 * it ({@link ControlServer}'s serve and answer: {@link Framing},
 * {@link Request}, {@link Reply}) in front of a real {@link VerbsSession}
 * on a real {@link VerbsContext} of a virtual NIC, whose QPs are polled by a
 * thread-less poller, and an {@link AdminSession} on a real
 * {@link VirtualNicManager}.  One input is a conversation: up to
 * {@link #MAX_MESSAGES} datagrams, mostly well-formed requests of a random
 * op whose handles are ones earlier replies handed out (or stale, or made
 * up), sometimes raw bytes, with descriptors from a pool; garbage framing
 * closes the connection (the session's close frees everything) and the
 * conversation goes on in a new one.
 * <p>
 * What must hold: a request is answered or refused with an errno
 * ({@link VerbsException}); nothing else escapes (the server would answer
 * EIO and log an error); a reply is of the op's size and carries the op's
 * descriptors, a refusal carries nothing; the ring sizes announced are the
 * memfds' sizes; after the conversation the session still answers a
 * well-formed request correctly, and closing it leaves no poll target, no
 * context and no descriptor behind.
 */
class ControlFuzzTest {

    static final int MAX_MESSAGES = 48;
    private static final String DEVICE = "freeflow0";
    private static final int[] VERBS_OPS = {Abi.OP_OPEN, Abi.OP_ALLOC_PD, Abi.OP_DEALLOC_PD, Abi.OP_REG_MR,
        Abi.OP_DEREG_MR, Abi.OP_CREATE_CQ, Abi.OP_DESTROY_CQ, Abi.OP_CREATE_QP, Abi.OP_MODIFY_QP, Abi.OP_QUERY_QP,
        Abi.OP_DESTROY_QP, Abi.OP_GET_ASYNC_EVENT, Abi.OP_CREATE_SRQ, Abi.OP_MODIFY_SRQ, Abi.OP_QUERY_SRQ,
        Abi.OP_DESTROY_SRQ, Abi.OP_OPEN_XRCD, Abi.OP_CLOSE_XRCD, Abi.OP_QUERY_PORT, Abi.OP_CREATE_COMP_CHANNEL,
        Abi.OP_DESTROY_COMP_CHANNEL};
    private static final int[] ADMIN_OPS = {Abi.OP_ADMIN_PING, Abi.OP_ADMIN_ADD_CONTAINER,
        Abi.OP_ADMIN_REMOVE_CONTAINER, Abi.OP_ADMIN_SET_PORT};
    private static final int[] QP_TYPES = {QPT_RC, QPT_UC, QPT_UD, QPT_XRC_SEND, QPT_XRC_RECV, 8, 0};
    private static final int KNOWN_ACCESS = ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ
            | ACCESS_REMOTE_ATOMIC | ACCESS_MW_BIND | ACCESS_ZERO_BASED | ACCESS_ON_DEMAND | ACCESS_HUGETLB
            | ACCESS_RELAXED_ORDERING;
    private static final int INIT = QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_ACCESS_FLAGS;
    private static final int RTR = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN | QP_MAX_DEST_RD_ATOMIC
            | QP_MIN_RNR_TIMER;
    private static final int RTS = QP_STATE | QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_SQ_PSN
            | QP_MAX_QP_RD_ATOMIC;
    private static final int[] MASKS = {INIT, RTR, RTS, QP_STATE, QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_QKEY,
        QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN, QP_STATE | QP_SQ_PSN, QP_STATE | QP_TIMEOUT
            | QP_SQ_PSN, QP_STATE | QP_EN_SQD_ASYNC_NOTIFY, QP_STATE | QP_CUR_STATE, QP_QKEY, QP_ACCESS_FLAGS,
        QP_MIN_RNR_TIMER | QP_STATE | QP_CUR_STATE};
    private static final String[] NAMES = {"web", "db", "a", "fuzz-1", "x-", "", "UPPER", "a_b",
        "0123456789012345678901234567890123456789012345678901234567890123"};
    private static World world;

    /** What every input shares: the poller, the environment, the descriptors requests carry, the admin side. */
    private static final class World {
        final InlinePoller poller = new InlinePoller();
        final QpDirectory directory = new QpDirectory();
        final VnicEnvironment env;
        /** Sealed memfd (MRs), unsealed memfd, sealed one-page memfd, eventfd, two files for XRC domains, a netns. */
        final int[] pool;
        final ByteBuffer in = ByteBuffer.allocateDirect(Abi.MSG_MAX).order(ByteOrder.LITTLE_ENDIAN);
        final Reply reply = new Reply();
        final ByteBuffer msg = ByteBuffer.allocate(Abi.MSG_MAX + 64).order(ByteOrder.LITTLE_ENDIAN);
        final VirtualNicManager admin;

        World() throws IOException {
            QosService qos = new QosService() {
                @Override
                public boolean admitQueuePair(String container, int existingQps) {
                    return existingQps < 64;
                }

                @Override
                public RateLimiter limiterFor(String container, String tenant, int qpn) {
                    return RateLimiter.UNLIMITED;
                }
            };
            env = new VnicEnvironment(poller, qos, new FakeOrchestrator(), new TransportRegistry(
                    new LocalTransport(directory)), directory);
            pool = new int[] {memfd(1 << 20, MemFd.F_SEAL_SHRINK), memfd(1 << 20, 0), memfd(4096, MemFd.F_SEAL_SHRINK),
                EventFd.create(EventFd.EFD_NONBLOCK).fd(), memfd(0, 0), memfd(0, 0),
                FileDescriptors.openReadOnly(Path.of("/proc/self/ns/net"))};
            // made on first use: make them now, or the first OPEN looks like a descriptor leak
            poller.routerPageFd();
            Path dir = Files.createTempDirectory("ff-control-fuzz");
            admin = new VirtualNicManager(new FakeOrchestrator(), qos, new InlinePoller(),
                    new RouterSettings("host1", dir, DEVICE));
            Runtime.getRuntime().addShutdownHook(new Thread(admin::deactivate));
        }

        private static int memfd(long size, int seals) throws PosixException {
            int fd = MemFd.create("control-fuzz");
            MemFd.truncate(fd, size);
            if (seals != 0) {
                MemFd.addSeals(fd, seals);
            }
            return fd;
        }
    }

    /** One conversation's state: the connection's session and what replies handed out. */
    private static final class Conversation {
        final VirtualNic vnic;
        VerbsContext context;
        VerbsSession session;
        boolean adminUsed;
        final List<Integer> pds = new ArrayList<>();
        final List<Integer> mrs = new ArrayList<>();
        final List<Integer> cqs = new ArrayList<>();
        final List<Integer> qps = new ArrayList<>();
        final List<Integer> qpns = new ArrayList<>();
        final List<Integer> srqs = new ArrayList<>();
        final List<Integer> xrcds = new ArrayList<>();
        final List<Integer> channels = new ArrayList<>();
        /** The async event pipe the last OPEN shared (the router's descriptor, the app's file), or -1. */
        int asyncFd = -1;

        Conversation(World w) {
            vnic = new VirtualNic(new ContainerRecord("fuzz", "default", "host1", "10.98.0.1", 16, 1, "fe80::4646:1",
                    "RUNNING"), Path.of("/tmp/fuzz.sock"));
            connect(w);
        }

        void connect(World w) {
            asyncFd = -1;
            context = new VerbsContext(vnic, w.env);
            session = new VerbsSession(context, DEVICE);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void conversation(FuzzedDataProvider data) throws Exception {
        if (world == null) {
            world = new World();
        }
        World w = world;
        Set<String> fdsBefore = Descriptors.open();
        Conversation c = new Conversation(w);
        try {
            for (int i = 0; i < MAX_MESSAGES && data.remainingBytes() > 0; i++) {
                int kind = data.consumeInt(0, 32);
                if (kind < 26) {
                    verbsRequest(data, w, c);
                } else if (kind < 28) {
                    rawDatagram(data, w, c);
                } else if (kind < 30) {
                    adminRequest(data, w, c);
                } else if (kind == 30) {
                    c.vnic.setPortActive(data.consumeBoolean());
                } else if (kind == 32) {
                    // the application fills its async event pipe: every byte the router writes finds it full
                    if (c.asyncFd >= 0) {
                        AppPipe.fill(c.asyncFd);
                    }
                } else {
                    c.session.close();
                    c.connect(w);
                }
                w.poller.round(System.nanoTime());
            }
            stillAnswers(w, c);
        } finally {
            c.session.close();
            if (c.adminUsed) {
                for (ContainerView v : w.admin.containers()) {
                    w.admin.detach(v.name());
                }
            }
        }
        assertEquals(0, w.poller.targets(), "closing the session leaves no poll target");
        assertTrue(c.vnic.contexts().isEmpty(), "closing the session leaves no context");
        Descriptors.assertNoLeak(fdsBefore, "closing the session", w.pool);
    }

    /** A well-formed request still gets its correct reply. */
    private static void stillAnswers(World w, Conversation c) {
        c.vnic.setPortActive(true);
        ByteBuffer m = header(w, Abi.OP_QUERY_PORT, HandleReq.SIZE);
        m.putInt(Hdr.SIZE + HandleReq.HANDLE, RouterDefaults.PORT_NUM);
        ByteBuffer out = deliver(w, c, c.session, Hdr.SIZE + HandleReq.SIZE, new int[0], false);
        assertEquals(0, out.getInt(Hdr.STATUS), "QUERY_PORT of port 1 after the conversation");
        assertEquals(PORT_ACTIVE, out.get(Hdr.SIZE + PortAttr.PORT_STATE));
        w.reply.closeFd();
        header(w, Abi.OP_ALLOC_PD, 0);
        out = deliver(w, c, c.session, Hdr.SIZE, new int[0], false);
        assertEquals(0, out.getInt(Hdr.STATUS), "ALLOC_PD after the conversation");
        assertTrue(out.getInt(Hdr.SIZE + HandleResp.HANDLE) > 0);
        w.reply.closeFd();
    }

    private static void verbsRequest(FuzzedDataProvider data, World w, Conversation c) {
        int op = data.consumeInt(0, 31) == 0 ? data.consumeInt(0, 0xffff) : VERBS_OPS[data.consumeInt(0,
                VERBS_OPS.length - 1)];
        int size = requestSize(op);
        if (data.consumeInt(0, 15) == 0) {
            size = data.consumeInt(0, Abi.MSG_MAX - Hdr.SIZE);
        }
        ByteBuffer m = header(w, op, size);
        int p = Hdr.SIZE;
        List<Integer> fds = new ArrayList<>();
        switch (op) {
            case Abi.OP_OPEN -> {
                m.putInt(p + OpenReq.PID, data.consumeInt());
                putString(m, p + OpenReq.COMM, 16, data.consumeBytes(data.consumeInt(0, 17)));
            }
            case Abi.OP_DEALLOC_PD -> m.putInt(p + HandleReq.HANDLE, handle(data, c.pds));
            case Abi.OP_DEREG_MR -> m.putInt(p + HandleReq.HANDLE, handle(data, c.mrs));
            case Abi.OP_DESTROY_CQ -> m.putInt(p + HandleReq.HANDLE, handle(data, c.cqs));
            case Abi.OP_DESTROY_QP -> m.putInt(p + HandleReq.HANDLE, handle(data, c.qps));
            case Abi.OP_QUERY_SRQ, Abi.OP_DESTROY_SRQ -> m.putInt(p + HandleReq.HANDLE, handle(data, c.srqs));
            case Abi.OP_CLOSE_XRCD -> m.putInt(p + HandleReq.HANDLE, handle(data, c.xrcds));
            case Abi.OP_DESTROY_COMP_CHANNEL -> m.putInt(p + HandleReq.HANDLE, handle(data, c.channels));
            case Abi.OP_QUERY_PORT -> m.putInt(p + HandleReq.HANDLE, pick(data, 1, 0, 2, 255));
            case Abi.OP_REG_MR -> {
                m.putInt(p + RegMrReq.PD_HANDLE, handle(data, c.pds));
                m.putInt(p + RegMrReq.ACCESS, flags(data, KNOWN_ACCESS | ACCESS_OPTIONAL_RANGE));
                long addr = pickLong(data, 0, 13, 4096, 4095, 0x10000 + 7, (1 << 20) - 1, (1 << 20) - 4096,
                        Abi.MEMFD_SIZE, Abi.MEMFD_SIZE - 4096, -1L);
                long length = pickLong(data, 0, 1, 100, 4096, 4097, 3 * 4096 + 5, (1 << 20), (1 << 20) + 1,
                        Abi.MEMFD_SIZE, -1L, Long.MAX_VALUE);
                m.putLong(p + RegMrReq.ADDR, addr);
                m.putLong(p + RegMrReq.LENGTH, length);
                m.putLong(p + RegMrReq.IOVA, pickLong(data, addr, 0, -1L - length + 1, -length, Long.MAX_VALUE));
                fds.add(poolFd(data, w, 0, 0, 0, 1, 2, 3));
            }
            case Abi.OP_CREATE_CQ -> {
                m.putInt(p + CreateCqReq.CQE, pick(data, 1, 2, 16, 100, 0, -1, RouterDefaults.MAX_CQE,
                        RouterDefaults.MAX_CQE + 1));
                m.putInt(p + CreateCqReq.COMP_VECTOR, data.consumeInt());
                m.putInt(p + CreateCqReq.CHANNEL, data.consumeBoolean() ? 0 : handle(data, c.channels));
                m.putInt(p + CreateCqReq.FLAGS, pick(data, 0, 0, Abi.CQ_F_TIMESTAMP, 2, -1));
                if (data.consumeInt(0, 7) == 0) {
                    fds.add(poolFd(data, w, 3, 3, 3, 0)); // ABI 7 sent the channel's eventfd along
                }
            }
            case Abi.OP_CREATE_QP -> createQp(data, c, m, p);
            case Abi.OP_MODIFY_QP -> modifyQp(data, c, m, p);
            case Abi.OP_QUERY_QP -> {
                m.putInt(p + QueryQpReq.HANDLE, handle(data, c.qps));
                m.putInt(p + QueryQpReq.ATTR_MASK, data.consumeInt());
            }
            case Abi.OP_CREATE_SRQ -> {
                m.putInt(p + CreateSrqReq.PD_HANDLE, handle(data, c.pds));
                m.putInt(p + CreateSrqReq.SRQ_TYPE, pick(data, SRQT_BASIC, SRQT_BASIC, SRQT_XRC, 2));
                m.putInt(p + CreateSrqReq.ATTR_MAX_WR, pick(data, 1, 4, 16, 0, RouterDefaults.MAX_SRQ_WR,
                        RouterDefaults.MAX_SRQ_WR + 1, -1));
                m.putInt(p + CreateSrqReq.ATTR_MAX_SGE, pick(data, 0, 1, 4, RouterDefaults.MAX_SRQ_SGE,
                        RouterDefaults.MAX_SRQ_SGE + 1, -1));
                m.putInt(p + CreateSrqReq.ATTR_SRQ_LIMIT, pick(data, 0, 1, 4));
                m.putInt(p + CreateSrqReq.XRCD, handle(data, c.xrcds));
                m.putInt(p + CreateSrqReq.CQ, handle(data, c.cqs));
            }
            case Abi.OP_MODIFY_SRQ -> {
                m.putInt(p + ModifySrqReq.HANDLE, handle(data, c.srqs));
                m.putInt(p + ModifySrqReq.ATTR_MASK, pick(data, SRQ_LIMIT, SRQ_LIMIT, SRQ_MAX_WR, 0, 4));
                m.putInt(p + ModifySrqReq.ATTR_MAX_WR, pick(data, 1, 16));
                m.putInt(p + ModifySrqReq.ATTR_MAX_SGE, pick(data, 1));
                m.putInt(p + ModifySrqReq.ATTR_SRQ_LIMIT, pick(data, 0, 1, 2, 15, 16, 17, -1));
            }
            case Abi.OP_OPEN_XRCD -> {
                m.putInt(p + OpenXrcdReq.FLAGS, pick(data, 0, Abi.XRCD_CREATE, Abi.XRCD_CREATE | Abi.XRCD_EXCL,
                        Abi.XRCD_EXCL, 4));
                int file = pick(data, 0, 1, 1, 2);
                m.putInt(p + OpenXrcdReq.FILE, file);
                if (file == 1 || data.consumeInt(0, 7) == 0) {
                    fds.add(poolFd(data, w, 4, 5, 4, 3, 0));
                }
            }
            default -> {
                // ALLOC_PD, GET_ASYNC_EVENT and unknown ops: no payload of their own
            }
        }
        if (data.consumeInt(0, 15) == 0) {
            // a few bytes of the payload as the fuzzer has them
            byte[] raw = data.consumeBytes(data.consumeInt(1, 16));
            int at = data.consumeInt(0, Math.max(0, size - 1));
            for (int i = 0; i < raw.length && at + i < size; i++) {
                m.put(p + at + i, raw[i]);
            }
        }
        while (fds.size() < 4 && data.consumeInt(0, 15) == 0) {
            fds.add(w.pool[data.consumeInt(0, w.pool.length - 1)]);
        }
        send(data, w, c, c.session, Hdr.SIZE + size, fds);
    }

    private static void createQp(FuzzedDataProvider data, Conversation c, ByteBuffer m, int p) {
        m.putInt(p + CreateQpReq.PD_HANDLE, handle(data, c.pds));
        m.putInt(p + CreateQpReq.SEND_CQ, handle(data, c.cqs));
        m.putInt(p + CreateQpReq.RECV_CQ, handle(data, c.cqs));
        m.putInt(p + CreateQpReq.SRQ, data.consumeBoolean() ? 0 : handle(data, c.srqs));
        m.putInt(p + CreateQpReq.QP_TYPE, pick(data, QP_TYPES));
        m.putInt(p + CreateQpReq.SQ_SIG_ALL, pick(data, 0, 1, 2));
        m.putInt(p + CreateQpReq.CAP_MAX_SEND_WR, pick(data, 0, 1, 16, 100, RouterDefaults.MAX_QP_WR,
                RouterDefaults.MAX_QP_WR + 1, -1));
        m.putInt(p + CreateQpReq.CAP_MAX_RECV_WR, pick(data, 0, 1, 16, 100, RouterDefaults.MAX_QP_WR,
                RouterDefaults.MAX_QP_WR + 1, -1));
        m.putInt(p + CreateQpReq.CAP_MAX_SEND_SGE, pick(data, 0, 1, 4, RouterDefaults.MAX_SGE,
                RouterDefaults.MAX_SGE + 1, -1));
        m.putInt(p + CreateQpReq.CAP_MAX_RECV_SGE, pick(data, 0, 1, 4, RouterDefaults.MAX_SGE,
                RouterDefaults.MAX_SGE + 1, -1));
        m.putInt(p + CreateQpReq.CAP_MAX_INLINE_DATA, pick(data, 0, 1, 64, RouterDefaults.MAX_INLINE_DATA,
                RouterDefaults.MAX_INLINE_DATA + 1, -1));
        m.putInt(p + CreateQpReq.XRCD, handle(data, c.xrcds));
    }

    private static void modifyQp(FuzzedDataProvider data, Conversation c, ByteBuffer m, int p) {
        m.putInt(p + ModifyQpReq.HANDLE, handle(data, c.qps));
        int mask = data.consumeInt(0, 7) == 0 ? data.consumeInt() : pick(data, MASKS);
        m.putInt(p + ModifyQpReq.ATTR_MASK, mask);
        int a = p + ModifyQpReq.ATTR;
        if (data.consumeInt(0, 7) == 0) {
            byte[] raw = data.consumeBytes(QpAttr.SIZE);
            m.put(a, raw, 0, raw.length);
            return;
        }
        m.putInt(a + QpAttr.QP_STATE, pick(data, QPS_RESET, QPS_INIT, QPS_RTR, QPS_RTS, QPS_SQD, QPS_SQE, QPS_ERR,
                QPS_UNKNOWN));
        m.putInt(a + QpAttr.CUR_QP_STATE, pick(data, QPS_RESET, QPS_INIT, QPS_RTR, QPS_RTS, QPS_SQD, QPS_ERR));
        m.putInt(a + QpAttr.PATH_MTU, pick(data, MTU_1024, MTU_4096, 0, 6));
        m.putInt(a + QpAttr.QP_ACCESS_FLAGS, flags(data, KNOWN_ACCESS));
        m.putInt(a + QpAttr.QKEY, pick(data, 0x11111111, 0));
        m.putInt(a + QpAttr.RQ_PSN, data.consumeInt());
        m.putInt(a + QpAttr.SQ_PSN, data.consumeInt());
        m.putInt(a + QpAttr.DEST_QP_NUM, c.qpns.isEmpty() || data.consumeInt(0, 3) == 0 ? data.consumeInt()
                : c.qpns.get(data.consumeInt(0, c.qpns.size() - 1)));
        m.put(a + QpAttr.AH_ATTR_IS_GLOBAL, (byte) pick(data, 0, 1));
        m.putShort(a + QpAttr.AH_ATTR_DLID, (short) pick(data, 1, 0, 2));
        m.put(a + QpAttr.AH_ATTR_SGID_INDEX, (byte) pick(data, 0, 1));
        m.put(a + QpAttr.AH_ATTR_PORT_NUM, (byte) pick(data, 0, 1, 2));
        m.put(a + QpAttr.PORT_NUM, (byte) pick(data, 1, 0, 2));
        m.putShort(a + QpAttr.PKEY_INDEX, (short) pick(data, 0, 1));
        m.put(a + QpAttr.MAX_RD_ATOMIC, (byte) pick(data, 0, 1, 16, 17));
        m.put(a + QpAttr.MAX_DEST_RD_ATOMIC, (byte) pick(data, 0, 1, 16, 17));
        m.put(a + QpAttr.MIN_RNR_TIMER, (byte) pick(data, 0, 12, 31, 32));
        m.put(a + QpAttr.TIMEOUT, (byte) pick(data, 0, 14, 31, 32));
        m.put(a + QpAttr.RETRY_CNT, (byte) pick(data, 0, 7, 8));
        m.put(a + QpAttr.RNR_RETRY, (byte) pick(data, 0, 7, 8));
        m.put(a + QpAttr.EN_SQD_ASYNC_NOTIFY, (byte) pick(data, 0, 1));
    }

    private static void adminRequest(FuzzedDataProvider data, World w, Conversation c) {
        c.adminUsed = true;
        int op = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 0xffff) : ADMIN_OPS[data.consumeInt(0,
                ADMIN_OPS.length - 1)];
        int size = switch (op) {
            case Abi.OP_ADMIN_ADD_CONTAINER -> AttachReq.SIZE;
            case Abi.OP_ADMIN_REMOVE_CONTAINER -> ContainerReq.SIZE;
            case Abi.OP_ADMIN_SET_PORT -> PortReq.SIZE;
            default -> 0;
        };
        if (data.consumeInt(0, 15) == 0) {
            size = data.consumeInt(0, Abi.MSG_MAX - Hdr.SIZE);
        }
        ByteBuffer m = header(w, op, size);
        int p = Hdr.SIZE;
        if (op != Abi.OP_ADMIN_PING && size >= 64) {
            putString(m, p + ContainerReq.NAME, 64, name(data));
            if (op == Abi.OP_ADMIN_SET_PORT && size >= PortReq.SIZE) {
                m.putInt(p + PortReq.PORT_STATE, pick(data, PORT_ACTIVE, PORT_DOWN, 0, 2));
            } else if (size >= ContainerReq.SIZE) {
                putString(m, p + ContainerReq.TENANT, 64, name(data));
            }
        }
        List<Integer> fds = new ArrayList<>();
        if (op == Abi.OP_ADMIN_ADD_CONTAINER && size >= AttachReq.SIZE) {
            // who the container is: its netns (the descriptor rides along), a cgroup, a uid and gid, or nonsense
            int flags = data.consumeInt(0, 3) == 0 ? data.consumeInt() : flags(data, Abi.IDENTITY_NETNS
                    | Abi.IDENTITY_CGROUP | Abi.IDENTITY_UID | Abi.IDENTITY_GID);
            m.putInt(p + AttachReq.IDENTITY_FLAGS, flags);
            m.putInt(p + AttachReq.IDENTITY_UID, pick(data, 0, 1000, -1));
            m.putInt(p + AttachReq.IDENTITY_GID, pick(data, 0, 1000, -1));
            putString(m, p + AttachReq.IDENTITY_CGROUP, 256, pick(data, 0, 0, 1, 2) == 0 ? "/".getBytes(
                    StandardCharsets.UTF_8) : data.consumeBytes(data.consumeInt(0, 257)));
            if ((flags & Abi.IDENTITY_NETNS) != 0 ? data.consumeInt(0, 7) != 0 : data.consumeInt(0, 7) == 0) {
                fds.add(poolFd(data, w, 6, 6, 6, 0, 3));
            }
        }
        send(data, w, c, new AdminSession(w.admin), Hdr.SIZE + size, fds);
    }

    /** A descriptor of the pool: one of {@code preferred} (indices) mostly. */
    private static int poolFd(FuzzedDataProvider data, World w, int... preferred) {
        return w.pool[Math.floorMod(pick(data, preferred), w.pool.length)];
    }

    private static byte[] name(FuzzedDataProvider data) {
        if (data.consumeInt(0, 3) == 0) {
            return data.consumeBytes(data.consumeInt(0, 65));
        }
        return NAMES[data.consumeInt(0, NAMES.length - 1)].getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes as they come: a datagram of any length, its header right or not. */
    private static void rawDatagram(FuzzedDataProvider data, World w, Conversation c) {
        int length = data.consumeInt(0, 31) == 0 ? data.consumeInt(0, Abi.MSG_MAX + 64)
                : Hdr.SIZE + data.consumeInt(0, 128);
        byte[] raw = data.consumeBytes(length);
        ByteBuffer m = w.msg;
        clear(m);
        m.put(0, raw, 0, raw.length);
        length = raw.length;
        if (length >= Hdr.SIZE && data.consumeInt(0, 3) != 0) {
            m.putInt(Hdr.MAGIC, Abi.ABI_MAGIC);
            m.putShort(Hdr.VERSION, (short) Abi.ABI_VERSION);
            m.putInt(Hdr.LEN, length - Hdr.SIZE);
        }
        boolean admin = data.consumeInt(0, 7) == 0;
        if (admin) {
            c.adminUsed = true;
        }
        List<Integer> fds = new ArrayList<>();
        while (fds.size() < 4 && data.consumeInt(0, 7) == 0) {
            fds.add(w.pool[data.consumeInt(0, w.pool.length - 1)]);
        }
        Session session = admin ? new AdminSession(w.admin) : c.session;
        int[] fdArray = fds.stream().mapToInt(Integer::intValue).toArray();
        deliver(w, c, session, length, fdArray, data.consumeInt(0, 63) == 0);
        w.reply.closeFd();
    }

    /** Sends the request in {@code w.msg}: its header right, mostly; then checks and closes the reply. */
    private static void send(FuzzedDataProvider data, World w, Conversation c, Session session, int length,
            List<Integer> fds) {
        ByteBuffer m = w.msg;
        if (data.consumeInt(0, 63) == 0) {
            switch (data.consumeInt(0, 3)) {
                case 0 -> m.putInt(Hdr.MAGIC, data.consumeInt());
                case 1 -> m.putShort(Hdr.VERSION, data.consumeShort());
                case 2 -> m.putInt(Hdr.LEN, near(data, length - Hdr.SIZE));
                default -> length = data.consumeInt(0, Abi.MSG_MAX + 64);
            }
        }
        int op = Short.toUnsignedInt(m.getShort(Hdr.OP));
        int[] fdArray = fds.stream().mapToInt(Integer::intValue).toArray();
        ByteBuffer out = deliver(w, c, session, length, fdArray, false);
        if (out != null) {
            track(c, op, out, w.reply.fds());
        }
        w.reply.closeFd();
    }

    /**
     * What the control thread does with one datagram of {@code length}
     * bytes in {@code w.msg}: garbage closes the connection (and the
     * conversation goes on in a new one: null), anything else is answered;
     * returns the reply, checked.
     */
    private static ByteBuffer deliver(World w, Conversation c, Session session, int length, int[] fds,
            boolean fdsTruncated) {
        ByteBuffer in = w.in;
        int stored = Math.min(length, Abi.MSG_MAX);
        in.put(0, w.msg, 0, stored); // the rest of the buffer holds what earlier datagrams left there
        Datagram datagram = new Datagram(length, length > Abi.MSG_MAX, fdsTruncated, fds);
        if (datagram.endOfStream() || Framing.problem(in, datagram) != null) {
            if (session == c.session) {
                c.session.close();
                c.connect(w);
            }
            return null;
        }
        Request request = new Request(in, datagram.fds());
        Reply reply = w.reply;
        CompletableFuture<Consumer<Reply>> deferred = new CompletableFuture<>();
        reply.begin(request.op(), request.seq(), () -> new DeferredReply(deferred::complete, request.op(),
                request.seq()));
        try {
            session.handle(request, reply);
            if (reply.deferred()) { // as the control thread does once the answer comes
                Consumer<Reply> fill = awaitAnswer(deferred);
                reply.begin(request.op(), request.seq());
                fill.accept(reply);
            }
        } catch (VerbsException e) {
            assertTrue(e.errno() > 0, "a refusal has an errno: " + e);
            reply.fail(e.errno());
        }
        // anything else the session throws escapes: the server would answer EIO and log an error
        ByteBuffer out = reply.finish();
        int status = out.getInt(Hdr.STATUS);
        int payload = out.getInt(Hdr.LEN);
        assertEquals(Abi.ABI_MAGIC, out.getInt(Hdr.MAGIC));
        assertEquals(request.op(), Short.toUnsignedInt(out.getShort(Hdr.OP)));
        assertEquals(request.seq(), out.getInt(Hdr.SEQ));
        assertEquals(Hdr.SIZE + payload, out.limit());
        if (status != 0) {
            assertEquals(0, payload, "a refusal carries no payload");
            assertEquals(0, reply.fds().length, "a refusal carries no descriptor");
        } else if (session instanceof VerbsSession) {
            assertEquals(replySize(request.op()), payload, "reply size of op " + request.op());
            assertEquals(replyFds(request.op()), reply.fds().length, "descriptors of op " + request.op());
        } else {
            int expected = request.op() == Abi.OP_ADMIN_ADD_CONTAINER ? ContainerInfo.SIZE : 0;
            assertEquals(expected, payload, "reply size of admin op " + request.op());
        }
        return out;
    }

    private static Consumer<Reply> awaitAnswer(CompletableFuture<Consumer<Reply>> deferred) {
        try {
            return deferred.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("a deferred reply was never answered", e);
        }
    }

    /** Remembers what a successful reply handed out; checks the announced ring sizes. */
    private static void track(Conversation c, int op, ByteBuffer out, int[] fds) {
        if (out.getInt(Hdr.STATUS) != 0 || Short.toUnsignedInt(out.getShort(Hdr.OP)) != op) {
            return;
        }
        int p = Hdr.SIZE;
        switch (op) {
            case Abi.OP_ALLOC_PD -> c.pds.add(out.getInt(p + HandleResp.HANDLE));
            case Abi.OP_OPEN -> c.asyncFd = fds[2];
            case Abi.OP_OPEN_XRCD -> c.xrcds.add(out.getInt(p + HandleResp.HANDLE));
            case Abi.OP_CREATE_COMP_CHANNEL -> c.channels.add(out.getInt(p + HandleResp.HANDLE));
            case Abi.OP_REG_MR -> {
                c.mrs.add(out.getInt(p + RegMrResp.HANDLE));
                assertEquals(out.getInt(p + RegMrResp.LKEY), out.getInt(p + RegMrResp.RKEY));
            }
            case Abi.OP_CREATE_CQ -> {
                c.cqs.add(out.getInt(p + CreateCqResp.HANDLE));
                assertEquals(out.getLong(p + CreateCqResp.SHM_SIZE), size(fds[0]), "CQ memfd size");
            }
            case Abi.OP_CREATE_QP -> {
                c.qps.add(out.getInt(p + CreateQpResp.HANDLE));
                c.qpns.add(out.getInt(p + CreateQpResp.QP_NUM));
                assertEquals(out.getLong(p + CreateQpResp.SHM_SIZE), size(fds[0]), "QP memfd size");
            }
            case Abi.OP_CREATE_SRQ -> {
                c.srqs.add(out.getInt(p + CreateSrqResp.HANDLE));
                assertEquals(out.getLong(p + CreateSrqResp.SHM_SIZE), size(fds[0]), "SRQ memfd size");
            }
            case Abi.OP_QUERY_QP -> {
                int state = out.getInt(p + QueryQpResp.ATTR_QP_STATE);
                assertTrue(state >= QPS_RESET && state <= QPS_ERR, "queried state " + state);
            }
            default -> {
                // nothing handed out
            }
        }
    }

    private static long size(int fd) {
        try {
            return MemFd.size(fd);
        } catch (PosixException e) {
            throw new AssertionError("ring descriptor " + fd, e);
        }
    }

    private static final Map<Integer, Integer> REQUEST_SIZES = Map.ofEntries(Map.entry(Abi.OP_OPEN, OpenReq.SIZE),
            Map.entry(Abi.OP_ALLOC_PD, 0), Map.entry(Abi.OP_DEALLOC_PD, HandleReq.SIZE),
            Map.entry(Abi.OP_REG_MR, RegMrReq.SIZE), Map.entry(Abi.OP_DEREG_MR, HandleReq.SIZE),
            Map.entry(Abi.OP_CREATE_CQ, CreateCqReq.SIZE), Map.entry(Abi.OP_DESTROY_CQ, HandleReq.SIZE),
            Map.entry(Abi.OP_CREATE_QP, CreateQpReq.SIZE), Map.entry(Abi.OP_MODIFY_QP, ModifyQpReq.SIZE),
            Map.entry(Abi.OP_QUERY_QP, QueryQpReq.SIZE), Map.entry(Abi.OP_DESTROY_QP, HandleReq.SIZE),
            Map.entry(Abi.OP_GET_ASYNC_EVENT, 0), Map.entry(Abi.OP_CREATE_SRQ, CreateSrqReq.SIZE),
            Map.entry(Abi.OP_MODIFY_SRQ, ModifySrqReq.SIZE), Map.entry(Abi.OP_QUERY_SRQ, HandleReq.SIZE),
            Map.entry(Abi.OP_DESTROY_SRQ, HandleReq.SIZE), Map.entry(Abi.OP_OPEN_XRCD, OpenXrcdReq.SIZE),
            Map.entry(Abi.OP_CLOSE_XRCD, HandleReq.SIZE), Map.entry(Abi.OP_QUERY_PORT, HandleReq.SIZE),
            Map.entry(Abi.OP_CREATE_COMP_CHANNEL, 0), Map.entry(Abi.OP_DESTROY_COMP_CHANNEL, HandleReq.SIZE));

    private static final Map<Integer, Integer> REPLY_SIZES = Map.ofEntries(Map.entry(Abi.OP_OPEN, DeviceInfo.SIZE),
            Map.entry(Abi.OP_ALLOC_PD, HandleResp.SIZE), Map.entry(Abi.OP_DEALLOC_PD, 0),
            Map.entry(Abi.OP_REG_MR, RegMrResp.SIZE), Map.entry(Abi.OP_DEREG_MR, 0),
            Map.entry(Abi.OP_CREATE_CQ, CreateCqResp.SIZE), Map.entry(Abi.OP_DESTROY_CQ, DestroyResp.SIZE),
            Map.entry(Abi.OP_CREATE_QP, CreateQpResp.SIZE), Map.entry(Abi.OP_MODIFY_QP, 0),
            Map.entry(Abi.OP_QUERY_QP, QueryQpResp.SIZE), Map.entry(Abi.OP_DESTROY_QP, DestroyResp.SIZE),
            Map.entry(Abi.OP_GET_ASYNC_EVENT, AsyncEvent.SIZE), Map.entry(Abi.OP_CREATE_SRQ, CreateSrqResp.SIZE),
            Map.entry(Abi.OP_MODIFY_SRQ, 0), Map.entry(Abi.OP_QUERY_SRQ, SrqAttr.SIZE),
            Map.entry(Abi.OP_DESTROY_SRQ, DestroyResp.SIZE), Map.entry(Abi.OP_OPEN_XRCD, HandleResp.SIZE),
            Map.entry(Abi.OP_CLOSE_XRCD, 0), Map.entry(Abi.OP_QUERY_PORT, PortAttr.SIZE),
            Map.entry(Abi.OP_CREATE_COMP_CHANNEL, HandleResp.SIZE), Map.entry(Abi.OP_DESTROY_COMP_CHANNEL, 0));

    private static int requestSize(int op) {
        return REQUEST_SIZES.getOrDefault(op, 0);
    }

    private static int replySize(int op) {
        Integer size = REPLY_SIZES.get(op);
        if (size == null) {
            throw new AssertionError("unknown op " + op + " was answered");
        }
        return size;
    }

    private static int replyFds(int op) {
        return switch (op) {
            case Abi.OP_OPEN -> 3;
            case Abi.OP_CREATE_CQ, Abi.OP_CREATE_QP, Abi.OP_CREATE_SRQ, Abi.OP_CREATE_COMP_CHANNEL -> 1;
            default -> 0;
        };
    }

    /** Clears {@code w.msg} and writes a good header for {@code op} with {@code size} payload bytes. */
    private static ByteBuffer header(World w, int op, int size) {
        ByteBuffer m = w.msg;
        clear(m);
        m.putInt(Hdr.MAGIC, Abi.ABI_MAGIC);
        m.putShort(Hdr.VERSION, (short) Abi.ABI_VERSION);
        m.putShort(Hdr.OP, (short) op);
        m.putInt(Hdr.SEQ, op * 31 + size);
        m.putInt(Hdr.LEN, size);
        return m;
    }

    private static void clear(ByteBuffer m) {
        for (int i = 0; i < m.capacity(); i += 8) {
            m.putLong(i, 0L);
        }
    }

    /** {@code bytes} into a {@code size}-byte field: NUL-terminated when they fit, cut (no NUL) otherwise. */
    private static void putString(ByteBuffer m, int at, int size, byte[] bytes) {
        int n = Math.min(bytes.length, size);
        m.put(at, bytes, 0, n);
        if (n < size) {
            m.put(at + n, (byte) 0);
        }
    }
}
