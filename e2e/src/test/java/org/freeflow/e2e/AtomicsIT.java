package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RC atomics with unmodified programs and their default flags: perftest's atomic tests
 * (FETCH_AND_ADD, CMP_AND_SWAP) and qperf's atomic message rates, server and client in two
 * containers of one host. perftest and qperf stop at the first error completion, so a rate
 * in their report means every atomic completed successfully.
 */
@ExtendWith(LabExtension.class)
@Timeout(300)
class AtomicsIT {
    private static final long ATOMIC_SIZE = 8;

    @Test
    void fetchAndAddBandwidth(Lab lab) throws InterruptedException {
        Map<String, Double> row = PerftestIT.bandwidth(lab, "fab", ATOMIC_SIZE, "ib_atomic_bw");
        assertTrue(row.get("msg_rate") > 0, row::toString);
    }

    @Test
    void compareAndSwapBandwidth(Lab lab) throws InterruptedException {
        Map<String, Double> row = PerftestIT.bandwidth(lab, "cab", ATOMIC_SIZE, "ib_atomic_bw", "-A",
                "CMP_AND_SWAP");
        assertTrue(row.get("msg_rate") > 0, row::toString);
    }

    @Test
    void atomicLatency(Lab lab) throws InterruptedException {
        PerftestIT.latency(lab, "alat", ATOMIC_SIZE, "ib_atomic_lat");
    }

    @Test
    void qperfAtomicRates(Lab lab) throws InterruptedException {
        ProcessResult r = Qperf.run(lab, "qat", "rc_compare_swap_mr", "rc_fetch_add_mr");
        Qperf.positive(r, "rc_compare_swap_mr", "msg_rate");
        Qperf.positive(r, "rc_fetch_add_mr", "msg_rate");
    }
}
