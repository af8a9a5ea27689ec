package org.freeflow.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A program started by the launcher (usually {@code ./freeflow lab run ...}), its standard
 * output and error going to one log file, so that nothing blocks on a full pipe and the log
 * stays behind under {@code target/e2e-logs} for whoever reads a failure.
 * Stopping it sends TERM (the launcher then ends the program and removes its container),
 * and KILL if it is still there 20 s later.
 */
public final class LabProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String label;
    private final List<String> command;
    private final Path log;
    private final Process process;
    private final long startNanos = System.nanoTime();

    private LabProcess(String label, List<String> command, Path log, Process process) {
        this.label = label;
        this.command = command;
        this.log = log;
        this.process = process;
    }

    static LabProcess start(String label, List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            return new LabProcess(label, command, log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public String label() {
        return label;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Everything the program printed so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the output matches {@code pattern}; false if the program ended first or
     * the time ran out.
     */
    public boolean awaitOutput(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (pattern.matcher(output()).find()) {
                return true;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                return pattern.matcher(output()).find();
            }
            Thread.sleep(100);
        }
    }

    /** Waits for the end; a program still running after {@code timeout} is stopped. */
    public ProcessResult awaitExit(Duration timeout) throws InterruptedException {
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            stop();
        }
        int code = process.isAlive() ? -1 : process.exitValue();
        return new ProcessResult(label, command, code, !ended, output(),
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
