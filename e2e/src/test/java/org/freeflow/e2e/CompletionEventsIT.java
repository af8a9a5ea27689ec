package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Completion channels that really block and wake: native/target/tests/ff_events, then
 * unmodified programs in their event modes (ibv_rc_pingpong -e, ib_send_bw -e, and qperf,
 * whose default is event mode).
 */
@ExtendWith(LabExtension.class)
@Timeout(300)
class CompletionEventsIT {
    private static final Pattern BYTES_LINE = Pattern.compile("(?m)^8192000 bytes in [\\d.]+ seconds = ([\\d.]+) Mbit/sec$");
    private static final Pattern QPERF_BW = Pattern.compile("(?m)^\\s*bw\\s+=\\s+([\\d.]+) ([KMG]B/sec)$");
    private static final Pattern QPERF_LAT = Pattern.compile("(?m)^\\s*latency\\s+=\\s+([\\d.]+) (ns|us|ms)$");

    @Test
    void eventProtocolChecksPass(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_events").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_events")), () -> program + " is not built");
        ProcessResult r = lab.container("ev-check").run(Duration.ofSeconds(120), program).assertSuccess();
        assertTrue(Pattern.compile("(?m)^PASS\\b").matcher(r.output()).find(), () -> "no PASS line: " + r.describe());
        assertFalse(Pattern.compile("(?m)^FAIL\\b").matcher(r.output()).find(), () -> "a FAIL line: " + r.describe());
    }

    @Test
    void rcPingPongInEventMode(Lab lab) throws InterruptedException {
        Pair.Outcome o = Pair.run(lab, "ev-pp-srv", "ev-pp-cli", 18515, Duration.ofSeconds(60),
                new String[] {"ibv_rc_pingpong", "-e", "-c"},
                new String[] {"ibv_rc_pingpong", "-e", "-c", "ev-pp-srv"}).assertBothSucceeded();
        for (ProcessResult r : new ProcessResult[] {o.client(), o.server()}) {
            assertFalse(r.output().contains("invalid data"), () -> "corrupted buffer: " + r.describe());
            Matcher m = BYTES_LINE.matcher(r.output());
            assertTrue(m.find() && Double.parseDouble(m.group(1)) > 0, () -> "no 'bytes in' line: " + r.describe());
        }
    }

    @Test
    void sendBandwidthInEventMode(Lab lab) throws InterruptedException {
        Pair.Outcome o = Pair.run(lab, "ev-bw-srv", "ev-bw-cli", 18515, Duration.ofSeconds(90),
                new String[] {"ib_send_bw", "-e"}, new String[] {"ib_send_bw", "-e", "ev-bw-srv"})
                .assertBothSucceeded();
        PerftestReport report = PerftestReport.parse(o.client().output())
                .orElseThrow(() -> new AssertionError("no result table: " + o.describe()));
        assertTrue(report.row(65536).map(r -> r.get("bw_average") > 0).orElse(false),
                () -> "no positive bandwidth for 65536 bytes: " + o.describe());
    }

    @Test
    void qperfInItsDefaultEventMode(Lab lab) throws InterruptedException {
        try (LabProcess server = lab.container("ev-qperf-srv").start("qperf")) {
            lab.waitPort("ev-qperf-srv", 19765, Pair.LISTEN_TIMEOUT, server);
            ProcessResult c = lab.container("ev-qperf-cli")
                    .run(Duration.ofSeconds(60), "qperf", "-t", "2", "ev-qperf-srv", "rc_bw", "rc_lat")
                    .assertSuccess();
            Matcher bw = QPERF_BW.matcher(c.output());
            assertTrue(bw.find() && Double.parseDouble(bw.group(1)) > 0, () -> "no rc_bw figure: " + c.describe());
            Matcher lat = QPERF_LAT.matcher(c.output());
            assertTrue(lat.find() && Double.parseDouble(lat.group(1)) > 0, () -> "no rc_lat figure: " + c.describe());
            assertTrue(server.isAlive(), () -> "the qperf server died: " + server.output());
        }
    }
}
