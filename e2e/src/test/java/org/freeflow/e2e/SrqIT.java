package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * native/target/tests/ff_srq: shared receive queues through the router (two QPs on one SRQ, the
 * SRQ_LIMIT_REACHED event once, EBUSY destroy, LAST_WQE_REACHED without a flush of the SRQ's
 * receives), each reported as a PASS or FAIL line.
 */
@ExtendWith(LabExtension.class)
@Timeout(180)
class SrqIT {
    private static final String[] EXPECTED = {"device_offers_srq", "post_recv_on_srq_qp_einval",
        "send_lands_in_srq_receive", "second_qp_takes_next_srq_receive", "srq_limit_reached_on_the_srq",
        "limit_disarmed", "limit_event_only_once", "destroy_srq_in_use_ebusy", "resize_eopnotsupp",
        "last_wqe_reached_on_err", "srq_receives_not_flushed", "other_qp_still_receives", "destroy_srq"};

    @Test
    void sharedReceiveQueuesPass(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_srq").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_srq")), () -> program + " is not built");
        ProcessResult r = lab.container("ff-srq").run(Duration.ofSeconds(60), program).assertSuccess();
        for (String check : EXPECTED) {
            assertTrue(Pattern.compile("(?m)^PASS " + check + "$").matcher(r.output()).find(),
                    () -> "no PASS " + check + ": " + r.describe());
        }
        assertFalse(Pattern.compile("(?m)^FAIL\\b").matcher(r.output()).find(), () -> "a FAIL line: " + r.describe());
    }
}
