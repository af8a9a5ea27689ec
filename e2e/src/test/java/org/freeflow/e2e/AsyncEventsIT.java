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
 * native/target/tests/ff_async: asynchronous events through the router (COMM_EST, QP_ACCESS_ERR on the
 * responder of a WRITE with a wrong rkey, none for the app's own ERR, blocking and non-blocking async_fd,
 * destroy waiting for acks, SQ_DRAINED), each reported as a PASS or FAIL line; with {@code --port}, the
 * port events while this test takes the container's port down and up with {@code ./freeflow lab port}.
 */
@ExtendWith(LabExtension.class)
@Timeout(180)
class AsyncEventsIT {
    private static final String[] EXPECTED = {"comm_est_on_responder_qp", "qp_access_err_on_responder",
        "requester_learns_by_completion_only", "get_blocks_while_none_pending", "destroy_waits_for_ack",
        "app_err_no_event_requester", "unread_event_dropped_with_its_qp", "sqd_completes_what_was_posted",
        "sq_drained_on_the_qp", "query_sqd_drained", "write_after_sqd"};
    private static final String[] PORT_EXPECTED = {"port_down_event_on_every_context",
        "port_down_event_on_the_other_one", "query_port_down", "write_while_port_down",
        "port_up_event_on_every_context", "port_up_event_on_the_other_one", "query_port_up", "write_while_port_up"};
    private static final Duration STEP = Duration.ofSeconds(30);

    @Test
    void asyncEventsPass(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_async").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_async")), () -> program + " is not built");
        ProcessResult r = lab.container("ff-async").run(Duration.ofSeconds(60), program).assertSuccess();
        assertPassed(r, EXPECTED);
    }

    @Test
    void portDownAndUpReachEveryContext(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_async").toString();
        try (LabProcess p = lab.container("ff-port").start(program, "--port")) {
            assertTrue(p.awaitOutput(Pattern.compile("(?m)^READY port_down$"), STEP), () -> p.output());
            lab.admin(STEP, "port", "--name", "ff-port", "down").assertSuccess();
            assertTrue(p.awaitOutput(Pattern.compile("(?m)^READY port_up$"), STEP), () -> p.output());
            lab.admin(STEP, "port", "--name", "ff-port", "up").assertSuccess();
            assertPassed(p.awaitExit(STEP).assertSuccess(), PORT_EXPECTED);
        }
    }

    private static void assertPassed(ProcessResult r, String[] checks) {
        for (String check : checks) {
            assertTrue(Pattern.compile("(?m)^PASS " + check + "$").matcher(r.output()).find(),
                    () -> "no PASS " + check + ": " + r.describe());
        }
        assertFalse(Pattern.compile("(?m)^FAIL\\b").matcher(r.output()).find(), () -> "a FAIL line: " + r.describe());
    }
}
