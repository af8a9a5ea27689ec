package org.freeflow.ffo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.ignite.Ignition;
import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.api.QueuePairRecord;
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
    private static String discoveryA;
    private static String discoveryB;

    @BeforeAll
    static void startNodes() throws Exception {
        int portA = freePort();
        int portB = freePort();
        discoveryA = "127.0.0.1:" + portA;
        discoveryB = "127.0.0.1:" + portB;
        List<String> finder = List.of(discoveryA, discoveryB);
        jdbcPort = freePort();
        managerA = start(new NodeSettings("ffo-a", finder, portA, freePort(), jdbcPort, "127.0.0.1",
                Files.createDirectories(work.resolve("a")).toString(), 64, 3000), PUBLISHED_A);
        managerB = start(new NodeSettings("ffo-b", finder, portB, freePort(), freePort(), "127.0.0.1",
                Files.createDirectories(work.resolve("b")).toString(), 64, 3000), PUBLISHED_B);
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
        m.start(settings, new RegistrySettings(Ipv4Network.parse("10.98.0.0/16"), 200, Duration.ZERO), services -> {
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
            assertEquals(List.of("NAME", "TENANT", "HOST", "VIRTUAL_IP", "PREFIX_LENGTH", "LID", "GID", "STATE",
                    "RESERVED_UNTIL"),
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
    void threeRoutersAttachingAHundredEachAtOnceNeverShareAnAddressOrQpn() throws Exception {
        ClusterOrchestrator third = joinThird("ffo-t");
        ClusterOrchestrator[] routers = {manager, other, third};
        ExecutorService pool = Executors.newFixedThreadPool(9);
        int perRouter = 100;
        try {
            List<Callable<ContainerRecord>> attaches = new ArrayList<>();
            List<Callable<List<Integer>>> qpns = new ArrayList<>();
            for (int r = 0; r < routers.length; r++) {
                ClusterOrchestrator router = routers[r];
                String host = "host-t" + r;
                for (int i = 0; i < perRouter; i++) {
                    String name = "t" + r + "-" + i;
                    attaches.add(() -> router.registerContainer(name, null, host));
                }
                for (int t = 0; t < 3; t++) {
                    qpns.add(() -> {
                        List<Integer> got = new ArrayList<>();
                        for (int i = 0; i < 700; i++) {
                            got.add(router.allocateQpn());
                        }
                        return got;
                    });
                }
            }
            java.util.Collections.shuffle(attaches, new java.util.Random(11));
            List<Future<List<Integer>>> qpnRuns = new ArrayList<>();
            for (Callable<List<Integer>> q : qpns) {
                qpnRuns.add(pool.submit(q));
            }
            Set<String> ips = new HashSet<>();
            Set<Integer> lids = new HashSet<>();
            Set<String> gids = new HashSet<>();
            for (Future<ContainerRecord> f : pool.invokeAll(attaches)) {
                ContainerRecord r = f.get();
                assertTrue(ips.add(r.virtualIp()), "duplicate " + r.virtualIp());
                assertTrue(lids.add(r.lid()), "duplicate LID " + r.lid());
                assertTrue(gids.add(r.gid()), "duplicate GID " + r.gid());
            }
            Set<Integer> seen = new HashSet<>();
            for (Future<List<Integer>> f : qpnRuns) {
                for (int qpn : f.get()) {
                    assertTrue(seen.add(qpn), "duplicate QPN " + qpn);
                }
            }
            assertEquals(3 * perRouter, other.containers().stream().filter(c -> c.name().startsWith("t")).count());
            assertEquals(3 * perRouter, third.query("SELECT COUNT(DISTINCT LID) FROM CONTAINERS WHERE NAME LIKE 't%'")
                    .rows().get(0).get(0) instanceof Number n ? n.intValue() : -1);
        } finally {
            pool.shutdownNow();
            for (int r = 0; r < routers.length; r++) {
                for (int i = 0; i < perRouter; i++) {
                    manager.unregisterContainer("t" + r + "-" + i);
                }
            }
            third.close();
        }
    }

    @Test
    void hostsAndTheClusterViewShowEveryRouter() {
        HostRecord a = manager.registerHost("host-a", "0.1.0", List.of());
        HostRecord b = other.registerHost("host-b", "0.1.0", List.of());
        assertEquals("127.0.0.1", a.address());
        assertEquals(HostRecord.RUNNING, b.state());
        List<HostRecord> listed = other.hosts().stream().filter(h -> h.name().startsWith("host-a")
                || h.name().startsWith("host-b")).toList();
        assertEquals(List.of(withoutHeartbeat(a), withoutHeartbeat(b)),
                listed.stream().map(OrchestratorManagerIgniteTest::withoutHeartbeat).toList(),
                "ordered by name, as each router registered it");
        assertTrue(listed.stream().noneMatch(h -> h.lastSeen().isBefore(h.joined())), "heartbeats only advance");
        ClusterView view = manager.cluster();
        assertEquals(2, view.servers().size());
        assertTrue(view.topologyVersion() >= 2);
        assertEquals(Set.of("host-a", "host-b"),
                view.servers().stream().map(ClusterView.Node::host).collect(Collectors.toSet()),
                "each node with the host its router registered");
        assertEquals(List.of("host-a"), view.servers().stream().filter(ClusterView.Node::local)
                .map(ClusterView.Node::host).toList(), "the asking router's own node");
        assertThrows(IllegalStateException.class, () -> other.registerHost("host-a", "0.1.0", List.of()),
                "a name a running router holds");
    }

    @Test
    void aRouterWhoseNodeLeavesIsLostWithItsContainersAndCleansUpWhenItComesBack() throws Exception {
        manager.registerHost("host-a", "0.1.0", List.of());
        ClusterOrchestrator third = joinThird("ffo-c");
        third.registerHost("host-c", "0.1.0", List.of());
        ContainerRecord cc = third.registerContainer("cc", null, "host-c");
        try {
            Ignition.stop("ffo-c", true);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!(HostRecord.LOST.equals(hostState("host-c"))
                    && ContainerRecord.LOST.equals(manager.container("cc").orElseThrow().state()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(HostRecord.LOST, hostState("host-c"));
            assertEquals(ContainerRecord.LOST, manager.container("cc").orElseThrow().state());
            assertEquals(cc.virtualIp(), manager.container("cc").orElseThrow().virtualIp(),
                    "it keeps its addresses");

            ClusterOrchestrator back = joinThird("ffo-c2");
            try {
                back.registerHost("host-c", "0.1.0", List.of());
                assertEquals(HostRecord.RUNNING, hostState("host-c"));
                assertTrue(manager.container("cc").isEmpty(), "the restarted router serves none of them");
            } finally {
                back.close();
            }
        } finally {
            manager.unregisterContainer("cc");
        }
    }

    @Test
    void aContainerDetachedOnOneRouterStartsOnAnotherWithItsAddresses() throws Exception {
        ClusterOrchestrator third = joinThird("ffo-r", Duration.ofHours(1));
        try {
            ContainerRecord before = third.registerContainer("mig", "acme", "host-r");
            third.unregisterContainer("mig");
            ContainerRecord reserved = manager.container("mig").orElseThrow();
            assertEquals(before.withState(ContainerRecord.RESERVED), reserved, "every node sees the reservation");
            ContainerReservations.Reservation held = manager.reservations().stream()
                    .filter(r -> r.container().name().equals("mig")).findFirst().orElseThrow();
            assertTrue(held.until().isAfter(Instant.now().plus(Duration.ofMinutes(59))), held::toString);
            QueryResult sql = other.query("SELECT STATE, RESERVED_UNTIL FROM CONTAINERS WHERE NAME = 'mig'");
            assertEquals(ContainerRecord.RESERVED, sql.rows().get(0).get(0));
            assertEquals(held.until(), ((java.sql.Timestamp) sql.rows().get(0).get(1)).toInstant());

            assertThrows(IllegalStateException.class, () -> other.registerContainer("mig", "zeta", "host-b"),
                    "another tenant's container cannot take the name");
            ContainerRecord moved = other.registerContainer("mig", "acme", "host-b");
            assertEquals(new ContainerRecord("mig", "acme", "host-b", before.virtualIp(), before.prefixLength(),
                    before.lid(), before.gid(), ContainerRecord.RUNNING), moved);
            assertEquals(moved, third.container("mig").orElseThrow());
            assertEquals(List.of(List.of("host-b", "RUNNING")), manager.query("SELECT HOST, STATE FROM CONTAINERS"
                    + " WHERE NAME = 'mig' AND RESERVED_UNTIL IS NULL").rows(), "the reservation is over");

            third.registerContainer("held", null, "host-r");
            third.unregisterContainer("held");
            assertEquals(null, manager.reserve("held", null).until(), "held until released, from any router");
            assertTrue(other.release("held"));
            assertTrue(third.container("held").isEmpty());
        } finally {
            other.unregisterContainer("mig");
            third.release("held");
            third.close();
        }
    }

    @Test
    void sqlJoinsTheTablesAndSaysWhatIsWrongWithABadStatement() {
        manager.registerHost("host-a", "0.1.0", List.of());
        other.registerHost("host-b", "0.1.0", List.of());
        manager.registerContainer("j1", "acme", "host-a");
        manager.registerContainer("j2", "acme", "host-b");
        other.registerContainer("j3", "zeta", "host-b");
        try {
            QueryResult r = other.query("SELECT h.NAME, COUNT(c.NAME) AS N FROM HOSTS h LEFT JOIN CONTAINERS c"
                    + " ON c.HOST = h.NAME AND c.NAME LIKE 'j%' WHERE h.NAME IN ('host-a', 'host-b')"
                    + " GROUP BY h.NAME ORDER BY h.NAME");
            assertEquals(List.of("NAME", "N"), r.columns());
            assertEquals(List.of(List.of("host-a", 1L), List.of("host-b", 2L)), r.rows());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> manager.query("SELECT * FROM NO_SUCH_TABLE"));
            assertTrue(bad.getMessage().toUpperCase().contains("NO_SUCH_TABLE"), bad.getMessage());
        } finally {
            for (String n : List.of("j1", "j2", "j3")) {
                manager.unregisterContainer(n);
            }
        }
    }

    @Test
    void aPublishedRegionIsInEveryRoutersCopyAndInSqlUntilItIsRemoved() throws Exception {
        manager.registerContainer("m1", "acme", "host-m");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        MemoryRegionRecord region = new MemoryRegionRecord("m1", 0x101, 0x101, "host-m", 3, 0x7f00_0000_0000L,
                1L << 20, 7, at);
        try {
            manager.publishMemoryRegion(region).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(Optional.of(region), eventually(() -> other.memoryRegion("m1", 0x101)),
                    "the other router's continuous query brought it");
            assertEquals(Optional.of(region), manager.memoryRegion("m1", 0x101));
            QueryResult perTenant = other.query("SELECT c.TENANT, SUM(m.LENGTH) FROM MEMORY_MAPS m"
                    + " JOIN CONTAINERS c ON c.NAME = m.CONTAINER WHERE c.NAME = 'm1' GROUP BY c.TENANT");
            assertEquals(List.of(List.of("acme", BigDecimal.valueOf(1L << 20))), normalize(perTenant.rows()));

            manager.removeMemoryRegion("m1", 0x101).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(Optional.empty(), eventuallyEmpty(() -> other.memoryRegion("m1", 0x101)));
            assertEquals(List.of(), other.query("SELECT RKEY FROM MEMORY_MAPS WHERE CONTAINER = 'm1'").rows());

            other.publishMemoryRegion(region).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            manager.unregisterContainer("m1");
        }
        assertEquals(List.of(), other.query("SELECT RKEY FROM MEMORY_MAPS WHERE CONTAINER = 'm1'").rows(),
                "a container's unregistration drops its regions");
        assertEquals(Optional.empty(), eventuallyEmpty(() -> manager.memoryRegion("m1", 0x101)));
    }

    @Test
    void queuePairRowsNameTheirPeersContainerAndGoWithTheirContainer() throws Exception {
        ContainerRecord a = manager.registerContainer("qa", "acme", "host-q");
        ContainerRecord b = other.registerContainer("qb", "zeta", "host-q2");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        int qpnA = manager.allocateQpn();
        int qpnB = other.allocateQpn();
        try {
            manager.publishQueuePairs(List.of(new QueuePairRecord(qpnA, "qa", "host-q", "RC", "RTS", b.lid(), qpnB,
                    at, 10, 2, 4096))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            other.publishQueuePairs(List.of(new QueuePairRecord(qpnB, "qb", "host-q2", "RC", "RTS", a.lid(), qpnA,
                    at, 0, 10, 0))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            QueryResult crossTenant = manager.query("SELECT q.QPN, q.CONTAINER, q.PEER_CONTAINER FROM QPS q"
                    + " JOIN CONTAINERS c ON c.NAME = q.CONTAINER JOIN CONTAINERS p ON p.NAME = q.PEER_CONTAINER"
                    + " WHERE c.TENANT <> p.TENANT AND q.CONTAINER IN ('qa', 'qb') ORDER BY q.QPN");
            List<List<Object>> expected = new ArrayList<>(List.of(List.of(qpnA, "qa", "qb"),
                    List.of(qpnB, "qb", "qa")));
            expected.sort(Comparator.comparingInt(r -> (Integer) r.get(0)));
            assertEquals(expected, crossTenant.rows());
            assertTrue(other.queuePairs().contains(new QueuePairRecord(qpnA, "qa", "host-q", "RC", "RTS", b.lid(),
                    qpnB, at, 10, 2, 4096)), other.queuePairs().toString());

            manager.removeQueuePairs(List.of(qpnA)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(List.of(qpnB)), other.query("SELECT QPN FROM QPS WHERE CONTAINER IN ('qa', 'qb')")
                    .rows());
        } finally {
            manager.unregisterContainer("qa");
            other.unregisterContainer("qb");
        }
        assertEquals(List.of(), other.query("SELECT QPN FROM QPS WHERE CONTAINER IN ('qa', 'qb')").rows());
    }

    @Test // host-a: the name the other tests give this node's router
    void aRouterRegisteringAgainDropsTheRowsOfWhatItNoLongerServes() throws Exception {
        manager.registerHost("host-a", "0.1.0", List.of());
        ContainerRecord keep = manager.registerContainer("keep", null, "host-a");
        manager.registerContainer("gone", null, "host-a");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try {
            for (String c : List.of("keep", "gone")) {
                manager.publishMemoryRegion(new MemoryRegionRecord(c, 0x201, 0x201, "host-a", 1, 0, 4096, 1, at))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                manager.publishQueuePairs(List.of(new QueuePairRecord(manager.allocateQpn(), c, "host-a", "UD",
                        "RTS", 0, 0, at, 0, 0, 0))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            manager.registerHost("host-a", "0.1.0", List.of(keep));
            assertEquals(List.of(List.of("keep")), manager.query("SELECT CONTAINER FROM MEMORY_MAPS"
                    + " WHERE HOST = 'host-a'").rows());
            assertEquals(List.of(List.of("keep")), manager.query("SELECT CONTAINER FROM QPS WHERE HOST = 'host-a'")
                    .rows());
        } finally {
            manager.unregisterContainer("keep");
            manager.unregisterContainer("gone");
        }
    }

    /** The SQL blocks of docs/ffo.md's "Example queries" section. */
    private static List<String> documentedQueries() throws IOException {
        String doc = Files.readString(Path.of("../../docs/ffo.md"));
        int start = doc.indexOf("## Example queries");
        int end = doc.indexOf("\n## ", start + 1);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        List<String> queries = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(section);
        while (m.find()) {
            queries.add(m.group(1).trim());
        }
        return queries;
    }

    @Test
    void theDocumentsExampleQueriesAnswer() throws Exception {
        List<String> queries = documentedQueries();
        assertTrue(queries.size() >= 4, "the doc's example queries: " + queries);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ContainerRecord a = manager.registerContainer("ex-a", "acme", "host-a");
        ContainerRecord b = other.registerContainer("ex-b", "zeta", "host-b");
        int qpnA = manager.allocateQpn();
        int qpnB = other.allocateQpn();
        // a host whose router is gone, as the oldest server leaves it: LOST, with its container LOST
        manager.query("MERGE INTO HOSTS (NAME, ADDRESS, ROUTER_VERSION, STATE, JOINED, LAST_SEEN, NODE_ID) VALUES"
                + " ('ex-gone', '10.97.0.9', '0.1.0', 'LOST', CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP(), 'gone')");
        manager.query("MERGE INTO CONTAINERS (NAME, TENANT, HOST, VIRTUAL_IP, PREFIX_LENGTH, LID, GID, STATE) VALUES"
                + " ('ex-lost', 'acme', 'ex-gone', '10.98.200.1', 16, 40000, 'fe80::4646:ff:1', 'LOST')");
        try {
            manager.publishMemoryRegion(new MemoryRegionRecord("ex-a", 0x301, 0x301, "host-a", 1, 0x1000, 1L << 21,
                    7, at)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            other.publishMemoryRegion(new MemoryRegionRecord("ex-b", 0x302, 0x302, "host-b", 1, 0x1000, 4096, 1, at))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            manager.publishQueuePairs(List.of(new QueuePairRecord(qpnA, "ex-a", "host-a", "RC", "RTS", b.lid(), qpnB,
                    at, 5, 5, 1 << 20))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            other.publishQueuePairs(List.of(new QueuePairRecord(qpnB, "ex-b", "host-b", "RC", "RTS", a.lid(), qpnA,
                    at, 5, 5, 2048))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            for (String sql : queries) {
                QueryResult r = other.query(sql);
                assertFalse(r.rows().isEmpty(), "no rows from the documented query:\n" + sql);
            }
        } finally {
            manager.unregisterContainer("ex-a");
            other.unregisterContainer("ex-b");
            manager.query("DELETE FROM CONTAINERS WHERE NAME = 'ex-lost'");
            manager.query("DELETE FROM HOSTS WHERE NAME = 'ex-gone'");
        }
    }

    /** Numbers as JDBC hands them, whatever their Java type. */
    private static List<List<Object>> normalize(List<List<Object>> rows) {
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> row : rows) {
            List<Object> r = new ArrayList<>();
            for (Object v : row) {
                r.add(v instanceof Number n && !(v instanceof BigDecimal) ? new BigDecimal(n.toString()) : v);
            }
            out.add(r);
        }
        return out;
    }

    private static <T> Optional<T> eventually(java.util.function.Supplier<Optional<T>> read) throws Exception {
        return awaitRead(read, Optional::isPresent);
    }

    private static <T> Optional<T> eventuallyEmpty(java.util.function.Supplier<Optional<T>> read) throws Exception {
        return awaitRead(read, Optional::isEmpty);
    }

    /** Reads until {@code done} holds of what was read, for up to 10 s; the last read. */
    private static <T> Optional<T> awaitRead(java.util.function.Supplier<Optional<T>> read,
            java.util.function.Predicate<Optional<T>> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Optional<T> v = read.get();
        while (!done.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            v = read.get();
        }
        return v;
    }

    /** The record without LAST_SEEN, which the routers' heartbeats move on. */
    private static HostRecord withoutHeartbeat(HostRecord h) {
        return new HostRecord(h.name(), h.address(), h.routerVersion(), h.state(), h.joined(), h.joined());
    }

    private static String hostState(String host) {
        return manager.hosts().stream().filter(h -> h.name().equals(host)).map(HostRecord::state).findFirst()
                .orElse("none");
    }

    /** A third router's node joining the cluster of A and B. */
    private static ClusterOrchestrator joinThird(String name) throws Exception {
        return joinThird(name, Duration.ZERO);
    }

    /** A third router's node, whose detached containers keep their addresses for {@code reservationWindow}. */
    private static ClusterOrchestrator joinThird(String name, Duration reservationWindow) throws Exception {
        int discovery = freePort();
        List<String> finder = List.of(discoveryA, discoveryB, "127.0.0.1:" + discovery);
        return ClusterOrchestrator.start(new NodeSettings(name, finder, discovery, freePort(), freePort(), "127.0.0.1",
                Files.createDirectories(work.resolve(name)).toString(), 64, 3000),
                new RegistrySettings(Ipv4Network.parse("10.98.0.0/16"), 200, reservationWindow));
    }

    @Test
    void servicesAreWithdrawnWhenTheNodeStopsByItself() throws Exception {
        AtomicReference<ClusterOrchestrator> published = new AtomicReference<>();
        int discovery = freePort();
        OrchestratorManager lone = start(new NodeSettings("ffo-lone", List.of("127.0.0.1:" + discovery), discovery,
                freePort(), freePort(), "127.0.0.1", Files.createDirectories(work.resolve("lone")).toString(), 64, 3000),
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
