package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The parser against tables laid out with perftest 4.5's own format strings. */
class PerftestReportTest {

    private static final String DASH = "---------------------------------------------------------------------------------------";

    @Test
    void bandwidthTable() {
        String out = String.join("\n",
                "                    Send BW Test",
                " Dual-port       : OFF\t\tDevice         : freeflow0",
                DASH,
                " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]",
                String.format(" %-7d    %-10d       %-7.2f            %-7.2f\t\t   %-7.6f", 65536, 1000, 9187.32, 9186.41, 0.146982),
                DASH);
        PerftestReport r = PerftestReport.parse(out).orElseThrow();
        assertEquals(List.of("bytes", "iterations", "bw_peak", "bw_average", "msg_rate"), r.columns());
        Map<String, Double> row = r.row(65536).orElseThrow();
        assertEquals(1000.0, row.get("iterations"));
        assertEquals(9186.41, row.get("bw_average"), 1e-9);
        assertEquals(0.146982, row.get("msg_rate"), 1e-9);
    }

    @Test
    void latencyTable() {
        String out = String.join("\n",
                "                    Write Latency Test",
                DASH,
                " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] ",
                String.format(" %-7d %d          %-7.2f        %-7.2f      %-7.2f  \t       %-7.2f     \t%-7.2f\t\t%-7.2f \t\t%-7.2f",
                        2, 1000, 1.01, 9.87, 1.20, 1.31, 0.22, 2.50, 9.87),
                DASH);
        PerftestReport r = PerftestReport.parse(out).orElseThrow();
        Map<String, Double> row = r.row(2).orElseThrow();
        assertEquals(List.of("bytes", "iterations", "t_min", "t_max", "t_typical", "t_avg", "t_stdev", "p99", "p99_9"),
                r.columns());
        assertEquals(1.20, row.get("t_typical"), 1e-9);
        assertEquals(9.87, row.get("p99_9"), 1e-9);
    }

    @Test
    void durationTables() {
        String bw = String.join("\n",
                " #bytes     #iterations    BW peak[Gb/sec]    BW average[Gb/sec]   MsgRate[Mpps]",
                String.format(" %-7d    %d           %-7.6f            %-7.6f            %-7.6f", 65536, 123456, 0.0, 35.5, 0.0677),
                DASH);
        assertEquals(35.5, PerftestReport.parse(bw).orElseThrow().row(65536).orElseThrow().get("bw_average"), 1e-9);
        String lat = String.join("\n",
                " #bytes        #iterations       t_avg[usec]    tps average",
                String.format(" %-7d       %d            %-7.2f        %-7.2f", 2, 200000, 3.25, 307692.31),
                DASH);
        Map<String, Double> row = PerftestReport.parse(lat).orElseThrow().row(2).orElseThrow();
        assertEquals(3.25, row.get("t_avg"), 1e-9);
        assertEquals(307692.31, row.get("tps_average"), 1e-9);
    }

    @Test
    void noTable() {
        assertTrue(PerftestReport.parse(" Couldn't connect to c2:18515\nUnable to open file descriptor for socket connection")
                .isEmpty());
        PerftestReport headerOnly = PerftestReport.parse(
                " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]\n"
                        + " Completion with error at client\n").orElseThrow();
        assertTrue(headerOnly.rows().isEmpty());
    }
}
