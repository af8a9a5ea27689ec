package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The orchestrator as a cluster, on a lab of three hosts of its own: every router's node in
 * one cluster, containers on every host, the tables queried with Ignite's JDBC thin driver
 * by a tool on h1 (joins over HOSTS, CONTAINERS, QPS and MEMORY_MAPS), memory maps following
 * perftest's registrations, a container moved from h1 to h2 with its addresses, and h3's
 * router killed and started again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class ClusterIT {
    private static final Duration RUN = Duration.ofSeconds(30);
    private static final Pattern UP = Pattern.compile("up");

    private static Lab lab;
    private static SqlClient sql;
    private static final List<LabProcess> SLEEPERS = new ArrayList<>();

    @BeforeAll
    static void threeHosts() throws Exception {
        lab = LabExtension.ownLab("freeflow.e2e.clusterLab", "ffc", "freeflow.e2e.clusterLogs", "cluster", 3);
        sql = SqlClient.onHost(LabExtension.repository(), lab.inspect("h1").get("namespace"));
        // containers of two tenants on every host
        SLEEPERS.add(sleeper("cl-a", "h1", "acme"));
        SLEEPERS.add(sleeper("cl-b", "h2", "zeta"));
        SLEEPERS.add(sleeper("cl-c", "h3", "acme"));
        for (LabProcess p : SLEEPERS) {
            assertTrue(p.awaitOutput(UP, RUN), p::output);
        }
    }

    private static LabProcess sleeper(String name, String host, String tenant) {
        return lab.container(name).onHost(host).tenant(tenant).start("sh", "-c", "echo up; exec sleep 600");
    }

    @AfterAll
    static void down() throws Exception {
        if (sql != null) {
            sql.close();
        }
        for (LabProcess p : SLEEPERS) {
            p.close();
        }
        LabExtension.takeDown(lab);
    }

    private static SqlClient.Rows awaitRows(String statement, Predicate<SqlClient.Rows> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SqlClient.Rows rows = sql.query(statement);
        while (!done.test(rows) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            rows = sql.query(statement);
        }
        return rows;
    }

    @Test
    @Order(1)
    void everyRouterIsInOneClusterAndTheTablesJoinAcrossHosts() throws Exception {
        ProcessResult status = lab.admin(RUN, "status").assertSuccess();
        // the cluster table: HOST TOPOLOGY SERVERS RUNNING LOST REGISTERED, one row per router
        java.util.regex.Matcher row = Pattern.compile("(?m)^h[123]\\s+\\d+\\s+3\\s+3\\s+0\\s+yes\\s*$")
                .matcher(status.output());
        int routers = 0;
        while (row.find()) {
            routers++;
        }
        assertEquals(3, routers, () -> "every router in one cluster of 3, its host registered: " + status.describe());
        SqlClient.Rows rows = sql.query("SELECT c.NAME, c.TENANT, h.NAME, h.STATE, c.STATE FROM CONTAINERS c"
                + " JOIN HOSTS h ON h.NAME = c.HOST WHERE c.NAME LIKE 'cl-%' ORDER BY c.NAME");
        assertEquals(List.of(List.of("cl-a", "acme", "h1", "RUNNING", "RUNNING"),
                List.of("cl-b", "zeta", "h2", "RUNNING", "RUNNING"),
                List.of("cl-c", "acme", "h3", "RUNNING", "RUNNING")), rows.rows());
        for (String c : List.of("cl-a", "cl-b", "cl-c")) {
            Map<String, String> facts = lab.inspect(c);
            assertEquals(List.of(List.of(facts.get("vip"), facts.get("lid"))), sql.query(
                    "SELECT VIRTUAL_IP, LID FROM CONTAINERS WHERE NAME = '" + c + "'").rows(), "as the lab knows " + c);
        }
        assertEquals(List.of(List.of("3")), sql.query("SELECT COUNT(*) FROM HOSTS WHERE STATE = 'RUNNING'").rows());
    }

    @Test
    @Order(2)
    void memoryMapsAndQpsFollowAPerftestOnAnotherHost() throws Exception {
        String regions = "SELECT m.CONTAINER, m.HOST, m.LENGTH, c.TENANT FROM MEMORY_MAPS m"
                + " JOIN CONTAINERS c ON c.NAME = m.CONTAINER WHERE m.CONTAINER LIKE 'mm-%' ORDER BY m.CONTAINER";
        try (LabProcess server = lab.container("mm-srv").onHost("h2").start("ib_write_bw", "-D", "6")) {
            lab.waitPort("mm-srv", 18515, RUN, server);
            try (LabProcess client = lab.container("mm-cli").onHost("h2").start("ib_write_bw", "-D", "6", "mm-srv")) {
                SqlClient.Rows during = awaitRows(regions, r -> r.rows().size() == 2, RUN);
                assertEquals(2, during.rows().size(), () -> "both perftests' regions, seen from h1: " + during
                        + "\n" + server.output() + client.output());
                for (List<String> row : during.rows()) {
                    assertEquals("h2", row.get(1), row::toString);
                    assertTrue(Long.parseLong(row.get(2)) >= 65536, row::toString);
                    assertEquals("default", row.get(3), row::toString);
                }
                // ib_write_bw's client sends (RTS), its server only receives (RTR)
                List<List<String>> connected = List.of(List.of("mm-cli", "mm-srv", "RC", "RTS"),
                        List.of("mm-srv", "mm-cli", "RC", "RTR"));
                SqlClient.Rows qps = awaitRows("SELECT CONTAINER, PEER_CONTAINER, TYPE, STATE FROM QPS"
                        + " WHERE CONTAINER LIKE 'mm-%' ORDER BY CONTAINER", r -> r.rows().equals(connected), RUN);
                assertEquals(connected, qps.rows(), "each QP names its peer's container");
                ProcessResult c = client.awaitExit(Duration.ofSeconds(60));
                assertEquals(0, c.exitCode(), c::describe);
            }
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)).exitCode(), server::output);
        }
        SqlClient.Rows after = awaitRows(regions, r -> r.rows().isEmpty(), Duration.ofSeconds(10));
        assertEquals(List.of(), after.rows(), "deregistered and detached: no region left");
        assertEquals(List.of(), sql.query("SELECT QPN FROM QPS WHERE CONTAINER LIKE 'mm-%'").rows());
    }

    /**
     * Offline migration: a container stopped on h1 and started on h2 under its name keeps its
     * virtual IP, LID and GID (its addresses were reserved for it meanwhile), the tables show
     * it on h2, and its TCP peer on h3 reaches it at its new host at once (the lab's overlay
     * follows it).
     */
    @Test
    @Order(3)
    void aContainerStoppedOnOneHostStartsOnAnotherWithItsAddressesAndItsPeersReachItThere() throws Exception {
        String row = "SELECT HOST, STATE, VIRTUAL_IP, LID, GID, RESERVED_UNTIL FROM CONTAINERS WHERE NAME = 'mig'";
        Lab.Container peer = lab.container("mig-peer").onHost("h3");
        try (LabProcess holder = peer.start("sh", "-c", "echo up; exec sleep 600")) {
            assertTrue(holder.awaitOutput(UP, RUN), holder::output);
            Map<String, String> onH1 = serveOneTcpClient("h1", peer);
            SqlClient.Rows reserved = awaitRows(row, r -> r.rows().size() == 1
                    && "RESERVED".equals(r.rows().get(0).get(1)), Duration.ofSeconds(10));
            List<String> r1 = reserved.rows().get(0);
            assertEquals(List.of("h1", "RESERVED", onH1.get("vip"), onH1.get("lid")), r1.subList(0, 4),
                    "stopped, its addresses held: " + reserved);
            assertTrue(r1.get(5) != null, () -> "a reservation that ends: " + reserved);

            Map<String, String> onH2 = serveOneTcpClient("h2", peer);
            for (String fact : List.of("vip", "lid", "gid")) {
                assertEquals(onH1.get(fact), onH2.get(fact), fact + " kept on h2");
            }
            assertEquals("h2", onH2.get("host"));
            SqlClient.Rows again = awaitRows(row, r -> r.rows().size() == 1
                    && "RESERVED".equals(r.rows().get(0).get(1)), Duration.ofSeconds(10));
            assertEquals(List.of("h2", "RESERVED", r1.get(2), r1.get(3), r1.get(4)), again.rows().get(0).subList(0, 5),
                    "stopped on h2, the same addresses held again");
        }
    }

    /**
     * Container mig on {@code host} serves one iperf3 client, {@code peer}; the lab's facts of
     * mig while it ran. When this returns, mig has stopped (detached).
     */
    private static Map<String, String> serveOneTcpClient(String host, Lab.Container peer) throws Exception {
        try (LabProcess server = lab.container("mig").onHost(host).tenant("acme").start("iperf3", "-s", "-1",
                "-p", "5299")) {
            lab.waitPort("mig", 5299, RUN, server);
            Map<String, String> facts = lab.inspect("mig");
            assertEquals(List.of(java.util.Arrays.asList(host, "RUNNING", null)),
                    sql.query("SELECT HOST, STATE, RESERVED_UNTIL FROM CONTAINERS WHERE NAME = 'mig'").rows(),
                    "the tables show mig on " + host + ", not reserved");
            ProcessResult client;
            try (LabProcess c = peer.exec("iperf3", "-c", "mig", "-p", "5299", "-t", "1")) {
                client = c.awaitExit(RUN);
            }
            assertEquals(0, client.exitCode(),
                    () -> "the peer on h3 reaches mig on " + host + ": " + client.describe());
            ProcessResult served = server.awaitExit(RUN);
            assertEquals(0, served.exitCode(), served::describe);
            return facts;
        }
    }

    @Test
    @Order(4)
    void aKilledRouterIsLostWithinTheFailureDetectionTimeAndRejoinsClean() throws Exception {
        // the sleepers of every host (the pingpong's containers, once stopped, are RESERVED: no host's)
        String containers = "SELECT NAME, STATE FROM CONTAINERS WHERE NAME LIKE 'cl-%' AND STATE <> 'RESERVED'"
                + " ORDER BY NAME";
        long killed = System.nanoTime(); // kill-router returns once the JVM is gone (a second or two)
        lab.admin(RUN, "kill-router", "h3").assertSuccess();
        SqlClient.Rows lost = awaitRows(containers, r -> r.rows().contains(List.of("cl-c", "LOST")),
                Duration.ofSeconds(20));
        long detectedMillis = (System.nanoTime() - killed) / 1_000_000;
        assertEquals(List.of(List.of("cl-a", "RUNNING"), List.of("cl-b", "RUNNING"), List.of("cl-c", "LOST")),
                lost.rows(), "no row lost; h3's container LOST");
        assertTrue(detectedMillis <= 10_000, "LOST after " + detectedMillis + " ms (failure detection: 10 s)");
        System.out.println("ClusterIT: kill -9 of h3's router: its container LOST after " + detectedMillis + " ms");
        assertEquals(List.of(List.of("LOST")), sql.query("SELECT STATE FROM HOSTS WHERE NAME = 'h3'").rows());

        // the others keep working: an RC pingpong on h1 with its data checked
        RcPingPongIT.assertPingPong(RcPingPongIT.pingPong(lab, "cl-pp", "ibv_rc_pingpong", "-c"));

        lab.admin(Duration.ofMinutes(4), "start-router", "h3", "--timeout", "200").assertSuccess();
        assertEquals(List.of(List.of("RUNNING")), sql.query("SELECT STATE FROM HOSTS WHERE NAME = 'h3'").rows());
        assertEquals(List.of(List.of("cl-a", "RUNNING"), List.of("cl-b", "RUNNING")), sql.query(containers).rows(),
                "the restarted router serves none of h3's old containers: their rows are gone");
        ProcessResult again = lab.container("cl-d").onHost("h3").run(RUN, "ibv_devinfo").assertSuccess();
        assertTrue(again.output().contains("freeflow0"), again::describe);
    }
}
