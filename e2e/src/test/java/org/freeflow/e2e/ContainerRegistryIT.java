package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * FFO's container registry as a tool on the router's host sees it: Ignite's JDBC thin
 * driver on the host's loopback, {@code SELECT * FROM CONTAINERS}; from elsewhere (the test
 * JVM, over the lab's fabric) the connector does not answer (docs/ffo.md, "Access").
 */
@ExtendWith(LabExtension.class)
@Timeout(180)
class ContainerRegistryIT {
    private static final Duration RUN = Duration.ofSeconds(30);

    @Test
    void attachedContainersAreListed(Lab lab) throws Exception {
        try (LabProcess a = lab.container("reg-a").tenant("tenant-a").start("sh", "-c", "echo up; exec sleep 90");
                LabProcess b = lab.container("reg-b").tenant("tenant-b").start("sh", "-c", "echo up; exec sleep 90")) {
            assertTrue(a.awaitOutput(Pattern.compile("up"), RUN), a::output);
            assertTrue(b.awaitOutput(Pattern.compile("up"), RUN), b::output);
            List<Map<String, String>> rows = new ArrayList<>();
            try (SqlClient sql = SqlClient.onHost(lab.repo(), lab.inspect(Lab.DEFAULT_HOST).get("namespace"))) {
                SqlClient.Rows all = sql.query("SELECT * FROM CONTAINERS");
                for (List<String> values : all.rows()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 0; i < values.size(); i++) {
                        row.put(all.columns().get(i), values.get(i) == null ? "" : values.get(i).trim());
                    }
                    rows.add(row);
                }
            }
            for (String name : List.of("reg-a", "reg-b")) {
                Map<String, String> facts = lab.inspect(name);
                Map<String, String> row = rowNamed(rows, name);
                assertTrue(row != null, () -> name + " is not in CONTAINERS: " + rows);
                for (String expected : List.of(facts.get("tenant"), facts.get("vip"), Lab.DEFAULT_HOST)) {
                    assertTrue(row.values().stream().anyMatch(v -> v.equalsIgnoreCase(expected)),
                            () -> "the row of " + name + " has no value '" + expected + "': " + row);
                }
            }
        }
    }

    @Test
    void theJdbcConnectorDoesNotAnswerOnTheFabric(Lab lab) throws Exception {
        String url = "jdbc:ignite:thin://" + lab.hostAddress(Lab.DEFAULT_HOST) + ":10800";
        SQLException refused = assertThrows(SQLException.class, () -> query(url, "SELECT * FROM CONTAINERS"));
        assertTrue(String.valueOf(refused.getMessage()).contains("Failed to connect"), refused::toString);
    }

    private static Map<String, String> rowNamed(List<Map<String, String>> rows, String name) {
        return rows.stream().filter(r -> r.values().stream().anyMatch(name::equals)).findFirst().orElse(null);
    }

    static List<Map<String, String>> query(String url, String sql) throws SQLException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.setQueryTimeout(30);
            try (ResultSet rs = s.executeQuery(sql)) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        row.put(md.getColumnLabel(i), v == null ? "" : v.toString().trim());
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
