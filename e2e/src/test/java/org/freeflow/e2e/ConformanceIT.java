package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.freeflow.e2e.ConformanceMatrix.Row;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance matrix ({@code conformance.txt}): every unmodified client of
 * perftest, ibverbs-utils and qperf that FreeFlow supports, with the options users run, as
 * a server and a client in two containers of one host. A row passes when both programs end
 * by themselves with status 0 (a qperf server keeps serving) and the client printed its
 * figures: perftest a result table whose every row has a positive message rate or latency, a
 * pingpong its "bytes in" and "iters in" lines (with {@code -c} it has checked every
 * received buffer), ibv_xsrq_pingpong (no figures) its peer's SRQ number and "success" on
 * both sides, qperf a positive result for every test it ran.
 * When the class ends, {@link MatrixReport} prints the table of rows with PASS or FAIL, their
 * seconds and the first line of each failure, and writes it to target/conformance-matrix.txt.
 * docs/verbs-support.md lists the same rows (checked by {@link VerbsSupportDocTest}) and what
 * is not supported.
 */
@ExtendWith(LabExtension.class)
class ConformanceIT {
    private static final Pattern PINGPONG_BYTES = Pattern.compile("(?m)^\\d+ bytes in [\\d.]+ seconds = ([\\d.]+) Mbit/sec$");
    private static final Pattern PINGPONG_ITERS = Pattern.compile("(?m)^\\d+ iters in [\\d.]+ seconds = ([\\d.]+) usec/iter$");
    /** ibv_xsrq_pingpong prints no figures: its peer's address, then "success" once every message came. */
    private static final Pattern XSRQ_REMOTE = Pattern.compile("(?m)^\\s*remote: .*SRQN ([0-9a-f]{6})");
    private static final Pattern XSRQ_SUCCESS = Pattern.compile("(?m)^success$");
    private static final Pattern QPERF_TEST = Pattern.compile("(rc|uc|ud)_[a-z_]+");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MatrixReport REPORT = new MatrixReport("conformance-matrix.txt");

    static Stream<Row> rows() {
        return ConformanceMatrix.load().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Timeout(300)
    void clientRunsThroughTheRouter(Row row, Lab lab) throws InterruptedException {
        String tag = "cf" + Integer.toHexString(row.id().hashCode() & 0xfffff);
        run(lab, row, lab.container(tag + "-s"), lab.container(tag + "-c"));
    }

    /**
     * Runs {@code row}'s server in {@code server} and its client in {@code client} (on the
     * hosts they name) and checks what the client printed, as the class comment says.
     */
    static void run(Lab lab, Row row, Lab.Container server, Lab.Container client) throws InterruptedException {
        run(lab, row, server, client, CLIENT_TIMEOUT);
    }

    /** As {@link #run(Lab, Row, Lab.Container, Lab.Container)}, the client given {@code clientTimeout}. */
    static void run(Lab lab, Row row, Lab.Container server, Lab.Container client, Duration clientTimeout)
            throws InterruptedException {
        String[] clientCommand = row.client().stream().map(w -> w.replace(ConformanceMatrix.SERVER, server.name()))
                .toArray(String[]::new);
        if (row.program().equals("qperf")) {
            qperf(lab, row, server.name(), client.name(), clientCommand, clientTimeout);
            return;
        }
        Pair.Outcome o = Pair.run(lab, server, client, row.port(), clientTimeout,
                row.server().toArray(String[]::new), clientCommand).assertBothSucceeded();
        String out = o.client().output();
        if (row.program().equals("ibv_xsrq_pingpong")) {
            for (ProcessResult side : List.of(o.server(), o.client())) {
                Matcher srqn = XSRQ_REMOTE.matcher(side.output());
                assertTrue(srqn.find() && Integer.parseInt(srqn.group(1), 16) != 0,
                        () -> "no peer SRQ number: " + o.describe());
                assertTrue(XSRQ_SUCCESS.matcher(side.output()).find(), () -> "no 'success': " + o.describe());
            }
            return;
        }
        if (row.program().startsWith("ibv_")) {
            for (Pattern p : List.of(PINGPONG_BYTES, PINGPONG_ITERS)) {
                Matcher m = p.matcher(out);
                assertTrue(m.find() && Double.parseDouble(m.group(1)) > 0, () -> "no " + p + ": " + o.describe());
            }
            return;
        }
        PerftestReport report = PerftestReport.parse(out)
                .orElseThrow(() -> new AssertionError("no result table: " + o.describe()));
        assertFalse(report.rows().isEmpty(), () -> "an empty result table: " + o.describe());
        // a bandwidth row's message rate (Mpps, six decimals): its MB/s has two, and rounds to 0.00 for
        // 2-byte messages below 2500 a second
        String figure = row.program().endsWith("_lat") ? "t_typical" : "msg_rate";
        for (Map<String, Double> r : report.rows()) {
            assertTrue(r.getOrDefault(figure, 0.0) > 0, () -> "no " + figure + " in " + r + ": " + o.describe());
        }
    }

    private static void qperf(Lab lab, Row row, String server, String client, String[] clientCommand,
            Duration clientTimeout) throws InterruptedException {
        ProcessResult c = Qperf.run(lab, server, row.server().toArray(String[]::new), row.port(), client,
                clientCommand, clientTimeout);
        List<String> tests = row.client().stream().filter(w -> QPERF_TEST.matcher(w).matches()).toList();
        assertFalse(tests.isEmpty(), row.id() + ": no qperf test named");
        for (String test : tests) {
            assertTrue(Qperf.figures(c.output(), test).values().stream().anyMatch(v -> v > 0),
                    () -> "no positive figure for " + test + ": " + c.describe());
        }
    }
}
