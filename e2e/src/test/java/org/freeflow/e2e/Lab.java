package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The lab of the end-to-end tests, driven through {@code ./freeflow lab --lab NAME ...}
 * exactly as a person would drive it. {@link LabExtension} brings it up once per test run.
 */
public final class Lab {
    public static final String DEFAULT_HOST = "h1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path repo;
    private final String name;
    private final Path logs;
    private final AtomicInteger sequence = new AtomicInteger();

    Lab(Path repo, String name, Path logs) {
        this.repo = repo;
        this.name = name;
        this.logs = logs;
    }

    public String name() {
        return name;
    }

    public Path repo() {
        return repo;
    }

    /** Where the tests leave the output of every program they ran. */
    public Path logs() {
        return logs;
    }

    /** A test program of the native module, e.g. {@code ff_errors}. */
    public Path nativeTest(String program) {
        return repo.resolve("native/target/tests").resolve(program);
    }

    List<String> labCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("freeflow").toString(), "lab", "--lab", name));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code ./freeflow lab ARGS} to its end (at most {@code timeout}). */
    public ProcessResult admin(Duration timeout, String... args) throws InterruptedException {
        String label = "lab-" + args[0];
        Path log = logs.resolve(String.format("%03d-%s.log", sequence.incrementAndGet(), label));
        try (LabProcess p = LabProcess.start(label, labCommand(args), log)) {
            return p.awaitExit(timeout);
        }
    }

    /**
     * Runs {@code program} in host {@code host}'s own network namespace (where its router's
     * connections are), to its end (at most {@code timeout}).
     */
    public ProcessResult inHostNamespace(String host, Duration timeout, String... program) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", inspect(host).get("namespace")));
        cmd.addAll(List.of(program));
        String label = host + "-" + Path.of(program[0]).getFileName();
        Path log = logs.resolve(String.format("%03d-%s.log", sequence.incrementAndGet(), label));
        try (LabProcess p = LabProcess.start(label, cmd, log)) {
            return p.awaitExit(timeout);
        }
    }

    /** A container to start in this lab. */
    public Container container(String containerName) {
        return new Container(containerName);
    }

    /** Asserts that TCP {@code port} listens in the container within {@code timeout}. */
    public void waitPort(String container, int port, Duration timeout, LabProcess server)
            throws InterruptedException {
        ProcessResult r = admin(timeout.plusSeconds(15), "wait-port", "--name", container,
                Integer.toString(port), "--timeout", Long.toString(timeout.toSeconds()));
        if (r.exitCode() != 0 || r.timedOut()) {
            String serverOutput = server == null ? "" : "\n----- " + server.label() + " so far -----\n" + server.output();
            fail("port " + port + " never listened in " + container + ": " + r.describe() + serverOutput);
        }
    }

    /**
     * {@code ./freeflow lab inspect --json NAME} as a map (host hN or container): every value
     * as text, a JSON null as "", true and false as "true" and "false".
     */
    public Map<String, String> inspect(String hostOrContainer) throws InterruptedException {
        ProcessResult r = admin(Duration.ofSeconds(30), "inspect", "--json", hostOrContainer).assertSuccess();
        return facts(r.output());
    }

    /** The one JSON object of {@code lab inspect --json}'s output (its line), as text values. */
    static Map<String, String> facts(String output) {
        String json = output.lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow(() -> new AssertionError("no JSON object in lab inspect's output:\n" + output));
        JsonNode object;
        try {
            object = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("lab inspect printed no valid JSON: " + json, e);
        }
        if (!object.isObject()) {
            throw new AssertionError("lab inspect printed no JSON object: " + json);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        object.fields().forEachRemaining(f -> facts.put(f.getKey(), f.getValue().isNull() ? "" : f.getValue().asText()));
        return facts;
    }

    /** The address of a host on the lab's fabric, reachable from the test JVM. */
    public String hostAddress(String host) throws InterruptedException {
        return inspect(host).get("address");
    }

    /** Everything the router of {@code host} logged so far (its console and Karaf's log). */
    public String routerLog(String host) throws InterruptedException {
        Map<String, String> facts = inspect(host);
        StringBuilder sb = new StringBuilder();
        for (String key : List.of("log", "karaf_log")) {
            String file = facts.get(key);
            if (file != null && Files.isRegularFile(Path.of(file))) {
                try {
                    sb.append(Files.readString(Path.of(file), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return sb.toString();
    }

    /** A container of the lab, as {@code ./freeflow lab run --host H --name N [--tenant T]}. */
    public final class Container {
        private final String containerName;
        private String host = DEFAULT_HOST;
        private String tenant;

        private Container(String containerName) {
            this.containerName = containerName;
        }

        public Container onHost(String h) {
            this.host = h;
            return this;
        }

        public Container tenant(String t) {
            this.tenant = t;
            return this;
        }

        public String name() {
            return containerName;
        }

        private List<String> runCommand(String... program) {
            List<String> args = new ArrayList<>(List.of("run", "--host", host, "--name", containerName));
            if (tenant != null) {
                args.addAll(List.of("--tenant", tenant));
            }
            args.add("--");
            args.addAll(List.of(program));
            return labCommand(args.toArray(String[]::new));
        }

        /** Starts the program in this container and returns at once. */
        public LabProcess start(String... program) {
            Path log = logs.resolve(String.format("%03d-%s.log", sequence.incrementAndGet(), containerName));
            return LabProcess.start(containerName, runCommand(program), log);
        }

        /**
         * Starts one more program in this container, which a program started by {@link #start}
         * must keep alive ({@code ./freeflow lab exec}), and returns at once.
         */
        public LabProcess exec(String... program) {
            List<String> args = new ArrayList<>(List.of("exec", "--name", containerName, "--"));
            args.addAll(List.of(program));
            Path log = logs.resolve(String.format("%03d-%s-exec.log", sequence.incrementAndGet(), containerName));
            return LabProcess.start(containerName + "-exec", labCommand(args.toArray(String[]::new)), log);
        }

        /** Runs the program in this container to its end (stopped after {@code timeout}). */
        public ProcessResult run(Duration timeout, String... program) throws InterruptedException {
            try (LabProcess p = start(program)) {
                return p.awaitExit(timeout);
            }
        }
    }
}
