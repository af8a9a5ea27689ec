package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.freeflow.e2e.MatrixReport.Result;
import org.junit.jupiter.api.Test;

class MatrixReportTest {

    @Test
    void aTableWithAFailure() {
        List<String> table = MatrixReport.table("ConformanceIT", List.of(
                new Result("perftest/ib_send_bw", "PASS", 2.34, ""),
                new Result("qperf/ud tests", "FAIL", 61.0,
                        MatrixReport.reason(new AssertionError("\nthe client timed out\nits output:\n...")))));
        assertEquals(List.of(
                "ConformanceIT: 2 rows, 1 passed, 1 did not (63 s)",
                "row                  result    seconds  reason",
                "-------------------  --------  -------  ------",
                "perftest/ib_send_bw  PASS          2.3",
                "qperf/ud tests       FAIL         61.0  the client timed out"), table);
    }

    @Test
    void aLongReasonIsCut() {
        String reason = MatrixReport.reason(new IllegalStateException("x".repeat(500)));
        assertEquals(110, reason.length());
        assertEquals("NullPointerException", MatrixReport.reason(new NullPointerException()));
    }
}
