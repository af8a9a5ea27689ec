package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Unreliable connected QPs with unmodified programs: ibv_uc_pingpong (default, with its data
 * check, in event mode), perftest's SEND and WRITE tests with {@code -c UC}, qperf's UC
 * tests; server and client in two containers of one host.
 */
@ExtendWith(LabExtension.class)
@Timeout(400)
class UcIT {
    private static final long BW_SIZE = 65536;
    private static final long LAT_SIZE = 2;

    @Test
    void pingPong(Lab lab) throws InterruptedException {
        RcPingPongIT.assertPingPong(RcPingPongIT.pingPong(lab, "ucpp", "ibv_uc_pingpong"));
    }

    @Test
    void pingPongWithDataCheck(Lab lab) throws InterruptedException {
        RcPingPongIT.assertPingPong(RcPingPongIT.pingPong(lab, "ucppc", "ibv_uc_pingpong", "-c"));
    }

    @Test
    void pingPongInEventMode(Lab lab) throws InterruptedException {
        RcPingPongIT.assertPingPong(RcPingPongIT.pingPong(lab, "ucppe", "ibv_uc_pingpong", "-e"));
    }

    @Test
    void sendBandwidth(Lab lab) throws InterruptedException {
        Map<String, Double> row = PerftestIT.bandwidth(lab, "ucsbw", BW_SIZE, "ib_send_bw", "-c", "UC");
        assertTrue(row.get("msg_rate") > 0, row::toString);
    }

    @Test
    void writeBandwidth(Lab lab) throws InterruptedException {
        PerftestIT.bandwidth(lab, "ucwbw", BW_SIZE, "ib_write_bw", "-c", "UC");
    }

    @Test
    void sendLatency(Lab lab) throws InterruptedException {
        PerftestIT.latency(lab, "ucslat", LAT_SIZE, "ib_send_lat", "-c", "UC");
    }

    @Test
    void writeLatency(Lab lab) throws InterruptedException {
        PerftestIT.latency(lab, "ucwlat", LAT_SIZE, "ib_write_lat", "-c", "UC");
    }

    /** uc_bw may lose messages (UC has no flow control): it must still report both rates. */
    @Test
    void qperfBandwidthAndLatency(Lab lab) throws InterruptedException {
        ProcessResult r = Qperf.run(lab, "quc", "uc_bw", "uc_lat");
        Qperf.positive(r, "uc_bw", "send_bw");
        Qperf.positive(r, "uc_bw", "recv_bw");
        Qperf.positive(r, "uc_lat", "latency");
    }
}
