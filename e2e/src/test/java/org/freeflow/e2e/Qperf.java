package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** qperf as it is used: a server that stays up in one container, a client naming tests in another. */
final class Qperf {
    static final int PORT = 19765;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern TEST = Pattern.compile("[a-z_]+:");
    private static final Pattern FIGURE = Pattern.compile("^\\s+([a-z_]+)\\s+=\\s+([\\d.]+) \\S+$");

    private Qperf() {
    }

    /**
     * Runs the client with {@code -t 2} and {@code tests} against a fresh server in container
     * {@code prefix-srv}; the client must succeed and the server stay up.
     */
    static ProcessResult run(Lab lab, String prefix, String... tests) throws InterruptedException {
        String server = prefix + "-srv";
        String[] command = new String[tests.length + 4];
        command[0] = "qperf";
        command[1] = "-t";
        command[2] = "2";
        command[3] = server;
        System.arraycopy(tests, 0, command, 4, tests.length);
        return run(lab, server, new String[] {"qperf"}, PORT, prefix + "-cli", command, CLIENT_TIMEOUT);
    }

    /**
     * Starts {@code serverCommand} in container {@code server}, waits for {@code port}, runs
     * {@code clientCommand} in container {@code client}: the client must succeed within
     * {@code timeout} and the server stay up.
     */
    static ProcessResult run(Lab lab, String server, String[] serverCommand, int port, String client,
            String[] clientCommand, Duration timeout) throws InterruptedException {
        try (LabProcess s = lab.container(server).start(serverCommand)) {
            lab.waitPort(server, port, Pair.LISTEN_TIMEOUT, s);
            ProcessResult c = lab.container(client).run(timeout, clientCommand).assertSuccess();
            assertTrue(s.isAlive(), () -> "the qperf server died: " + s.output());
            return c;
        }
    }

    /**
     * The figures test {@code test} printed (name → value, in the unit qperf chose): the
     * indented lines after its name at column 0, up to the next test.
     */
    static Map<String, Double> figures(String output, String test) {
        Map<String, Double> figures = new LinkedHashMap<>();
        boolean inside = false;
        for (String line : output.split("\n")) {
            if (TEST.matcher(line).matches()) {
                inside = line.equals(test + ":");
                continue;
            }
            Matcher m = FIGURE.matcher(line);
            if (inside && m.matches()) {
                figures.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return figures;
    }

    /** The figure {@code name} (e.g. msg_rate, bw, latency) of test {@code test}; it must be there and positive. */
    static double positive(ProcessResult r, String test, String name) {
        Double v = figures(r.output(), test).get(name);
        assertTrue(v != null, () -> "no " + name + " for " + test + ": " + r.describe());
        assertTrue(v > 0, () -> test + " " + name + " is not positive: " + r.describe());
        return v;
    }
}
