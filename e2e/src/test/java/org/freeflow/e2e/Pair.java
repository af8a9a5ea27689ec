package org.freeflow.e2e;

import java.time.Duration;

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

    /** As {@link #run(Lab, String, String, int, Duration, String[], String[])}, the containers on their hosts. */
    public static Outcome run(Lab lab, Lab.Container server, Lab.Container client, int port, Duration clientTimeout,
            String[] serverCommand, String[] clientCommand) throws InterruptedException {
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
