package org.freeflow.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The conformance matrix, {@code conformance.txt} on the test class path: one row a line,
 * {@code id | port | server command | client command}; blank lines and {@code #} comments
 * are skipped. The client command names the server's container as {@code {server}}.
 */
final class ConformanceMatrix {
    static final String RESOURCE = "conformance.txt";
    static final String SERVER = "{server}";

    private ConformanceMatrix() {
    }

    /** One line of the matrix. */
    record Row(String id, int port, List<String> server, List<String> client) {
        String program() {
            return client.get(0);
        }

        /** The client's words between the program and {@code {server}}: its options. */
        List<String> options() {
            return client.subList(1, serverIndex());
        }

        /** The client's words after {@code {server}}: what it is asked to run (qperf's tests). */
        List<String> operands() {
            return client.subList(serverIndex() + 1, client.size());
        }

        private int serverIndex() {
            int i = client.indexOf(SERVER);
            if (i < 1) {
                throw new IllegalStateException(id + ": the client must be given " + SERVER);
            }
            return i;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** The rows of {@code conformance.txt}, in its order. */
    static List<Row> load() {
        InputStream in = ConformanceMatrix.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("no " + RESOURCE + " on the test class path");
        }
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return parse(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Row> parse(Reader source) throws IOException {
        List<Row> rows = new ArrayList<>();
        BufferedReader r = new BufferedReader(source);
        String line;
        while ((line = r.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s*\\|\\s*");
            if (f.length != 4) {
                throw new IllegalStateException(RESOURCE + ": not 'id | port | server | client': " + line);
            }
            rows.add(new Row(f[0], Integer.parseInt(f[1]), words(f[2]), words(f[3])));
        }
        return rows;
    }

    private static List<String> words(String command) {
        return List.copyOf(Arrays.asList(command.split("\\s+")));
    }
}
