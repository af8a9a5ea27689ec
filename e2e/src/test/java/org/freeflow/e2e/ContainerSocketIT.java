package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A container's socket admits its own processes only: a process of container A that
 * points FREEFLOW_SOCKET at container B's socket cannot open the device, and the router
 * logs the refusal naming both; A's and B's own programs work.
 */
@ExtendWith(LabExtension.class)
@Timeout(120)
class ContainerSocketIT {
    private static final String A = "sock-a";
    private static final String B = "sock-b";

    @Test
    void anotherContainersSocketRefusesTheConnection(Lab lab) throws InterruptedException {
        try (LabProcess b = lab.container(B).start("sleep", "60")) {
            String socketOfB = waitForSocket(lab, B);
            ProcessResult intruder = lab.container(A).run(Duration.ofSeconds(30), "sh", "-c",
                    "FREEFLOW_SOCKET=\"$0\" exec ibv_devinfo", socketOfB);
            assertTrue(intruder.exitCode() != 0, () -> "B's socket let A in: " + intruder.describe());
            assertFalse(intruder.output().contains("PORT_ACTIVE"), intruder::describe);
            assertRouterLogged(lab, Pattern.compile("(?m)^.*ERROR.*container " + B + ".*refused a connection from pid"
                    + ".*netns.*admits netns.*$"));

            lab.container(A).run(Duration.ofSeconds(30), "ibv_devinfo").assertSuccess();
            ProcessResult own = lab.container(B).exec("ibv_devinfo").awaitExit(Duration.ofSeconds(30)).assertSuccess();
            assertTrue(own.output().contains("PORT_ACTIVE"), own::describe);
            assertTrue(b.isAlive(), "B's container stayed up for the test");
        }
    }

    private static String waitForSocket(Lab lab, String container) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String socket = lab.inspect(container).get("socket");
                if (socket != null && !socket.isEmpty()) {
                    return socket;
                }
            } catch (AssertionError notYet) {
                // lab inspect fails until the container is made
            }
            Thread.sleep(200);
        }
        throw new AssertionError("container " + container + " has no socket");
    }

    static void assertRouterLogged(Lab lab, Pattern line) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String log = lab.routerLog(Lab.DEFAULT_HOST);
        while (!line.matcher(log).find() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            log = lab.routerLog(Lab.DEFAULT_HOST);
        }
        String last = log;
        assertTrue(line.matcher(log).find(), () -> "no line " + line + " in the router log:\n"
                + last.substring(Math.max(0, last.length() - 6000)));
    }
}
