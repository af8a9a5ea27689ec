package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** qperf as it is used: a server that stays up in one container, a client naming tests in another. */
final class Qperf {
    private static final int PORT = 19765;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private Qperf() {
    }

    /**
     * Runs the client with {@code -t 2} and {@code tests} against a fresh server in container
     * {@code prefix-srv}; the client must succeed and the server stay up.
     */
    static ProcessResult run(Lab lab, String prefix, String... tests) throws InterruptedException {
        String server = prefix + "-srv";
        try (LabProcess s = lab.container(server).start("qperf")) {
            lab.waitPort(server, PORT, Pair.LISTEN_TIMEOUT, s);
            String[] command = new String[tests.length + 4];
            command[0] = "qperf";
            command[1] = "-t";
            command[2] = "2";
            command[3] = server;
            System.arraycopy(tests, 0, command, 4, tests.length);
            ProcessResult c = lab.container(prefix + "-cli").run(CLIENT_TIMEOUT, command).assertSuccess();
            assertTrue(s.isAlive(), () -> "the qperf server died: " + s.output());
            return c;
        }
    }

    /**
     * The figure {@code name} (e.g. msg_rate, bw, latency) that test {@code test} printed, in
     * the unit qperf chose; it must be there and positive.
     */
    static double positive(ProcessResult r, String test, String name) {
        // the test's own section: its name at column 0, then indented lines up to the next name
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(test) + ":\\n(?:[ \\t]+.*\\n)*?[ \\t]+"
                + Pattern.quote(name) + "\\s+=\\s+([\\d.]+) ").matcher(r.output());
        assertTrue(m.find(), () -> "no " + name + " for " + test + ": " + r.describe());
        double v = Double.parseDouble(m.group(1));
        assertTrue(v > 0, () -> test + " " + name + " is not positive: " + r.describe());
        return v;
    }
}
