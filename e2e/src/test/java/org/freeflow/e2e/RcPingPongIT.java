package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** ibv_rc_pingpong with buffer validation (-c): SEND/RECV both ways, data checked by the program. */
@ExtendWith(LabExtension.class)
@Timeout(180)
class RcPingPongIT {
    /** Defaults of ibv_rc_pingpong: 4096 bytes, 1000 iterations, both directions. */
    private static final long BYTES = 4096L * 1000 * 2;

    private static final Pattern BYTES_LINE =
            Pattern.compile("(?m)^(\\d+) bytes in ([\\d.]+) seconds = ([\\d.]+) Mbit/sec$");
    private static final Pattern ITERS_LINE =
            Pattern.compile("(?m)^(\\d+) iters in ([\\d.]+) seconds = ([\\d.]+) usec/iter$");
    private static final Pattern LOCAL = Pattern.compile("local address:\\s+LID (0x[0-9a-f]+), QPN (0x[0-9a-f]+)");
    private static final Pattern REMOTE = Pattern.compile("remote address:\\s+LID (0x[0-9a-f]+), QPN (0x[0-9a-f]+)");

    @Test
    void pingPongWithDataCheck(Lab lab) throws InterruptedException {
        assertPingPong(pingPong(lab, "pp", "ibv_rc_pingpong", "-c"));
    }

    /** {@code command} (a pingpong and its flags) as server in {@code prefix-srv} and as client. */
    static Pair.Outcome pingPong(Lab lab, String prefix, String... command) throws InterruptedException {
        String server = prefix + "-srv";
        String[] client = Arrays.copyOf(command, command.length + 1);
        client[command.length] = server;
        return Pair.run(lab, server, prefix + "-cli", 18515, Duration.ofSeconds(40), command, client)
                .assertBothSucceeded();
    }

    /**
     * Both sides report the default traffic with a positive rate, no corrupted buffer, and
     * each talked to the other's QP.
     */
    static void assertPingPong(Pair.Outcome o) {
        for (ProcessResult r : new ProcessResult[] {o.client(), o.server()}) {
            assertFalse(r.output().contains("invalid data"), () -> "corrupted buffer: " + r.describe());
            Matcher bytes = BYTES_LINE.matcher(r.output());
            assertTrue(bytes.find(), () -> "no 'bytes in' line: " + r.describe());
            assertEquals(BYTES, Long.parseLong(bytes.group(1)), () -> r.describe());
            assertTrue(Double.parseDouble(bytes.group(3)) > 0, () -> "no throughput: " + r.describe());
            Matcher iters = ITERS_LINE.matcher(r.output());
            assertTrue(iters.find(), () -> "no 'iters in' line: " + r.describe());
            assertEquals(1000, Integer.parseInt(iters.group(1)), () -> r.describe());
        }
        // each side talked to the other's QP
        assertEquals(address(LOCAL, o.server()), address(REMOTE, o.client()), o::describe);
        assertEquals(address(LOCAL, o.client()), address(REMOTE, o.server()), o::describe);
    }

    private static String address(Pattern p, ProcessResult r) {
        Matcher m = p.matcher(r.output());
        assertTrue(m.find(), () -> "no " + p + ": " + r.describe());
        return "LID " + m.group(1) + " QPN " + m.group(2);
    }
}
