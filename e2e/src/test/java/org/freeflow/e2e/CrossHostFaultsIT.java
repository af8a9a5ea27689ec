package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults between two hosts, with the server on h2 and the client on h1 of a lab of its own:
 * the remote container killed, h2's link cut for less than the QP's retry budget (perftest's
 * timeout 14, retry_cnt 7: about half a second) and for longer, h2's router killed; each test
 * starts from a link that works (the one after a long cut checks that it recovers). An error is
 * the IB one (IBV_WC_RETRY_EXC_ERR, status 12) and comes within the budget, not a hang; a
 * short cut and a reset of the routers' TCP connections lose nothing (ibv_rc_pingpong -c checks
 * every buffer it receives).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class CrossHostFaultsIT {
    private static final Pattern STARTED = Pattern.compile("#bytes");
    /** Far longer than a test waits: a client that ends early ended because of the fault. */
    private static final String DURATION = "60";
    private static final Duration ERROR_WITHIN = Duration.ofSeconds(20);
    /** The tcp transport's port (its default, which the lab keeps). */
    private static final int TRANSPORT_PORT = 7471;

    private static Lab lab;

    @BeforeAll
    static void twoHosts() throws Exception {
        lab = LabExtension.ownLab("freeflow.e2e.crossHostLab", "ffx", "freeflow.e2e.crossHostFaultLogs",
                "cross-host-faults", 2);
    }

    @AfterAll
    static void down() throws Exception {
        LabExtension.takeDown(lab);
    }

    /**
     * Waits until container {@code name} answers a ping from h1: after a cut link the overlay
     * (VXLAN) learns the way again, and perftest's connection set-up tries only once.
     */
    private static void awaitReachableFromH1(String name) throws InterruptedException {
        try (LabProcess probe = lab.container("probe-" + name).onHost("h1").start("sh", "-c",
                "for i in $(seq 60); do ping -c 1 -W 1 " + name + " >/dev/null 2>&1 && echo reachable && exit 0;"
                        + " done; exit 1")) {
            assertTrue(probe.awaitOutput(Pattern.compile("reachable"), Duration.ofSeconds(70)),
                    () -> name + " never answered a ping from h1: " + probe.output());
        }
    }

    /** An ib_send_bw pair that runs for a minute, started: server on h2, client on h1. */
    private static LabProcess[] bandwidthPair(String tag) throws InterruptedException {
        LabProcess server = lab.container(tag + "-s").onHost("h2").start("stdbuf", "-oL", "ib_send_bw", "-D",
                DURATION);
        lab.waitPort(tag + "-s", 18515, Pair.LISTEN_TIMEOUT, server);
        awaitReachableFromH1(tag + "-s");
        LabProcess client = lab.container(tag + "-c").onHost("h1").start("stdbuf", "-oL", "ib_send_bw", "-D",
                DURATION, tag + "-s");
        assertTrue(client.awaitOutput(STARTED, Duration.ofSeconds(30)),
                () -> "the pair did not start:\n" + client.output() + "\n" + server.output());
        return new LabProcess[] {server, client};
    }

    private static void assertRetryExceeded(LabProcess client) throws InterruptedException {
        ProcessResult c = client.awaitExit(ERROR_WITHIN);
        assertFalse(c.timedOut(), () -> "the client hung: " + c.describe());
        assertNotEquals(0, c.exitCode(), () -> "the client must fail: " + c.describe());
        assertTrue(c.output().contains("Completion with error") && c.output().contains("status 12"),
                () -> "expected an IBV_WC_RETRY_EXC_ERR completion: " + c.describe());
    }

    @Test
    @Order(1)
    void theRemoteContainerKilledEndsThePeersWorkWithRetryExceeded() throws InterruptedException {
        LabProcess[] pair = bandwidthPair("fk");
        try (LabProcess server = pair[0]; LabProcess client = pair[1]) {
            server.close(); // TERM to every process of the container on h2
            assertRetryExceeded(client);
        }
    }

    /**
     * The routers' TCP connections reset twice under a running pingpong ({@code ss -K} in h1's
     * namespace: both directions, h1's dialed connection and the one h2 dialed): the routers dial
     * again and resend what was not acknowledged; the QPs see nothing, every buffer arrives intact
     * once ({@code -c}), every iteration completes.
     */
    @Test
    @Order(3)
    void aResetRouterConnectionIsTransparentToTheQps() throws InterruptedException {
        pingpongThrough("fc", 50000, "a reset connection", client -> {
            for (int reset = 1; reset <= 2; reset++) {
                Thread.sleep(1000);
                assertTrue(client.isAlive(), () -> "the pingpong ended before the reset: " + client.output());
                ProcessResult killed = lab.inHostNamespace("h1", Duration.ofSeconds(30), "ss", "-K", "-tn",
                        "sport = :" + TRANSPORT_PORT + " or dport = :" + TRANSPORT_PORT).assertSuccess();
                long sockets = killed.output().lines().filter(l -> l.startsWith("ESTAB")).count();
                assertTrue(sockets >= 1, () -> "no router connection to reset: " + killed.output());
                assertTrue(client.isAlive(), () -> "the pingpong ended at the reset: " + client.output());
            }
        });
    }

    @Test
    @Order(4)
    void aLinkCutForLongerThanTheRetryBudgetEndsWithRetryExceeded() throws InterruptedException {
        LabProcess[] pair = bandwidthPair("fl");
        try (LabProcess server = pair[0]; LabProcess client = pair[1]) {
            lab.admin(Duration.ofSeconds(30), "link", "h2", "down").assertSuccess();
            try {
                assertRetryExceeded(client);
            } finally {
                lab.admin(Duration.ofSeconds(30), "link", "h2", "up").assertSuccess();
            }
        }
    }

    @Test
    @Order(2)
    void aShortLinkCutLosesAndRepeatsNothing() throws InterruptedException {
        pingpongThrough("fs", 20000, "a 100 ms cut", client -> {
            Thread.sleep(1000);
            assertTrue(client.isAlive(), () -> "the pingpong ended before the cut: " + client.output());
            lab.admin(Duration.ofSeconds(30), "link", "h2", "down", "--for", "100").assertSuccess();
        });
    }

    /** What a test does to the fabric while its pingpong runs. */
    private interface Fault {
        void strike(LabProcess client) throws InterruptedException;
    }

    /**
     * An {@code ibv_rc_pingpong -c -n iterations} pair, server on h2 and client on h1, through
     * {@code fault}: both must end well, every iteration done ({@code -c} checked every buffer).
     */
    private static void pingpongThrough(String tag, int iterations, String what, Fault fault)
            throws InterruptedException {
        String n = Integer.toString(iterations);
        try (LabProcess server = lab.container(tag + "-s").onHost("h2").start("ibv_rc_pingpong", "-c", "-n", n)) {
            lab.waitPort(tag + "-s", 18515, Pair.LISTEN_TIMEOUT, server);
            awaitReachableFromH1(tag + "-s");
            try (LabProcess c = lab.container(tag + "-c").onHost("h1").start("ibv_rc_pingpong", "-c", "-n", n,
                    tag + "-s")) {
                fault.strike(c);
                ProcessResult r = c.awaitExit(Duration.ofSeconds(120));
                assertEquals(0, r.exitCode(), () -> what + " must cost no work request: " + r.describe() + "\n"
                        + server.output());
                assertTrue(r.output().contains(n + " iters in"), r::describe);
                assertEquals(0, server.awaitExit(Duration.ofSeconds(30)).exitCode(), server::output);
            }
        }
    }

    @Test
    @Order(5)
    void theRemoteRouterKilledEndsThePeersWorkWithRetryExceeded() throws InterruptedException {
        LabProcess[] pair = bandwidthPair("fr");
        try (LabProcess server = pair[0]; LabProcess client = pair[1]) {
            lab.admin(Duration.ofSeconds(60), "kill-router", "h2").assertSuccess();
            assertRetryExceeded(client);
        }
    }
}
