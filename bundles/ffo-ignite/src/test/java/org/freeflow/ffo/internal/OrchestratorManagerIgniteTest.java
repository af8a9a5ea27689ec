package org.freeflow.ffo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.ignite.Ignition;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.ignite.NodeSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Ignite server nodes in this JVM (on free ports), one cluster, used
 * as two routers would use theirs.
 */
class OrchestratorManagerIgniteTest {

    @TempDir
    static Path work;

    private static OrchestratorManager managerA;
    private static OrchestratorManager managerB;
    private static final AtomicReference<ClusterOrchestrator> PUBLISHED_A = new AtomicReference<>();
    private static final AtomicReference<ClusterOrchestrator> PUBLISHED_B = new AtomicReference<>();
    private static ClusterOrchestrator manager;
    private static ClusterOrchestrator other;
    private static int jdbcPort;

    @BeforeAll
    static void startNodes() throws Exception {
        int discoveryA = freePort();
        int discoveryB = freePort();
        List<String> finder = List.of("127.0.0.1:" + discoveryA, "127.0.0.1:" + discoveryB);
        jdbcPort = freePort();
        managerA = start(new NodeSettings("ffo-a", finder, discoveryA, freePort(), jdbcPort, "127.0.0.1",
                Files.createDirectories(work.resolve("a")).toString(), 64), PUBLISHED_A);
        managerB = start(new NodeSettings("ffo-b", finder, discoveryB, freePort(), freePort(), "127.0.0.1",
                Files.createDirectories(work.resolve("b")).toString(), 64), PUBLISHED_B);
        long deadline = System.nanoTime() + 90_000_000_000L;
        while ((PUBLISHED_A.get() == null || PUBLISHED_B.get() == null) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        manager = PUBLISHED_A.get();
        other = PUBLISHED_B.get();
        assertTrue(manager != null && other != null, "both orchestrators published within 90 s");
        assertTrue(manager.isReady() && other.isReady());
    }

    /** A manager whose publisher keeps the services in {@code published} until they are withdrawn. */
    private static OrchestratorManager start(NodeSettings settings, AtomicReference<ClusterOrchestrator> published) {
        OrchestratorManager m = new OrchestratorManager();
        m.start(settings, Ipv4Network.parse("10.98.0.0/16"), services -> {
            published.set(services);
            return () -> published.set(null);
        });
        return m;
    }

    @AfterAll
    static void stopNodes() {
        managerB.deactivate();
        assertNull(PUBLISHED_B.get(), "withdrawn at deactivation");
        assertFalse(other.isReady());
        managerA.deactivate();
        assertNull(PUBLISHED_A.get());
        assertFalse(manager.isReady());
    }

    @Test
    void registersAndAnswersOverJdbcThin() throws Exception {
        ContainerRecord c1 = manager.registerContainer("c1", "acme", "host1");
        ContainerRecord c2 = other.registerContainer("c2", null, "host2");
        assertEquals("10.98.0.1", c1.virtualIp());
        assertEquals(1, c1.lid());
        assertEquals("10.98.0.2", c2.virtualIp());
        assertEquals(2, c2.lid());
        assertEquals(c1, manager.registerContainer("c1", "acme", "host1"));
        assertThrows(IllegalStateException.class, () -> other.registerContainer("c1", "acme", "host2"));
        assertEquals(c1, other.container("c1").orElseThrow());
        assertEquals(c2, manager.containerByLid(2).orElseThrow());
        assertEquals(c1, manager.container("c1").orElseThrow());
        assertEquals(List.of(c1, c2), manager.containers());

        List<String> rows = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + jdbcPort);
                Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM CONTAINERS ORDER BY NAME")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnName(i));
            }
            assertEquals(List.of("NAME", "TENANT", "HOST", "VIRTUAL_IP", "PREFIX_LENGTH", "LID", "GID", "STATE"),
                    columns);
            while (rs.next()) {
                rows.add(rs.getString("NAME") + " " + rs.getString("TENANT") + " " + rs.getString("HOST") + " "
                        + rs.getString("VIRTUAL_IP") + "/" + rs.getInt("PREFIX_LENGTH") + " " + rs.getInt("LID")
                        + " " + rs.getString("GID") + " " + rs.getString("STATE"));
            }
        }
        assertEquals(List.of("c1 acme host1 10.98.0.1/16 1 " + c1.gid() + " RUNNING",
                "c2 default host2 10.98.0.2/16 2 " + c2.gid() + " RUNNING"), rows);

        manager.unregisterContainer("c1");
        assertTrue(manager.container("c1").isEmpty());
        assertEquals("10.98.0.1", manager.registerContainer("c3", null, "host1").virtualIp());
        manager.unregisterContainer("c2");
        manager.unregisterContainer("c3");
    }

    @Test
    void qpnsAreUniqueAcrossRouters() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            for (ClusterOrchestrator m : new ClusterOrchestrator[] {manager, other}) {
                int qpn = m.allocateQpn();
                assertTrue(qpn >= 2 && qpn <= 0xFF_FFFF, "qpn " + qpn);
                assertTrue(seen.add(qpn), "duplicate qpn " + qpn);
            }
        }
    }

    @Test
    void concurrentRegistrationOnTwoRoutersNeverSharesAnAddress() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<ContainerRecord>> jobs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ClusterOrchestrator router = i % 2 == 0 ? manager : other;
                String name = "r" + i;
                String host = i % 2 == 0 ? "host-a" : "host-b";
                jobs.add(() -> router.registerContainer(name, null, host));
            }
            Set<String> ips = new HashSet<>();
            Set<Integer> lids = new HashSet<>();
            Set<String> gids = new HashSet<>();
            for (Future<ContainerRecord> f : pool.invokeAll(jobs)) {
                ContainerRecord r = f.get();
                assertTrue(ips.add(r.virtualIp()), "duplicate " + r.virtualIp());
                assertTrue(lids.add(r.lid()), "duplicate LID " + r.lid());
                assertTrue(gids.add(r.gid()), "duplicate GID " + r.gid());
            }
            assertEquals(40, other.containers().stream().filter(c -> c.name().startsWith("r")).count());
        } finally {
            pool.shutdownNow();
            for (int i = 0; i < 40; i++) {
                manager.unregisterContainer("r" + i);
            }
        }
    }

    @Test
    void servicesAreWithdrawnWhenTheNodeStopsByItself() throws Exception {
        AtomicReference<ClusterOrchestrator> published = new AtomicReference<>();
        int discovery = freePort();
        OrchestratorManager lone = start(new NodeSettings("ffo-lone", List.of("127.0.0.1:" + discovery), discovery,
                freePort(), freePort(), "127.0.0.1", Files.createDirectories(work.resolve("lone")).toString(), 64),
                published);
        try {
            ClusterOrchestrator up = awaitNonNull(published, 90);
            assertTrue(up.isReady());
            Ignition.stop("ffo-lone", true); // as a failure handler or a segmentation would
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (published.get() != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNull(published.get(), "services withdrawn once the node stopped");
            assertFalse(up.isReady());
        } finally {
            lone.deactivate();
        }
    }

    private static <T> T awaitNonNull(AtomicReference<T> ref, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (ref.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        T value = ref.get();
        assertTrue(value != null, "published within " + seconds + " s");
        return value;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
