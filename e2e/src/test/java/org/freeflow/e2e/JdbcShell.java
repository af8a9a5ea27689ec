package org.freeflow.e2e;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A JDBC client for the tests, run as a program of its own where the router's connector is
 * reachable (it listens on its host's loopback: {@code ip netns exec <host namespace> java
 * -cp ignite-core.jar JdbcShell.java URL}). Reads one statement per line and answers each
 * with one line: {@code OK <json>} where json is {"columns":[...],"rows":[[...]...]} (every
 * value as text, null as null), or {@code ERROR <message>}.
 */
public final class JdbcShell {

    private JdbcShell() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Connection connection = DriverManager.getConnection(args[0])) {
            System.out.println("READY");
            System.out.flush();
            String statement;
            while ((statement = in.readLine()) != null) {
                System.out.println(answer(connection, statement));
                System.out.flush();
            }
        }
    }

    private static String answer(Connection connection, String sql) {
        try (Statement s = connection.createStatement()) {
            s.setQueryTimeout(30);
            try (ResultSet rs = s.executeQuery(sql)) {
                ResultSetMetaData md = rs.getMetaData();
                StringBuilder json = new StringBuilder("{\"columns\":[");
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    json.append(i > 1 ? "," : "").append(quote(md.getColumnLabel(i)));
                }
                json.append("],\"rows\":[");
                boolean first = true;
                while (rs.next()) {
                    json.append(first ? "[" : ",[");
                    first = false;
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        json.append(i > 1 ? "," : "").append(v == null ? "null" : quote(v.toString()));
                    }
                    json.append(']');
                }
                return "OK " + json.append("]}");
            }
        } catch (SQLException | RuntimeException e) {
            return "ERROR " + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
    }

    private static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }
}
