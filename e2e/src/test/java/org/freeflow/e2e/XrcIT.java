package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * XRC through the router: native/target/tests/ff_xrc (XRC domains shared by file, XRC SRQs by
 * number, initiator and target QPs, their errors), each check a PASS or FAIL line; and the
 * unmodified ibv_xsrq_pingpong, between two containers and with two clients in one container.
 */
@ExtendWith(LabExtension.class)
@Timeout(240)
class XrcIT {
    private static final String[] EXPECTED = {"device_offers_xrc", "open_xrcd_private",
        "open_xrcd_private_no_creat_einval", "open_xrcd_file_no_creat_einval", "open_xrcd_file_creat",
        "open_xrcd_same_file_other_context", "open_xrcd_excl_existing_einval", "create_xrc_srq",
        "srq_num_nonzero_distinct", "connect_pair", "post_recv_on_initiator_einval", "post_send_on_target_einval",
        "send_lands_in_srq1", "comm_est_on_target", "send_lands_in_srq2_of_other_context", "srq1_cq_untouched",
        "send_with_imm_lands", "imm_data", "xrc_srq_limit_reached", "rdma_write_into_srq_pd",
        "rdma_write_other_pd_rem_access_err", "unknown_srqn_rem_inv_req_err", "unknown_srqn_initiator_err",
        "wr_api_send", "wr_api_lands_in_srq1", "close_xrcd_srq_and_target_ebusy", "close_xrcd_srq_ebusy",
        "close_xrcd_target_ebusy", "close_xrcd", "close_xrcd_other_context", "domain_gone_after_last_close"};
    private static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) passed, 0 failed$");
    private static final Pattern SUCCESS = Pattern.compile("(?m)^success$");
    /** ibv_xsrq_pingpong's addresses: "local: LID .., QPN RECV .. SEND .., PSN .., SRQN .., GID ..". */
    private static final Pattern LOCAL = Pattern.compile("(?m)^\\s*local: (.+)$");
    private static final Pattern REMOTE = Pattern.compile("(?m)^\\s*remote: (.+)$");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void xrcChecksPass(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_xrc").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_xrc")), () -> program + " is not built");
        ProcessResult r = lab.container("ff-xrc").run(RUN_TIMEOUT, program).assertSuccess();
        for (String check : EXPECTED) {
            assertTrue(Pattern.compile("(?m)^PASS " + check + "$").matcher(r.output()).find(),
                    () -> "no PASS " + check + ": " + r.describe());
        }
        assertFalse(Pattern.compile("(?m)^FAIL\\b").matcher(r.output()).find(), () -> "a FAIL line: " + r.describe());
        Matcher summary = SUMMARY.matcher(r.output());
        assertTrue(summary.find(), () -> "no summary line: " + r.describe());
        assertTrue(Integer.parseInt(summary.group(1)) >= EXPECTED.length, r::describe);
    }

    @Test
    void xsrqPingPongBetweenTwoContainers(Lab lab) throws InterruptedException {
        String[] server = {"ibv_xsrq_pingpong", "-p", "18621", "-n", "50"};
        String[] client = {"ibv_xsrq_pingpong", "-p", "18621", "-n", "50", "xsrq-srv"};
        Pair.Outcome o = Pair.run(lab, "xsrq-srv", "xsrq-cli", 18621, RUN_TIMEOUT, server, client)
                .assertBothSucceeded();
        assertSucceeded(o.server());
        assertSucceeded(o.client());
        assertEquals(connections(o.server(), true), connections(o.client(), false), o::describe);
    }

    /**
     * The server takes two clients (-c 2), both processes of one container. The container is
     * held by a third program for the whole test: had it been the first client's, its end would
     * remove the container under the second client, which may still be closing its resources.
     */
    @Test
    void xsrqPingPongTwoClientsInOneContainer(Lab lab) throws InterruptedException {
        String[] client = {"ibv_xsrq_pingpong", "-p", "18622", "xsrq2-srv"};
        Lab.Container clients = lab.container("xsrq2-cli");
        ProcessResult first;
        ProcessResult second;
        ProcessResult server;
        try (LabProcess holder = clients.start("sh", "-c", "echo up; exec sleep 600");
                LabProcess s = lab.container("xsrq2-srv").start("ibv_xsrq_pingpong", "-p", "18622", "-c", "2")) {
            assertTrue(holder.awaitOutput(Pattern.compile("(?m)^up$"), RUN_TIMEOUT),
                    () -> "the clients' container never came up:\n" + holder.output());
            lab.waitPort("xsrq2-srv", 18622, Pair.LISTEN_TIMEOUT, s);
            try (LabProcess c1 = clients.exec(client); LabProcess c2 = clients.exec(client)) {
                first = c1.awaitExit(RUN_TIMEOUT);
                second = c2.awaitExit(RUN_TIMEOUT);
            }
            server = s.awaitExit(RUN_TIMEOUT);
        }
        for (ProcessResult r : List.of(server, first, second)) {
            r.assertSuccess();
            assertSucceeded(r);
        }
        List<String> served = connections(server, true);
        List<String> c1 = connections(first, false);
        List<String> c2 = connections(second, false);
        assertEquals(2, served.size(), server::describe);
        assertNotEquals(c1, c2, () -> first.describe() + "\n" + second.describe());
        assertTrue(served.containsAll(c1) && served.containsAll(c2),
                () -> "the server's connections are not the clients':\n" + server.describe() + "\n"
                        + first.describe() + "\n" + second.describe());
    }

    private static void assertSucceeded(ProcessResult r) {
        assertTrue(SUCCESS.matcher(r.output()).find(), () -> "no 'success' line: " + r.describe());
    }

    /**
     * Each connection a pingpong printed, as "server address / client address" whichever side
     * printed it, so that both sides of one connection read the same.
     */
    private static List<String> connections(ProcessResult r, boolean server) {
        List<String> local = all(LOCAL, r);
        List<String> remote = all(REMOTE, r);
        assertEquals(local.size(), remote.size(), r::describe);
        assertFalse(local.isEmpty(), () -> "no addresses: " + r.describe());
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < local.size(); i++) {
            pairs.add(server ? local.get(i) + " / " + remote.get(i) : remote.get(i) + " / " + local.get(i));
        }
        return pairs;
    }

    private static List<String> all(Pattern p, ProcessResult r) {
        List<String> found = new ArrayList<>();
        Matcher m = p.matcher(r.output());
        while (m.find()) {
            found.add(m.group(1).strip());
        }
        return found;
    }
}
