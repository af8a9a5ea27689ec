package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * perftest's RC tests with their default flags, server and client in two containers of one
 * host: the client's table must have a row for the default message size with a positive
 * bandwidth or latency, and both programs must end with status 0.
 */
@ExtendWith(LabExtension.class)
@Timeout(240)
class PerftestIT {
    /** perftest's default message sizes. */
    private static final long BW_SIZE = 65536;
    private static final long LAT_SIZE = 2;
    private static final int PORT = 18515;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);

    @Test
    void sendBandwidth(Lab lab) throws InterruptedException {
        Map<String, Double> row = bandwidth(lab, "ib_send_bw", "sbw");
        assertTrue(row.get("msg_rate") > 0, row::toString);
    }

    @Test
    void writeBandwidth(Lab lab) throws InterruptedException {
        bandwidth(lab, "ib_write_bw", "wbw");
    }

    @Test
    void readBandwidth(Lab lab) throws InterruptedException {
        bandwidth(lab, "ib_read_bw", "rbw");
    }

    @Test
    void sendLatency(Lab lab) throws InterruptedException {
        latency(lab, "ib_send_lat", "slat");
    }

    @Test
    void writeLatency(Lab lab) throws InterruptedException {
        latency(lab, "ib_write_lat", "wlat");
    }

    static Map<String, Double> bandwidth(Lab lab, String tool, String prefix) throws InterruptedException {
        return bandwidth(lab, prefix, BW_SIZE, tool);
    }

    /** {@code command} (a tool and its flags) in a pair; the row of {@code size} bytes. */
    static Map<String, Double> bandwidth(Lab lab, String prefix, long size, String... command)
            throws InterruptedException {
        Pair.Outcome o = pair(lab, prefix, command);
        Map<String, Double> row = row(o, size);
        assertTrue(row.get("iterations") >= 5, () -> "iterations: " + o.describe());
        assertTrue(row.get("bw_average") > 0, () -> "no bandwidth: " + o.describe());
        return row;
    }

    static Map<String, Double> latency(Lab lab, String tool, String prefix) throws InterruptedException {
        return latency(lab, prefix, LAT_SIZE, tool);
    }

    static Map<String, Double> latency(Lab lab, String prefix, long size, String... command)
            throws InterruptedException {
        Pair.Outcome o = pair(lab, prefix, command);
        Map<String, Double> row = row(o, size);
        assertTrue(row.get("iterations") >= 5, () -> "iterations: " + o.describe());
        double min = row.get("t_min");
        double typical = row.get("t_typical");
        double max = row.get("t_max");
        assertTrue(min > 0 && min <= typical && typical <= max,
                () -> "latencies not 0 < min <= typical <= max: " + o.describe());
        assertTrue(row.get("t_avg") > 0, () -> "no average latency: " + o.describe());
        return row;
    }

    private static Pair.Outcome pair(Lab lab, String prefix, String... command) throws InterruptedException {
        String server = prefix + "-srv";
        String[] client = Arrays.copyOf(command, command.length + 1);
        client[command.length] = server;
        return Pair.run(lab, server, prefix + "-cli", PORT, CLIENT_TIMEOUT, command, client)
                .assertBothSucceeded();
    }

    private static Map<String, Double> row(Pair.Outcome o, long size) {
        PerftestReport report = PerftestReport.parse(o.client().output())
                .orElseThrow(() -> new AssertionError("no result table: " + o.describe()));
        return report.row(size)
                .orElseThrow(() -> new AssertionError("no row for " + size + " bytes: " + o.describe()));
    }
}
