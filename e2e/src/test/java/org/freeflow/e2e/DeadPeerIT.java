package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A peer that dies in the middle of a transfer ends its partner's work requests as an IB
 * error completion (the transport retries run out: IBV_WC_RETRY_EXC_ERR, status 12), not as
 * a hang; and the router goes on serving new pairs.
 */
@ExtendWith(LabExtension.class)
@Timeout(240)
class DeadPeerIT {
    private static final String SERVER = "dead-srv";
    private static final String CLIENT = "dead-cli";
    /** Far longer than the test waits: a client that ends early ended because of the error. */
    private static final String DURATION = "60";

    @Test
    void partnerOfADeadPeerGetsAnErrorCompletion(Lab lab) throws InterruptedException {
        try (LabProcess server = lab.container(SERVER).start("stdbuf", "-oL", "ib_send_bw", "-D", DURATION)) {
            lab.waitPort(SERVER, 18515, Pair.LISTEN_TIMEOUT, server);
            try (LabProcess client = lab.container(CLIENT)
                    .start("stdbuf", "-oL", "ib_send_bw", "-D", DURATION, SERVER)) {
                assertTrue(client.awaitOutput(Pattern.compile("#bytes"), Duration.ofSeconds(30)),
                        () -> "the pair did not start:\n" + client.output() + "\n" + server.output());

                ProcessResult killed = server.awaitExit(Duration.ZERO);
                assertTrue(killed.timedOut(), () -> "the server was to be stopped mid-run: " + killed.describe());

                ProcessResult c = client.awaitExit(Duration.ofSeconds(30));
                assertFalse(c.timedOut(), () -> "the client hung after its peer died: " + c.describe());
                assertNotEquals(0, c.exitCode(), () -> "the client must fail: " + c.describe());
                assertTrue(c.output().contains("Completion with error") && c.output().contains("status 12"),
                        () -> "expected an IBV_WC_RETRY_EXC_ERR completion: " + c.describe());
            }
        }
        Pair.Outcome after = Pair.run(lab, SERVER, CLIENT, 18515, Duration.ofSeconds(60),
                new String[] {"ib_write_lat"}, new String[] {"ib_write_lat", SERVER});
        after.assertBothSucceeded();
    }
}
