package org.freeflow.router.internal;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.ContainerInfo;
import org.freeflow.fastpath.api.Abi.ContainerReq;
import org.freeflow.fastpath.api.Abi.DeviceInfo;
import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileStatus;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.api.ContainerView;
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

/** The admin and container sockets, spoken to over real SEQPACKET sockets. */
class ControlProtocolTest {

    @TempDir
    Path dir;

    private FakeOrchestrator orchestrator;
    private InlinePoller poller;
    private VirtualNicManager router;

    @BeforeEach
    void start() throws Exception {
        orchestrator = new FakeOrchestrator();
        poller = new InlinePoller();
        router = new VirtualNicManager(orchestrator, new FakeQos(), poller,
                new RouterSettings("host1", dir, "freeflow0"));
    }

    @AfterEach
    void stop() {
        router.deactivate();
        poller.close();
    }

    private WireClient admin() throws Exception {
        return new WireClient(dir.resolve("admin.sock"));
    }

    private static ByteBuffer containerReq(String name, String tenant) {
        ByteBuffer req = WireClient.payload(ContainerReq.SIZE);
        WireClient.putString(req, ContainerReq.NAME, name);
        WireClient.putString(req, ContainerReq.TENANT, tenant);
        return req;
    }

    private Path addContainer(String name) throws Exception {
        try (WireClient admin = admin()) {
            Response r = AttachRequest.ofThisProcess(admin, name, "");
            assertEquals(0, r.status());
            return Path.of(WireClient.string(r.payload(), ContainerInfo.SOCKET_PATH, 108));
        }
    }

    @Test
    void adminSocketIsPrivateAndAnswersPing() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("admin.sock"))));
        try (WireClient admin = admin()) {
            Response r = admin.call(Abi.OP_ADMIN_PING, null);
            assertEquals(0, r.status());
            assertEquals(Abi.OP_ADMIN_PING, r.op());
            assertEquals(admin.lastSeq(), r.seq());
        }
    }

    @Test
    void addingAContainerMakesItsSocketAndReportsItsAddress() throws Exception {
        try (WireClient admin = admin()) {
            Response r = AttachRequest.ofThisProcess(admin, "web-1", "acme");
            assertEquals(0, r.status());
            ByteBuffer info = r.payload();
            assertEquals(ContainerInfo.SIZE, info.capacity());
            assertEquals("web-1", WireClient.string(info, ContainerInfo.NAME, 64));
            assertEquals("acme", WireClient.string(info, ContainerInfo.TENANT, 64));
            Path socket = dir.resolve("containers").resolve("web-1.sock");
            assertEquals(socket.toString(), WireClient.string(info, ContainerInfo.SOCKET_PATH, 108));
            assertEquals(1, info.getShort(ContainerInfo.LID));
            assertEquals(16, info.get(ContainerInfo.PREFIX_LEN));
            assertArrayEquals(new byte[] {10, 98, 0, 1}, bytes(info, ContainerInfo.VIP, 4));
            assertEquals((byte) 0xfe, info.get(ContainerInfo.GID));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                    "the container's user only");
            assertEquals("rwx--x--x", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(socket.getParent())), "nobody lists the sockets");
            Response again = AttachRequest.ofThisProcess(admin, "web-1", "acme");
            assertEquals(1, again.payload().getShort(ContainerInfo.LID), "adding twice returns the same NIC");
        }
        List<ContainerView> views = router.containers();
        assertEquals(1, views.size());
        assertEquals("acme", views.get(0).tenant());
    }

    @Test
    void openReportsTheVirtualDevice() throws Exception {
        Path socket = addContainer("db");
        try (WireClient ffl = new WireClient(socket)) {
            ByteBuffer open = WireClient.payload(Abi.OpenReq.SIZE);
            open.putInt(Abi.OpenReq.PID, 42);
            WireClient.putString(open, Abi.OpenReq.COMM, "ib_send_bw");
            Response r = ffl.call(Abi.OP_OPEN, open);
            assertEquals(0, r.status());
            ByteBuffer d = r.payload();
            assertEquals(DeviceInfo.SIZE, d.capacity());
            assertEquals("freeflow0", WireClient.string(d, DeviceInfo.NAME, 64));
            assertEquals(0x1af4, d.getInt(DeviceInfo.VENDOR_ID));
            assertEquals(0xff01, d.getInt(DeviceInfo.VENDOR_PART_ID));
            assertEquals(PORT_ACTIVE, d.get(DeviceInfo.PORT_STATE));
            assertEquals(LINK_LAYER_INFINIBAND, d.get(DeviceInfo.LINK_LAYER));
            assertEquals(MTU_4096, d.get(DeviceInfo.ACTIVE_MTU));
            assertEquals(1, d.getShort(DeviceInfo.LID));
            assertEquals(16, d.getInt(DeviceInfo.MAX_QP_RD_ATOM));
            assertEquals(16384, d.getInt(DeviceInfo.MAX_QP_WR));
            assertEquals(4194303, d.getInt(DeviceInfo.MAX_CQE));
            assertEquals(ATOMIC_HCA, d.getInt(DeviceInfo.ATOMIC_CAP));
            assertEquals(RouterDefaults.MAX_SRQ, d.getInt(DeviceInfo.MAX_SRQ));
            assertEquals(RouterDefaults.MAX_SRQ_WR, d.getInt(DeviceInfo.MAX_SRQ_WR));
            assertEquals(1, d.getShort(DeviceInfo.GID_TBL_LEN));
            byte[] guid = bytes(d, DeviceInfo.NODE_GUID, 8);
            assertEquals(0x02, guid[0], "node GUID in network byte order");
            assertEquals(1, guid[7], "derived from the LID");
            assertArrayEquals(new byte[] {(byte) 0xfe, (byte) 0x80}, bytes(d, DeviceInfo.GID, 2));
            assertEquals("db", WireClient.string(d, DeviceInfo.CONTAINER, 64));
            assertEquals(3, r.fds().length, "the router page, the doorbell, the async event pipe");
            int page = r.fds()[0];
            int doorbell = r.fds()[1];
            try {
                assertEquals(Abi.ROUTER_SHM_SIZE, MemFd.size(page));
                assertEquals(Errno.EPERM, assertThrows(PosixException.class,
                        () -> MappedRegion.map(page, 0, Abi.ROUTER_SHM_SIZE, true)).errno(), "read-only for containers");
                MappedRegion.map(page, 0, Abi.ROUTER_SHM_SIZE, false).close();
                FileStatus bell = FileStatus.of(doorbell);
                assertTrue(bell.isFifo() && bell.accessMode() == FileStatus.O_WRONLY, "the writing end of a pipe");
                FileStatus async = FileStatus.of(r.fds()[2]);
                assertTrue(async.isFifo() && async.accessMode() == FileStatus.O_RDONLY, "the reading end of a pipe");
                assertTrue(FileDescriptors.tryWriteByte(doorbell));
                assertEquals(1, poller.drainDoorbell(), "the doorbell reaches the router");
            } finally {
                FileDescriptors.closeQuietly(r.fds());
            }
            Response again = ffl.call(Abi.OP_OPEN, open);
            assertEquals(3, again.fds().length, "every OPEN carries them; the router keeps its own");
            FileDescriptors.closeQuietly(again.fds());
            assertEquals(Errno.EAGAIN, ffl.call(Abi.OP_GET_ASYNC_EVENT, ByteBuffer.allocate(0)).status(),
                    "no async event pending");
        }
    }

    private static ByteBuffer portReq(String name, int state) {
        ByteBuffer req = WireClient.payload(Abi.PortReq.SIZE);
        WireClient.putString(req, Abi.PortReq.NAME, name);
        req.putInt(Abi.PortReq.PORT_STATE, state);
        return req;
    }

    private static int[] queryPort(WireClient ffl) throws Exception {
        Response r = ffl.call(Abi.OP_QUERY_PORT, WireClient.payload(Abi.HandleReq.SIZE).putInt(0, 1));
        assertEquals(0, r.status());
        return new int[] {r.payload().get(Abi.PortAttr.PORT_STATE), r.payload().get(Abi.PortAttr.PHYS_STATE)};
    }

    private static void assertPortEvent(WireClient ffl, int type) throws Exception {
        Response e = ffl.call(Abi.OP_GET_ASYNC_EVENT, ByteBuffer.allocate(0));
        assertEquals(0, e.status());
        assertEquals(type, e.payload().getInt(Abi.AsyncEvent.EVENT_TYPE));
        assertEquals(Abi.ASYNC_PORT, e.payload().getInt(Abi.AsyncEvent.ELEMENT));
        assertEquals(1, e.payload().getInt(Abi.AsyncEvent.HANDLE));
    }

    @Test
    void theAdminSocketTakesAPortDownAndUpAndTheContextSeesIt() throws Exception {
        Path socket = addContainer("db");
        try (WireClient admin = admin(); WireClient ffl = new WireClient(socket)) {
            Response open = ffl.call(Abi.OP_OPEN, WireClient.payload(Abi.OpenReq.SIZE));
            FileDescriptors.closeQuietly(open.fds());
            assertArrayEquals(new int[] {PORT_ACTIVE, RouterDefaults.PHYS_STATE_LINK_UP}, queryPort(ffl));
            assertEquals(0, admin.call(Abi.OP_ADMIN_SET_PORT, portReq("db", PORT_DOWN)).status());
            assertPortEvent(ffl, EVENT_PORT_ERR);
            assertArrayEquals(new int[] {PORT_DOWN, RouterDefaults.PHYS_STATE_DISABLED}, queryPort(ffl));
            assertEquals(ContainerView.PORT_DOWN, router.containers().get(0).port());
            Response reopen = ffl.call(Abi.OP_OPEN, WireClient.payload(Abi.OpenReq.SIZE));
            FileDescriptors.closeQuietly(reopen.fds());
            assertEquals(PORT_DOWN, reopen.payload().get(DeviceInfo.PORT_STATE), "OPEN reports it too");
            assertEquals(0, admin.call(Abi.OP_ADMIN_SET_PORT, portReq("db", PORT_ACTIVE)).status());
            assertPortEvent(ffl, EVENT_PORT_ACTIVE);
            assertArrayEquals(new int[] {PORT_ACTIVE, RouterDefaults.PHYS_STATE_LINK_UP}, queryPort(ffl));
            assertEquals(Errno.EAGAIN, ffl.call(Abi.OP_GET_ASYNC_EVENT, ByteBuffer.allocate(0)).status());
            assertEquals(Errno.ENOENT, admin.call(Abi.OP_ADMIN_SET_PORT, portReq("nope", PORT_DOWN)).status());
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_SET_PORT, portReq("db", 2)).status());
            assertEquals(Errno.EINVAL,
                    ffl.call(Abi.OP_QUERY_PORT, WireClient.payload(Abi.HandleReq.SIZE).putInt(0, 2)).status());
        }
        assertEquals(ContainerView.PORT_DOWN, router.setPortActive("db", false).port(), "the service's write side");
        assertThrows(java.util.NoSuchElementException.class, () -> router.setPortActive("nope", true));
    }

    @Test
    void completionChannelsAreRouterPipesNamedByHandle() throws Exception {
        Path socket = addContainer("web");
        try (WireClient ffl = new WireClient(socket)) {
            Response channel = ffl.call(Abi.OP_CREATE_COMP_CHANNEL, ByteBuffer.allocate(0));
            assertEquals(0, channel.status());
            assertEquals(1, channel.fds().length, "the channel's reading end");
            int handle = channel.payload().getInt(Abi.HandleResp.HANDLE);
            try {
                FileStatus end = FileStatus.of(channel.fds()[0]);
                assertTrue(end.isFifo() && end.accessMode() == FileStatus.O_RDONLY);
            } finally {
                FileDescriptors.closeQuietly(channel.fds());
            }
            ByteBuffer unknown = cqReq(16);
            unknown.putInt(Abi.CreateCqReq.CHANNEL, handle + 1);
            assertEquals(Errno.EINVAL, ffl.call(Abi.OP_CREATE_CQ, unknown).status(), "no such channel");
            ByteBuffer onChannel = cqReq(16);
            onChannel.putInt(Abi.CreateCqReq.CHANNEL, handle);
            Response cq = ffl.call(Abi.OP_CREATE_CQ, onChannel);
            assertEquals(0, cq.status());
            FileDescriptors.closeQuietly(cq.fds());
            ByteBuffer channelHandle = WireClient.payload(Abi.HandleReq.SIZE).putInt(Abi.HandleReq.HANDLE, handle);
            assertEquals(Errno.EBUSY, ffl.call(Abi.OP_DESTROY_COMP_CHANNEL, channelHandle).status(), "its CQ");
            ByteBuffer cqHandle = WireClient.payload(Abi.HandleReq.SIZE)
                    .putInt(Abi.HandleReq.HANDLE, cq.payload().getInt(Abi.CreateCqResp.HANDLE));
            assertEquals(0, ffl.call(Abi.OP_DESTROY_CQ, cqHandle).status());
            assertEquals(0, ffl.call(Abi.OP_DESTROY_COMP_CHANNEL, channelHandle).status());
            assertEquals(Errno.EINVAL, ffl.call(Abi.OP_DESTROY_COMP_CHANNEL, channelHandle).status(), "gone");
        }
    }

    @Test
    void aDescriptorWhereTheRequestTakesNoneIsRefusedAndClosed() throws Exception {
        Path socket = addContainer("web");
        try (WireClient ffl = new WireClient(socket)) {
            int stray = MemFd.create("stray");
            try {
                assertEquals(Errno.EINVAL, ffl.call(Abi.OP_CREATE_CQ, cqReq(16), stray).status());
                assertEquals(Errno.EINVAL, ffl.call(Abi.OP_ALLOC_PD, ByteBuffer.allocate(0), stray).status());
                assertEquals(Errno.EINVAL,
                        ffl.call(Abi.OP_REG_MR, WireClient.payload(Abi.RegMrReq.SIZE), stray, stray).status(),
                        "two descriptors where REG_MR takes one");
            } finally {
                FileDescriptors.closeQuietly(stray);
            }
            assertEquals(0, router.containers().get(0).cqs(), "nothing was made");
            Response ok = ffl.call(Abi.OP_CREATE_CQ, cqReq(16));
            assertEquals(0, ok.status(), "the connection keeps working");
            FileDescriptors.closeQuietly(ok.fds());
        }
    }

    @Test
    void garbageClosesThatConnectionOnly() throws Exception {
        Path socket = addContainer("web");
        try (WireClient bystander = new WireClient(socket)) {
            for (ByteBuffer garbage : garbage()) {
                try (WireClient offender = new WireClient(socket)) {
                    offender.sendRaw(garbage);
                    assertTrue(offender.closedByPeer(), "closed after " + garbage);
                }
                assertEquals(0, bystander.call(Abi.OP_ALLOC_PD, null).status(), "others keep running");
            }
        }
    }

    private static List<ByteBuffer> garbage() {
        ByteBuffer badMagic = header(0x12345678, Abi.ABI_VERSION, 0, 0);
        ByteBuffer badVersion = header(Abi.ABI_MAGIC, Abi.ABI_VERSION + 1, 0, 0);
        ByteBuffer lyingLength = header(Abi.ABI_MAGIC, Abi.ABI_VERSION, 8, 0);
        ByteBuffer tooLong = ByteBuffer.allocateDirect(Abi.MSG_MAX + 100).order(ByteOrder.LITTLE_ENDIAN);
        tooLong.put(header(Abi.ABI_MAGIC, Abi.ABI_VERSION, Abi.MSG_MAX + 100 - Abi.Hdr.SIZE, 0)).clear();
        return List.of(badMagic, badVersion, lyingLength, tooLong, ByteBuffer.allocateDirect(10));
    }

    private static ByteBuffer header(int magic, int version, int len, int extra) {
        ByteBuffer h = ByteBuffer.allocateDirect(Abi.Hdr.SIZE + extra).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(Abi.Hdr.MAGIC, magic);
        h.putShort(Abi.Hdr.VERSION, (short) version);
        h.putShort(Abi.Hdr.OP, (short) Abi.OP_ALLOC_PD);
        h.putInt(Abi.Hdr.LEN, len);
        return h;
    }

    @Test
    void unknownOpsAreNotSupported() throws Exception {
        Path socket = addContainer("web");
        try (WireClient ffl = new WireClient(socket); WireClient admin = admin()) {
            Response r = ffl.call(55, null);
            assertEquals(Errno.EOPNOTSUPP, r.status());
            assertEquals(55, r.op());
            assertEquals(ffl.lastSeq(), r.seq());
            assertEquals(Errno.EOPNOTSUPP, ffl.call(Abi.OP_ADMIN_ADD_CONTAINER, containerReq("x", "")).status());
            assertEquals(Errno.EOPNOTSUPP, ffl.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("x", "", Abi.IDENTITY_CGROUP, 0, 0, "/")).status());
            assertEquals(Errno.EOPNOTSUPP, admin.call(Abi.OP_ALLOC_PD, null).status());
            assertEquals(Errno.EINVAL, ffl.call(Abi.OP_DEALLOC_PD, WireClient.payload(3)).status(),
                    "a payload of the wrong size is EINVAL, not garbage");
            assertEquals(0, ffl.call(Abi.OP_ALLOC_PD, null).status(), "and the connection stays");
        }
    }

    @Test
    void badNamesAndRefusalsAreErrors() throws Exception {
        try (WireClient admin = admin()) {
            assertEquals(Errno.EINVAL, AttachRequest.ofThisProcess(admin, "Bad_Name", "").status());
            ByteBuffer unterminated = AttachRequest.body("x", "", Abi.IDENTITY_NETNS, 0, 0, null);
            WireClient.putString(unterminated, 0, "x".repeat(64));
            assertEquals(Errno.EINVAL, AttachRequest.withNetns(admin, unterminated).status());
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER, containerReq("old", "")).status(),
                    "the ABI 7 request without an identity");
            orchestrator.refuse = true;
            Response refused = AttachRequest.ofThisProcess(admin, "ok", "");
            assertEquals(Errno.EBUSY, refused.status());
            assertEquals("pool exhausted", reason(refused), "the admin socket's refusal says why");
            assertEquals(Errno.ENOENT, admin.call(Abi.OP_ADMIN_REMOVE_CONTAINER, containerReq("ok", "")).status());
        }
    }

    /** The reason a failed reply carries: NUL-terminated text, or "" for an empty payload. */
    private static String reason(Response r) {
        ByteBuffer p = r.payload();
        if (p.capacity() == 0) {
            return "";
        }
        assertTrue(p.capacity() <= Abi.MSG_REASON_MAX, "a reason of " + p.capacity() + " bytes");
        assertEquals(0, p.get(p.capacity() - 1), "NUL-terminated");
        return WireClient.string(p, 0, p.capacity());
    }

    @Test
    @Timeout(60) // the old control thread waited for the orchestrator: this hung
    void anAttachWaitingForASlowOrchestratorHoldsUpNoOtherConnection() throws Exception {
        Path running = addContainer("running");
        orchestrator.holdRegistrations();
        try (WireClient slow = admin(); WireClient other = admin(); WireClient ffl = new WireClient(running)) {
            AttachRequest.sendOfThisProcess(slow, "slow");
            assertTrue(orchestrator.registrations.tryAcquire(10, TimeUnit.SECONDS), "the registration started");
            // a second request on the same connection is not read before the first is answered
            slow.send(Abi.OP_ADMIN_PING, null);

            assertEquals(0, other.call(Abi.OP_ADMIN_PING, null).status(), "the admin socket answers meanwhile");
            assertEquals(0, ffl.call(Abi.OP_ALLOC_PD, null).status(), "and every container's verbs");
            assertEquals(List.of("running"), router.containers().stream().map(ContainerView::name).toList(),
                    "slow is not attached before it is registered");

            orchestrator.releaseRegistrations();
            Response attached = slow.receive();
            assertEquals(Abi.OP_ADMIN_ADD_CONTAINER, attached.op());
            assertEquals(0, attached.status());
            assertEquals("slow", WireClient.string(attached.payload(), ContainerInfo.NAME, 64));
            Response ping = slow.receive();
            assertEquals(Abi.OP_ADMIN_PING, ping.op(), "then the next request, in order");
            assertEquals(0, ping.status());
            assertEquals(0, other.call(Abi.OP_ADMIN_REMOVE_CONTAINER, containerReq("running", "")).status());
            assertFalse(orchestrator.registered.containsKey("running"), "unregistered before the detach answers");
        }
        assertEquals(List.of("slow"), router.containers().stream().map(ContainerView::name).toList());
    }

    @Test
    @Timeout(60)
    void aPeerThatLeavesBeforeItsDeferredReplyCostsNothing() throws Exception {
        orchestrator.holdRegistrations();
        try (WireClient leaving = admin()) {
            AttachRequest.sendOfThisProcess(leaving, "orphan");
            assertTrue(orchestrator.registrations.tryAcquire(10, TimeUnit.SECONDS));
        }
        try (WireClient other = admin()) {
            assertEquals(0, other.call(Abi.OP_ADMIN_PING, null).status());
            orchestrator.releaseRegistrations();
            Response again = AttachRequest.ofThisProcess(other, "orphan", "");
            assertEquals(0, again.status(), "the attach went through; asked again, it answers the same NIC");
            assertEquals(1, again.payload().getShort(ContainerInfo.LID));
        }
        assertEquals(1, router.containers().size());
    }

    @Test
    @Timeout(60)
    void twoAttachesOfOneNameAtOnceGetOneNic() throws Exception {
        orchestrator.holdRegistrations();
        try (WireClient first = admin(); WireClient second = admin()) {
            AttachRequest.sendOfThisProcess(first, "twin");
            assertTrue(orchestrator.registrations.tryAcquire(10, TimeUnit.SECONDS));
            AttachRequest.sendOfThisProcess(second, "twin");
            orchestrator.releaseRegistrations();
            Response a = first.receive();
            Response b = second.receive();
            assertEquals(0, a.status());
            assertEquals(0, b.status());
            assertEquals(a.payload().getShort(ContainerInfo.LID), b.payload().getShort(ContainerInfo.LID));
        }
        assertEquals(0, orchestrator.registrations.availablePermits(), "registered once");
        assertEquals(1, router.containers().size());
    }

    @Test
    void withoutAnOrchestratorAnAttachIsRefusedWithEagainAndTheReasonUntilOneComes() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        VirtualNicManager alone = new VirtualNicManager(null, new FakeQos(), poller,
                new RouterSettings("host2", other, "freeflow0"));
        try (WireClient admin = new WireClient(other.resolve("admin.sock"))) {
            Response early = AttachRequest.ofThisProcess(admin, "early", "");
            assertEquals(Errno.EAGAIN, early.status());
            assertTrue(reason(early).contains("orchestrator is not ready"), reason(early));
            assertTrue(alone.containers().isEmpty());

            FakeOrchestrator late = new FakeOrchestrator();
            alone.bindOrchestrator(late);
            assertEquals(List.of(), late.hosts.get("host2"), "the router registers its host, serving nothing yet");
            assertEquals(0, AttachRequest.ofThisProcess(admin, "early", "").status());
            assertTrue(late.registered.containsKey("early"));

            alone.unbindOrchestrator(late);
            assertEquals(Errno.EAGAIN, AttachRequest.ofThisProcess(admin, "later", "").status());
            alone.unbindOrchestrator(orchestrator); // another service going is no news
            assertEquals(1, alone.containers().size(), "what is attached stays attached");

            FakeOrchestrator back = new FakeOrchestrator();
            alone.bindOrchestrator(back);
            assertEquals(List.of(late.registered.get("early")), back.hosts.get("host2"),
                    "coming back, it re-claims what it serves, addresses and all");

            FakeOrchestrator clash = new FakeOrchestrator();
            clash.refuse = true;
            alone.unbindOrchestrator(back);
            alone.bindOrchestrator(clash);
            Response refused = AttachRequest.ofThisProcess(admin, "later", "");
            assertEquals(Errno.EAGAIN, refused.status());
            assertTrue(reason(refused).contains("cannot join the orchestrator as host host2: host name taken"),
                    reason(refused));
        } finally {
            alone.deactivate();
        }
    }

    @Test
    void aRouterStartedWithoutAnOrchestratorGetsItsQpnsFromTheOneThatComesAndEagainWhenItGoes() throws Exception {
        Path other = Files.createDirectories(dir.resolve("late"));
        VirtualNicManager alone = new VirtualNicManager(null, new FakeQos(), poller,
                new RouterSettings("host2", other, "freeflow0"));
        FakeOrchestrator late = new FakeOrchestrator();
        try (WireClient admin = new WireClient(other.resolve("admin.sock"))) {
            alone.bindOrchestrator(late);
            Response attached = AttachRequest.ofThisProcess(admin, "qp-owner", "");
            assertEquals(0, attached.status());
            Path socket = Path.of(WireClient.string(attached.payload(), ContainerInfo.SOCKET_PATH, 108));
            try (WireClient ffl = new WireClient(socket)) {
                int pd = ffl.call(Abi.OP_ALLOC_PD, null).payload().getInt(Abi.HandleResp.HANDLE);
                int cq = ffl.call(Abi.OP_CREATE_CQ, cqReq(16)).payload().getInt(Abi.CreateCqResp.HANDLE);
                Response qp = ffl.call(Abi.OP_CREATE_QP, rcQpReq(pd, cq));
                assertEquals(0, qp.status(), "the QPN comes from the orchestrator bound after the start");
                assertEquals(0x100, qp.payload().getInt(Abi.CreateQpResp.QP_NUM));
                alone.unbindOrchestrator(late);
                assertEquals(Errno.EAGAIN, ffl.call(Abi.OP_CREATE_QP, rcQpReq(pd, cq)).status());
            }
        } finally {
            alone.deactivate();
        }
    }

    private static ByteBuffer rcQpReq(int pd, int cq) {
        ByteBuffer req = WireClient.payload(Abi.CreateQpReq.SIZE);
        req.putInt(Abi.CreateQpReq.PD_HANDLE, pd);
        req.putInt(Abi.CreateQpReq.SEND_CQ, cq);
        req.putInt(Abi.CreateQpReq.RECV_CQ, cq);
        req.putInt(Abi.CreateQpReq.QP_TYPE, QPT_RC);
        req.putInt(Abi.CreateQpReq.CAP + Abi.QpCap.MAX_SEND_WR, 16);
        req.putInt(Abi.CreateQpReq.CAP + Abi.QpCap.MAX_RECV_WR, 16);
        req.putInt(Abi.CreateQpReq.CAP + Abi.QpCap.MAX_SEND_SGE, 1);
        req.putInt(Abi.CreateQpReq.CAP + Abi.QpCap.MAX_RECV_SGE, 1);
        return req;
    }

    @Test
    void theClusterOpAnswersFromTheOrchestratorOrSaysItIsNotReady() throws Exception {
        try (WireClient admin = admin()) {
            Response none = admin.call(Abi.OP_ADMIN_CLUSTER, null);
            assertEquals(Errno.EAGAIN, none.status());
            assertTrue(reason(none).contains("not ready"));

            Instant now = Instant.now();
            OrchestratorService view = new OrchestratorService() {
                @Override
                public List<ContainerRecord> containers() {
                    return List.of();
                }

                @Override
                public Optional<ContainerRecord> container(String name) {
                    return Optional.empty();
                }

                @Override
                public Optional<ContainerRecord> containerByLid(int lid) {
                    return Optional.empty();
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public List<HostRecord> hosts() {
                    return List.of(new HostRecord("host1", "a", "v", HostRecord.RUNNING, now, now),
                            new HostRecord("host2", "b", "v", HostRecord.LOST, now, now),
                            new HostRecord("host3", "c", "v", HostRecord.RUNNING, now, now));
                }

                @Override
                public ClusterView cluster() {
                    return new ClusterView(7, List.of(new ClusterView.Node("n1", "host1", List.of("a"), true),
                            new ClusterView.Node("n3", "host3", List.of("c"), false)));
                }

                @Override
                public Optional<MemoryRegionRecord> memoryRegion(String container, int rkey) {
                    return Optional.empty();
                }

                @Override
                public List<QueuePairRecord> queuePairs() {
                    return List.of();
                }

                @Override
                public QueryResult query(String sql) {
                    throw new UnsupportedOperationException();
                }
            };
            router.bindView(view);
            Response r = admin.call(Abi.OP_ADMIN_CLUSTER, null);
            assertEquals(0, r.status());
            ByteBuffer info = r.payload();
            assertEquals(Abi.ClusterInfo.SIZE, info.capacity());
            assertEquals(7, info.getLong(Abi.ClusterInfo.TOPOLOGY_VERSION));
            assertEquals(2, info.getInt(Abi.ClusterInfo.SERVERS));
            assertEquals(2, info.getInt(Abi.ClusterInfo.HOSTS_RUNNING));
            assertEquals(1, info.getInt(Abi.ClusterInfo.HOSTS_LOST));
            assertEquals(1, info.getInt(Abi.ClusterInfo.HOST_REGISTERED), "host1 is RUNNING and its router connected");
            router.unbindView(view);
            assertEquals(Errno.EAGAIN, admin.call(Abi.OP_ADMIN_CLUSTER, null).status());
        }
    }

    @Test
    void aContainersRefusedRequestCarriesNoReason() throws Exception {
        Path socket = addContainer("quiet");
        try (WireClient ffl = new WireClient(socket)) {
            Response bad = ffl.call(Abi.OP_DEALLOC_PD, WireClient.payload(Abi.HandleReq.SIZE).putInt(Abi.HandleReq.HANDLE, 12345));
            assertTrue(bad.status() != 0);
            assertEquals(0, bad.payload().capacity(), "nothing of the router's reasons reaches a container");
        }
    }

    @Test
    void removingAContainerClosesItsSocketAndConnections() throws Exception {
        Path socket = addContainer("web");
        try (WireClient ffl = new WireClient(socket); WireClient admin = admin()) {
            assertEquals(0, ffl.call(Abi.OP_ALLOC_PD, null).status());
            assertEquals(0, admin.call(Abi.OP_ADMIN_REMOVE_CONTAINER, containerReq("web", "")).status());
            assertTrue(ffl.closedByPeer());
            assertFalse(Files.exists(socket));
            assertTrue(orchestrator.registered.isEmpty());
            assertTrue(router.containers().isEmpty());
        }
    }

    @Test
    void responsesCarryTheRingDescriptors() throws Exception {
        Path socket = addContainer("web");
        try (WireClient ffl = new WireClient(socket)) {
            Response cq = ffl.call(Abi.OP_CREATE_CQ, cqReq(100));
            assertEquals(0, cq.status());
            assertEquals(128, cq.payload().getInt(Abi.CreateCqResp.CQE));
            assertEquals(1, cq.fds().length);
            assertEquals(4096 + 128 * 64, cq.payload().getLong(Abi.CreateCqResp.SHM_SIZE));
            assertEquals(4096 + 128 * 64, org.freeflow.posix.api.MemFd.size(cq.fds()[0]));
            org.freeflow.posix.api.FileDescriptors.close(cq.fds()[0]);
            assertNotNull(router.containers().get(0));
            assertEquals(1, router.containers().get(0).cqs());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (router.containers().get(0).connections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(0, router.containers().get(0).cqs(), "closing the connection destroyed the CQ");
    }

    private static ByteBuffer cqReq(int cqe) {
        ByteBuffer req = WireClient.payload(Abi.CreateCqReq.SIZE);
        req.putInt(Abi.CreateCqReq.CQE, cqe);
        req.putInt(Abi.CreateCqReq.CHANNEL, 0);
        return req;
    }

    private static byte[] bytes(ByteBuffer b, int offset, int n) {
        byte[] out = new byte[n];
        b.get(offset, out);
        return out;
    }
}
