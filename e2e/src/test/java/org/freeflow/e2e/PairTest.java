package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which failures of a pair are perftest's own clock calibration, run again. */
class PairTest {

    private static final String LOST = "Correlation coefficient r^2: 0.560408 < 0.9\nCan't produce a report\n"
            + "---------------------------------------------------------------------------------------\n";

    private static ProcessResult exited(int status, String output) {
        return new ProcessResult("c", List.of("ib_send_bw"), status, false, output, Duration.ofSeconds(1));
    }

    @Test
    void aPerftestThatLostItsClockCalibrationIsRecognised() {
        assertTrue(Pair.lostItsClock(exited(1, LOST)));
    }

    @Test
    void anyOtherFailureIsNot() {
        assertFalse(Pair.lostItsClock(exited(0, LOST)), "it exited 0");
        assertFalse(Pair.lostItsClock(exited(1, "Can't produce a report\n")), "no r^2 line");
        assertFalse(Pair.lostItsClock(exited(1, "Correlation coefficient r^2: 0.95 < 0.9\n")), "no give-up");
        assertFalse(Pair.lostItsClock(exited(1, " Completion with error at client\n")));
        assertFalse(Pair.lostItsClock(new ProcessResult("c", List.of("ib_send_bw"), 1, true, LOST,
                Duration.ofSeconds(120))), "timed out");
    }
}
