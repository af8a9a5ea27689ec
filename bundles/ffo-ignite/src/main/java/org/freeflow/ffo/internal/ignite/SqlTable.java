package org.freeflow.ffo.internal.ignite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.SqlFieldsQuery;

/** Statements over one table's cache: rows mapped to records, and update counts. */
final class SqlTable {

    private final IgniteCache<Object, Object> cache;

    SqlTable(IgniteCache<Object, Object> cache) {
        this.cache = cache;
    }

    /** Every row {@code sql} selects, mapped by {@code toRecord}. */
    <T> List<T> select(String sql, Function<List<?>, T> toRecord, Object... args) {
        List<T> records = new ArrayList<>();
        for (List<?> row : cache.query(new SqlFieldsQuery(sql).setArgs(args)).getAll()) {
            records.add(toRecord.apply(row));
        }
        return records;
    }

    /** Runs an INSERT, MERGE, UPDATE or DELETE; the rows it changed. */
    long update(String sql, Object... args) {
        List<List<?>> result = cache.query(new SqlFieldsQuery(sql).setArgs(args)).getAll();
        return ((Number) result.get(0).get(0)).longValue();
    }

    /** Deletes the rows of {@code table} on {@code host} whose CONTAINER is not among {@code kept}. */
    long deleteOnHostExcept(String table, String host, Collection<String> kept) {
        List<Object> args = new ArrayList<>(kept.size() + 1);
        args.add(host);
        args.addAll(kept);
        String others = kept.isEmpty() ? "" : " AND CONTAINER NOT IN (" + parameters(kept.size()) + ")";
        return update("DELETE FROM " + table + " WHERE HOST = ?" + others, args.toArray());
    }

    /** "?, ?, ..." for {@code n} parameters. */
    static String parameters(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
