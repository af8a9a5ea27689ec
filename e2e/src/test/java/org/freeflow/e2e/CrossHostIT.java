package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.freeflow.e2e.ConformanceMatrix.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows of the conformance matrix with the server in a container on h2 and the client in one
 * on h1 of a two-host lab of its own: every work request crosses from one router to the other
 * through the tcp transport. The rows are checked as {@link ConformanceIT} checks them (the
 * pingpongs with {@code -c} check every buffer they receive); their table goes to
 * target/conformance-matrix-cross-host.txt.
 */
class CrossHostIT {
    /** The rows run across hosts (the matrix's ids). */
    static final Set<String> ROWS = Set.of(
            "ibverbs-utils/ibv_rc_pingpong -c",
            "ibverbs-utils/ibv_rc_pingpong -c -e",
            "ibverbs-utils/ibv_uc_pingpong -c",
            "ibverbs-utils/ibv_ud_pingpong -c",
            "ibverbs-utils/ibv_srq_pingpong -c",
            "perftest/ib_send_bw",
            "perftest/ib_send_bw -c UD",
            "perftest/ib_write_bw",
            "perftest/ib_read_bw",
            "perftest/ib_atomic_bw",
            "perftest/ib_send_lat",
            "perftest/ib_write_lat",
            "perftest/ib_read_lat");

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
        List<Row> rows = ConformanceMatrix.load().stream().filter(r -> ROWS.contains(r.id())).toList();
        assertTrue(rows.size() == ROWS.size(), () -> "rows not in the matrix: " + ROWS + " vs " + rows);
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @Timeout(300)
    void clientOnOneHostServerOnTheOther(Row row) throws InterruptedException {
        String tag = "cx" + Integer.toHexString(row.id().hashCode() & 0xfffff);
        ConformanceIT.run(lab, row, lab.container(tag + "-s").onHost("h2"), lab.container(tag + "-c").onHost("h1"));
    }
}
