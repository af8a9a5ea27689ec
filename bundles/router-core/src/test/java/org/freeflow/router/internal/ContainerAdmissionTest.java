package org.freeflow.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.ContainerInfo;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MemFd;
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
import org.junit.jupiter.api.io.TempDir;

/** A container's socket admits the processes of the identity its attach gave, and refuses every other. */
class ContainerAdmissionTest {

    @TempDir
    Path dir;

    private InlinePoller poller;
    private VirtualNicManager router;

    @BeforeEach
    void start() throws Exception {
        poller = new InlinePoller();
        router = new VirtualNicManager(new FakeOrchestrator(), new FakeQos(), poller,
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

    private static Path socket(Response attached) {
        assertEquals(0, attached.status(), "attached");
        return Path.of(WireClient.string(attached.payload(), ContainerInfo.SOCKET_PATH, 108));
    }

    private static int allocPd(Path socket) throws Exception {
        try (WireClient ffl = new WireClient(socket)) {
            return ffl.call(Abi.OP_ALLOC_PD, null).status();
        }
    }

    private ContainerView view(String name) {
        return router.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aProcessOfTheContainerIsAdmitted() throws Exception {
        Path socket;
        try (WireClient admin = admin()) {
            socket = socket(AttachRequest.ofThisProcess(admin, "web", ""));
        }
        assertEquals(0, allocPd(socket));
        assertEquals(0, view("web").refused());
        assertTrue(view("web").admits().startsWith("netns net:["), view("web").admits());
    }

    @Test
    void anotherUserIsRefusedWithEaccesAndCounted() throws Exception {
        int other = AttachRequest.uid() + 4242;
        Path socket;
        try (WireClient admin = admin()) {
            socket = socket(AttachRequest.withNetns(admin,
                    AttachRequest.body("web", "", Abi.IDENTITY_NETNS | Abi.IDENTITY_UID, other, 0, null)));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals(other, ((Number) Files.getAttribute(socket, "unix:uid")).intValue(), "the container user's file");
        try (WireClient intruder = new WireClient(socket)) {
            assertEquals(Errno.EACCES, intruder.call(Abi.OP_OPEN, WireClient.payload(Abi.OpenReq.SIZE)).status());
            assertTrue(intruder.closedByPeer(), "and the connection ends");
        }
        assertEquals(Errno.EACCES, allocPd(socket));
        assertEquals(2, view("web").refused());
        assertEquals(0, view("web").connections(), "no verbs context was made for them");
    }

    @Test
    void aCgroupOutsideTheContainersIsRefusedAndOneAboveItAdmitted() throws Exception {
        Path refused;
        Path admitted;
        try (WireClient admin = admin()) {
            refused = socket(admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("elsewhere", "", Abi.IDENTITY_CGROUP, 0, 0, "/freeflow-test/no-such")));
            admitted = socket(admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("root", "", Abi.IDENTITY_CGROUP, 0, 0, "/")));
        }
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(refused)),
                "without a uid, the peer check alone");
        assertEquals(Errno.EACCES, allocPd(refused));
        assertEquals(0, allocPd(admitted), "every process is below the root cgroup");
    }

    @Test
    void anIdentityNeedsANamespaceOrACgroupAndANamespaceIsANamespace() throws Exception {
        try (WireClient admin = admin()) {
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("web", "", Abi.IDENTITY_UID, 0, 0, null)).status(), "a uid alone");
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("web", "", Abi.IDENTITY_NETNS, 0, 0, null)).status(), "netns without its fd");
            int memfd = MemFd.create("not-a-namespace");
            try {
                ByteBuffer body = AttachRequest.body("web", "", Abi.IDENTITY_NETNS, 0, 0, null);
                assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER, body, memfd).status());
            } finally {
                FileDescriptors.closeQuietly(memfd);
            }
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("web", "", Abi.IDENTITY_CGROUP, 0, 0, "relative")).status());
            assertEquals(Errno.EINVAL, admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("web", "", 0x80 | Abi.IDENTITY_CGROUP, 0, 0, "/")).status(), "unknown flag");
            assertTrue(router.containers().isEmpty(), "nothing was attached");
        }
    }

    @Test
    void reattachingWithAnotherIdentityIsRefused() throws Exception {
        try (WireClient admin = admin()) {
            socket(AttachRequest.ofThisProcess(admin, "web", ""));
            assertEquals(Errno.EBUSY, admin.call(Abi.OP_ADMIN_ADD_CONTAINER,
                    AttachRequest.body("web", "", Abi.IDENTITY_CGROUP, 0, 0, "/")).status());
            assertEquals(0, AttachRequest.ofThisProcess(admin, "web", "").status(), "the same identity is fine");
        }
    }
}
