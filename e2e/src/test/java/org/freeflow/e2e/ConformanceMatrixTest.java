package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.freeflow.e2e.ConformanceMatrix.Row;
import org.junit.jupiter.api.Test;

/** conformance.txt itself. */
class ConformanceMatrixTest {

    @Test
    void theMatrixIsWellFormed() {
        List<Row> rows = ConformanceMatrix.load();
        assertFalse(rows.isEmpty());
        assertEquals(rows.size(), rows.stream().map(Row::id).distinct().count(), "ids must be unique");
        assertEquals(rows.size(), rows.stream().map(Row::client).distinct().count(), "client commands must be unique");
        for (Row row : rows) {
            row.options(); // the client is given {server}
            assertEquals(row.server().get(0), row.program(), row.id() + ": server and client run one program");
        }
    }
}
