package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A receiver that never polls its CQ (native/target/tests/ff_nopoll --server): its RC sender
 * gets an error completion within the QP's timeouts and the receiver's owner gets
 * IBV_EVENT_CQ_ERR (the CQ overran); a UD sender to such a receiver completes every send.
 */
@ExtendWith(LabExtension.class)
@Timeout(240)
class NeverPollingReceiverIT {
    /** ff_nopoll's default port. */
    private static final int PORT = 18517;

    @Test
    void rcSenderFailsAndTheReceiverGetsCqErr(Lab lab) throws InterruptedException {
        Pair.Outcome o = run(lab, "np-rc");
        assertTrue(o.client().output().contains("nopoll: sender error"), o::describe);
        assertTrue(o.server().output().contains("nopoll: IBV_EVENT_CQ_ERR"), o::describe);
    }

    @Test
    void udSenderIsNotStalled(Lab lab) throws InterruptedException {
        Pair.Outcome o = run(lab, "np-ud", "--ud");
        assertTrue(o.client().output().contains("nopoll: ud sender completed"), o::describe);
    }

    private static Pair.Outcome run(Lab lab, String prefix, String... flags) throws InterruptedException {
        String program = lab.nativeTest("ff_nopoll").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_nopoll")), () -> program + " is not built");
        String server = prefix + "-srv";
        String[] serverCommand = concat(new String[] {program, "--server"}, flags);
        String[] clientCommand = concat(concat(new String[] {program}, flags), new String[] {server});
        return Pair.run(lab, server, prefix + "-cli", PORT, Duration.ofSeconds(90), serverCommand, clientCommand)
                .assertBothSucceeded();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
