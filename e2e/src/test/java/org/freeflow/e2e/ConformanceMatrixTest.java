package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.StringReader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.freeflow.e2e.ConformanceMatrix.Row;
import org.junit.jupiter.api.Test;

/** conformance.txt itself, and the docs table rendered from it: exactly the matrix's runs. */
class ConformanceMatrixTest {

    private static final String SAMPLE = String.join("\n",
            "# a comment",
            "p/ib_send_bw | 1 | ib_send_bw | ib_send_bw {server}",
            "p/ib_send_bw -a | 1 | ib_send_bw -a | ib_send_bw -a {server}",
            "",
            "q/rc | 2 | qperf | qperf -t 1 {server} rc_bw rc_lat",
            "q/rc cp | 2 | qperf | qperf -t 1 -cp 1 {server} rc_bw rc_lat",
            "q/ud | 2 | qperf | qperf -t 1 {server} ud_bw",
            "q/ud cp | 2 | qperf | qperf -t 1 -cp 1 {server} ud_bw",
            "q/uc | 2 | qperf | qperf -t 1 {server} uc_bw",
            "x/ibv_xsrq_pingpong | 3 | ibv_xsrq_pingpong | ibv_xsrq_pingpong {server}",
            "x/ibv_xsrq_pingpong -c | 3 | ibv_xsrq_pingpong -c | ibv_xsrq_pingpong -c {server}");

    @Test
    void theMatrixIsWellFormed() {
        List<Row> rows = ConformanceMatrix.load();
        assertFalse(rows.isEmpty());
        assertEquals(rows.size(), rows.stream().map(Row::id).distinct().count(), "ids must be unique");
        assertEquals(rows.size(), rows.stream().map(Row::client).distinct().count(), "client commands must be unique");
        for (Row row : rows) {
            row.options(); // the client is given {server}
            assertEquals(row.server().get(0), row.program(), row.id() + ": server and client run one program");
        }
    }

    @Test
    void renderingOfASampleMatrix() throws IOException {
        List<Row> rows = ConformanceMatrix.parse(new StringReader(SAMPLE));
        assertEquals(List.of(
                "9 rows:",
                "",
                "| program | options |",
                "|---|---|",
                "| `ib_send_bw` | defaults, `-a` |",
                "| `qperf` with `rc_bw`, `rc_lat`, `ud_bw` | `-t 1`, `-t 1 -cp 1` |",
                "| `qperf` with `uc_bw` | `-t 1` |",
                "| `ibv_xsrq_pingpong` | defaults, `-c` |"), SupportTable.render(rows));
        assertEquals(runs(rows), claims(SupportTable.render(rows)));
    }

    @Test
    void theRenderedTableClaimsExactlyWhatTheMatrixRuns() {
        List<Row> rows = ConformanceMatrix.load();
        assertEquals(runs(rows), claims(SupportTable.render(rows)));
    }

    /** program, options, operand (empty for none) of every run of the matrix. */
    private static Set<List<String>> runs(List<Row> rows) {
        Set<List<String>> runs = new HashSet<>();
        for (Row row : rows) {
            String options = String.join(" ", row.options());
            for (String operand : row.operands().isEmpty() ? List.of("") : row.operands()) {
                runs.add(List.of(row.program(), options, operand));
            }
        }
        return runs;
    }

    /** The same, read back from the table's lines: every option with every operand of a line. */
    private static Set<List<String>> claims(List<String> table) {
        Set<List<String>> claims = new HashSet<>();
        for (String line : table.subList(4, table.size())) {
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
            String[] name = cells[0].split(" with ");
            List<String> operands = name.length == 1 ? List.of("") : List.of(unquote(name[1]).split(", "));
            for (String option : unquote(cells[1]).split(", ")) {
                for (String operand : operands) {
                    claims.add(List.of(unquote(name[0]), option.equals(SupportTable.DEFAULTS) ? "" : option, operand));
                }
            }
        }
        return claims;
    }

    private static String unquote(String text) {
        return text.replace("`", "");
    }
}
