package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hostile container (native/target/tests/ff_hostile, public verbs API only) jams the fds
 * the router signals (its async_fd and its own completion channel: blocking, never read) and
 * makes the router signal both over and over: COMM_EST on QPs in RTR, completions on a CQ
 * armed on that channel.  Meanwhile another pair runs ib_send_bw and ibv_rc_pingpong -c on
 * the same router, and new containers attach and run ibv_devinfo: all of them finish
 * normally, and the hostile container finishes its own loop too (it lost its own wake-ups
 * only).
 */
@ExtendWith(LabExtension.class)
@Timeout(300)
class HostileContainerIT {
    private static final String HOSTILE = "hostile";

    @Test
    void aContainerJammingItsFdsStallsNobody(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_hostile").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_hostile")), () -> program + " is not built");
        try (LabProcess hostile = lab.container(HOSTILE).start("stdbuf", "-oL", program, "--seconds", "60")) {
            assertTrue(hostile.awaitOutput(Pattern.compile("(?m)^PASS self_connected_pair$"), Duration.ofSeconds(30)),
                    () -> "the hostile container did not get going:\n" + hostile.output());

            Pair.Outcome sendBw = Pair.run(lab, "hc-bw-srv", "hc-bw-cli", 18515, Duration.ofSeconds(60),
                    new String[] {"ib_send_bw"}, new String[] {"ib_send_bw", "hc-bw-srv"}).assertBothSucceeded();
            PerftestReport report = PerftestReport.parse(sendBw.client().output())
                    .orElseThrow(() -> new AssertionError("no result table: " + sendBw.describe()));
            assertTrue(report.row(65536).map(r -> r.get("bw_average") > 0).orElse(false), sendBw::describe);

            RcPingPongIT.assertPingPong(RcPingPongIT.pingPong(lab, "hc-pp", "ibv_rc_pingpong", "-c"));

            for (int i = 1; i <= 3; i++) {
                ProcessResult devinfo = lab.container("hc-new-" + i).run(Duration.ofSeconds(30), "ibv_devinfo")
                        .assertSuccess();
                assertTrue(devinfo.output().contains("PORT_ACTIVE"), devinfo::describe);
            }
            assertTrue(hostile.isAlive(), () -> "the hostile container ended before the others were done; "
                    + "the test proves nothing:\n" + hostile.output());
            ProcessResult h = hostile.awaitExit(Duration.ofSeconds(90)).assertSuccess();
            assertTrue(h.output().contains("hostile: ") && h.output().contains(" 0 failed"), h::describe);
            assertTrue(h.output().contains("PASS router_signalled_channel"), h::describe);
        }
    }
}
