package org.freeflow.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * SQL on a lab host's router as a tool on that host runs it: Ignite's JDBC thin driver to
 * the router's connector on the host's loopback (where it listens by default), from a
 * {@link JdbcShell} started in the host's network namespace.
 */
final class SqlClient implements AutoCloseable {

    /** What a statement returned: column labels and rows of text (null for SQL NULL). */
    record Rows(List<String> columns, List<List<String>> rows) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private SqlClient(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Connects to {@code host}'s router (namespace {@code namespace}) as a program on that host. */
    static SqlClient onHost(Path repo, String namespace) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", igniteCore().toString(),
                repo.resolve("e2e/src/test/java/org/freeflow/e2e/JdbcShell.java").toString(),
                "jdbc:ignite:thin://127.0.0.1:10800"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        SqlClient client = new SqlClient(p);
        String ready = client.out.readLine();
        if (!"READY".equals(ready)) {
            p.destroyForcibly();
            throw new IllegalStateException("the JDBC client on " + namespace + " did not connect: " + ready);
        }
        return client;
    }

    private static Path igniteCore() {
        try {
            return Path.of(org.apache.ignite.IgniteJdbcThinDriver.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement (on one line); fails with the engine's message when it is refused. */
    synchronized Rows query(String sql) {
        try {
            in.write(sql.replace('\n', ' ') + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) {
                throw new IllegalStateException("the JDBC client ended");
            }
            if (!line.startsWith("OK ")) {
                throw new IllegalArgumentException(sql + ": " + line);
            }
            JsonNode answer = JSON.readTree(line.substring(3));
            List<String> columns = new ArrayList<>();
            answer.get("columns").forEach(c -> columns.add(c.asText()));
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode r : answer.get("rows")) {
                List<String> row = new ArrayList<>();
                r.forEach(v -> row.add(v.isNull() ? null : v.asText()));
                rows.add(row);
            }
            return new Rows(columns, rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            in.close();
        } catch (IOException ignored) {
            // it ends anyway
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
