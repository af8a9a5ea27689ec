package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Garbage on a container's socket (native/target/tests/ff_badclient) costs that connection
 * only: the router logs an error naming the container and closes it, and a perftest pair
 * ({@code ib_write_bw -D 8}) running at the same time on the same router finishes normally.
 */
@ExtendWith(LabExtension.class)
@Timeout(240)
class BadClientIT {
    private static final String SERVER = "bad-srv";
    private static final String CLIENT = "bad-cli";
    private static final String ATTACKER = "bad-actor";
    /** Seconds the pair runs: long enough to overlap the bad client with room to spare. */
    private static final String DURATION = "8";

    @Test
    void garbageOnOneSocketDoesNotDisturbOthers(Lab lab) throws InterruptedException {
        String badclient = lab.nativeTest("ff_badclient").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_badclient")), () -> badclient + " is not built");
        try (LabProcess server = lab.container(SERVER).start("stdbuf", "-oL", "ib_write_bw", "-D", DURATION)) {
            lab.waitPort(SERVER, 18515, Pair.LISTEN_TIMEOUT, server);
            try (LabProcess client = lab.container(CLIENT).start("stdbuf", "-oL", "ib_write_bw", "-D", DURATION, SERVER)) {
                // the table's header is printed when the measurement starts (stdbuf: line by line,
                // not all at exit as a program writing to a file would)
                assertTrue(client.awaitOutput(Pattern.compile("#bytes"), Duration.ofSeconds(30)),
                        () -> "the pair did not start:\n" + client.output() + "\n" + server.output());

                ProcessResult bad = lab.container(ATTACKER)
                        .run(Duration.ofSeconds(30), "sh", "-c", "exec \"$0\" \"$FREEFLOW_SOCKET\"", badclient)
                        .assertSuccess();
                assertTrue(bad.output().contains("disconnected"), () -> "not disconnected: " + bad.describe());
                boolean overlapped = client.isAlive();
                assertRouterLoggedError(lab);

                if (!overlapped) {
                    ProcessResult early = client.awaitExit(Duration.ZERO);
                    if (early.exitCode() != 0) {
                        fail("the pair failed while the bad client ran: " + early.describe() + "\n"
                                + server.awaitExit(Duration.ofSeconds(5)).describe());
                    }
                    fail("the pair ended before the bad client was done; the test proves nothing:\n" + bad.describe() + "\n"
                            + early.describe());
                }
                ProcessResult c = client.awaitExit(Duration.ofSeconds(30));
                ProcessResult s = server.awaitExit(Duration.ofSeconds(c.exitCode() == 0 ? 15 : 5));
                new Pair.Outcome(s, c).assertBothSucceeded();
                PerftestReport report = PerftestReport.parse(c.output())
                        .orElseThrow(() -> new AssertionError("no result table: " + c.describe()));
                assertTrue(report.row(65536).map(r -> r.get("bw_average") > 0).orElse(false),
                        () -> "no positive bandwidth for 65536 bytes: " + c.describe());
            }
        }
    }

    private static void assertRouterLoggedError(Lab lab) throws InterruptedException {
        Pattern error = Pattern.compile("(?m)^.*ERROR.*" + Pattern.quote(ATTACKER) + ".*$");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String log = lab.routerLog(Lab.DEFAULT_HOST);
        while (!error.matcher(log).find() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            log = lab.routerLog(Lab.DEFAULT_HOST);
        }
        String[] lines = log.split("\n");
        String tail = String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
        assertTrue(error.matcher(log).find(), () -> "no ERROR line naming " + ATTACKER + " in the router log:\n" + tail);
    }
}
