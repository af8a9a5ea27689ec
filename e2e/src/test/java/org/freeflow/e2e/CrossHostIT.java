package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.freeflow.e2e.ConformanceMatrix.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole conformance matrix with the server in a container on h2 and the
 * client in one on h1 of a two-host lab of its own: every work request crosses from one router to the other
 * through the tcp transport. The rows are checked as {@link ConformanceIT} checks them (the
 * pingpongs with {@code -c} check every buffer they receive); their table goes to
 * target/conformance-matrix-cross-host.txt. Then many QPs at once: ff_manyqp's checksummed
 * SENDs and WRITEs with immediate, counted corrupted, lost, duplicated and reordered.
 */
class CrossHostIT {
    /**
     * What a client may take between hosts: the size sweeps of ib_write_bw (5000 messages per size up to
     * 8 MiB, 80 GB: 71 s) and ib_write_lat (130 s: docs/transport-tcp.md, "Not yet", write latency) run
     * longer than on one host (measured 2026-12-07 on two cores).
     */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(240);

    private static final Pattern TALLY = Pattern.compile("(?m)^manyqp: qps=(\\d+) messages=(\\d+) size=\\d+"
            + " received=(\\d+) corrupted=(\\d+) lost=(\\d+) duplicated=(\\d+) reordered=(\\d+)$");

    @RegisterExtension
    static final MatrixReport REPORT = new MatrixReport("conformance-matrix-cross-host.txt");

    private static Lab lab;

    @BeforeAll
    static void twoHosts() throws Exception {
        lab = LabExtension.ownLab("freeflow.e2e.crossHostLab", "ffx", "freeflow.e2e.crossHostLogs",
                "cross-host", 2);
    }

    @AfterAll
    static void down() throws Exception {
        LabExtension.takeDown(lab);
    }

    static Stream<Row> rows() {
        return ConformanceMatrix.load().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Timeout(300)
    void clientOnOneHostServerOnTheOther(Row row) throws InterruptedException {
        String tag = "cx" + Integer.toHexString(row.id().hashCode() & 0xfffff);
        ConformanceIT.run(lab, row, lab.container(tag + "-s").onHost("h2"), lab.container(tag + "-c").onHost("h1"),
                CLIENT_TIMEOUT);
    }

    /**
     * 16 QPs x 1000 messages of 6000 B, then 4 QPs x 40 of 1 MiB + 3 B (frames larger than the
     * transport's read buffer), c1 on h1 to c2 on h2: every message arrives, intact, once, in order.
     */
    @Test
    @Timeout(300)
    void aChecksummedManyQpTransferLosesCorruptsAndRepeatsNothing() throws InterruptedException {
        for (int[] shape : List.of(new int[] {16, 1000, 6000}, new int[] {4, 40, (1 << 20) + 3})) {
            Matcher tally = manyQp("mq" + shape[0], 0, "--qps", Integer.toString(shape[0]), "--messages",
                    Integer.toString(shape[1]), "--size", Integer.toString(shape[2]));
            assertEquals(shape[0] + " " + shape[1], tally.group(1) + " " + tally.group(2), tally.group());
            assertEquals((long) shape[0] * shape[1], Long.parseLong(tally.group(3)), "received: " + tally.group());
            for (int counter = 4; counter <= 7; counter++) {
                assertEquals("0", tally.group(counter), "corrupted, lost, duplicated, reordered: " + tally.group());
            }
        }
    }

    /** The checker counts: every 10th message of each QP, changed after its checksum, is corrupted, and lost. */
    @Test
    @Timeout(120)
    void theManyQpCheckerCountsCorruptedMessages() throws InterruptedException {
        Matcher tally = manyQp("mqbad", 1, "--qps", "4", "--messages", "100", "--size", "70000",
                "--corrupt-every", "10");
        assertEquals("400", tally.group(3), "received: " + tally.group());
        assertEquals("40", tally.group(4), "corrupted: " + tally.group());
        assertEquals("40", tally.group(5), "lost: " + tally.group());
        assertEquals("0", tally.group(6), "duplicated: " + tally.group());
        assertEquals("0", tally.group(7), "reordered: " + tally.group());
    }

    /** ff_manyqp's receiver on h2 (must exit {@code serverExit}), its sender on h1 with {@code options}: the tally. */
    private static Matcher manyQp(String tag, int serverExit, String... options) throws InterruptedException {
        String program = lab.nativeTest("ff_manyqp").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_manyqp")), () -> program + " is not built");
        try (LabProcess server = lab.container(tag + "-s").onHost("h2").start(program, "--server")) {
            lab.waitPort(tag + "-s", 18519, Pair.LISTEN_TIMEOUT, server);
            List<String> client = new ArrayList<>(List.of(program));
            client.addAll(List.of(options));
            client.add(tag + "-s");
            ProcessResult c = lab.container(tag + "-c").onHost("h1").run(Duration.ofSeconds(200),
                    client.toArray(String[]::new));
            assertEquals(0, c.exitCode(), () -> "every work request completes: " + c.describe());
            ProcessResult r = server.awaitExit(Duration.ofSeconds(30));
            assertEquals(serverExit, r.exitCode(), r::describe);
            Matcher tally = TALLY.matcher(r.output());
            assertTrue(tally.find(), () -> "no tally: " + r.describe());
            return tally;
        }
    }
}
