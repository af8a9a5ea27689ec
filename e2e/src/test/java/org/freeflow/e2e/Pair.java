package org.freeflow.e2e;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A server and a client in two containers of the lab, the way RDMA programs meet: the server
 * starts and listens on its TCP port (18515 for perftest and the pingpongs), the client is
 * given the server container's name.
 */
public final class Pair {
    /** How long a server may take from start to listening (it opens the device first). */
    static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);
    /** A client whose server has ended is given this long to end too (it may wait forever). */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(10);
    private static final int CLOCK_RETRIES = 2;
    private static final Pattern CLOCK_LOST = Pattern.compile("Correlation coefficient r\\^2: \\S+ < 0\\.9");

    public record Outcome(ProcessResult server, ProcessResult client) {
        public String describe() {
            return client.describe() + "\n" + server.describe();
        }

        /** Both programs ended by themselves with status 0. */
        public Outcome assertBothSucceeded() {
            if (client.timedOut() || client.exitCode() != 0 || server.timedOut() || server.exitCode() != 0) {
                throw new AssertionError("client and server must both exit 0:\n" + describe());
            }
            return this;
        }
    }

    private Pair() {
    }

    /**
     * Starts {@code serverCommand} in container {@code server}, waits for {@code port}, runs
     * {@code clientCommand} in container {@code client} (at most {@code clientTimeout}, less if
     * the server ends first), then waits for the server to end.
     */
    public static Outcome run(Lab lab, String server, String client, int port, Duration clientTimeout,
            String[] serverCommand, String[] clientCommand) throws InterruptedException {
        return run(lab, lab.container(server), lab.container(client), port, clientTimeout, serverCommand,
                clientCommand);
    }

    /**
     * As {@link #run(Lab, String, String, int, Duration, String[], String[])}, the containers on their hosts.
     * A perftest that gave up on calibrating its own CPU clock ({@link #lostItsClock}) runs again, twice at
     * most: the busy waits it times were preempted, which says nothing of the data path.
     */
    public static Outcome run(Lab lab, Lab.Container server, Lab.Container client, int port, Duration clientTimeout,
            String[] serverCommand, String[] clientCommand) throws InterruptedException {
        Outcome o = runOnce(lab, server, client, port, clientTimeout, serverCommand, clientCommand);
        for (int again = 0; again < CLOCK_RETRIES && (lostItsClock(o.client()) || lostItsClock(o.server())); again++) {
            System.err.println("perftest could not calibrate its CPU clock (preempted): running "
                    + String.join(" ", clientCommand) + " again");
            o = runOnce(lab, server, client, port, clientTimeout, serverCommand, clientCommand);
        }
        return o;
    }

    /**
     * True when {@code side} is a perftest that exited 1 after its CPU-clock calibration failed: it prints
     * "Correlation coefficient r^2: R &lt; 0.9" and "Can't produce a report" (get_cpu_mhz) when other work
     * preempted the busy waits it times.
     */
    static boolean lostItsClock(ProcessResult side) {
        return !side.timedOut() && side.exitCode() == 1 && CLOCK_LOST.matcher(side.output()).find()
                && side.output().contains("Can't produce a report");
    }

    private static Outcome runOnce(Lab lab, Lab.Container server, Lab.Container client, int port,
            Duration clientTimeout, String[] serverCommand, String[] clientCommand) throws InterruptedException {
        try (LabProcess s = server.start(serverCommand)) {
            lab.waitPort(server.name(), port, LISTEN_TIMEOUT, s);
            ProcessResult c;
            try (LabProcess cp = client.start(clientCommand)) {
                long deadline = System.nanoTime() + clientTimeout.toNanos();
                long serverGone = 0;
                while (cp.isAlive() && System.nanoTime() < deadline) {
                    if (!s.isAlive()) {
                        if (serverGone == 0) {
                            serverGone = System.nanoTime();
                        } else if (System.nanoTime() - serverGone > ORPHAN_GRACE.toNanos()) {
                            break;
                        }
                    }
                    Thread.sleep(100);
                }
                c = cp.awaitExit(Duration.ZERO);
            }
            boolean clientOk = !c.timedOut() && c.exitCode() == 0;
            ProcessResult sr = s.awaitExit(Duration.ofSeconds(clientOk ? 15 : 5));
            return new Outcome(sr, c);
        }
    }
}
