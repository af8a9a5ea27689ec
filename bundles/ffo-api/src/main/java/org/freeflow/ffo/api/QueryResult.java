package org.freeflow.ffo.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What an SQL statement returned: its column labels and rows, values as
 * the engine gave them (String, Integer, Long, Timestamp, ...; null for
 * NULL).  An update returns one column, {@code UPDATED}, with its count.
 *
 * @param columns column labels, in order
 * @param rows    rows, each as long as {@code columns}
 * @since 1.1
 */
public record QueryResult(List<String> columns, List<List<Object>> rows) {

    public QueryResult {
        columns = List.copyOf(columns);
        rows = rows.stream().map(r -> Collections.unmodifiableList(new ArrayList<>(r))).toList();
    }
}
