package org.freeflow.ffo.internal.ignite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import javax.cache.CacheException;

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

    /**
     * Runs an INSERT, MERGE, UPDATE or DELETE; the rows it changed.  A
     * statement that failed because the topology changed under it (a router
     * joining or leaving: Ignite says "retry update if possible") is run
     * again, a few times; any other failure is thrown at once.
     */
    long update(String sql, Object... args) {
        List<List<?>> result = Retries.retry(sql, TOPOLOGY_RETRIES, attempt -> 100L * attempt,
                e -> e instanceof CacheException && topologyChanged(e),
                () -> cache.query(new SqlFieldsQuery(sql).setArgs(args)).getAll());
        return ((Number) result.get(0).get(0)).longValue();
    }

    private static final int TOPOLOGY_RETRIES = 6;

    /**
     * True when a statement failed only because nodes joined or left while it
     * ran: DML says "retry update if possible", a query under the allocation
     * lock (a transaction) "Server topology is changed during query execution
     * inside a transaction", and some fail with a ClusterTopology... exception.
     */
    static boolean topologyChanged(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("retry update if possible") || message.contains("topology is changed")
                    || t.getClass().getSimpleName().startsWith("ClusterTopology")) {
                return true;
            }
        }
        return false;
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
