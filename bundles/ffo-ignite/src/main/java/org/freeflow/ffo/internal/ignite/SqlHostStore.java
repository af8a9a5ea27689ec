package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.internal.registry.HostRow;
import org.freeflow.ffo.internal.registry.HostStore;

/** The HOSTS table through Ignite SQL. */
public final class SqlHostStore implements HostStore {

    private static final String COLUMNS = "NAME, ADDRESS, ROUTER_VERSION, STATE, JOINED, LAST_SEEN, NODE_ID";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM HOSTS";

    private final IgniteCache<Object, Object> cache;

    public SqlHostStore(IgniteCache<Object, Object> cache) {
        this.cache = cache;
    }

    @Override
    public List<HostRow> all() {
        return select(SELECT + " ORDER BY NAME");
    }

    @Override
    public Optional<HostRow> byName(String name) {
        return select(SELECT + " WHERE NAME = ?", name).stream().findFirst();
    }

    @Override
    public void put(HostRow row) {
        HostRecord r = row.record();
        cache.query(new SqlFieldsQuery("MERGE INTO HOSTS (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")
                .setArgs(r.name(), r.address(), r.routerVersion(), r.state(), Timestamp.from(r.joined()),
                        Timestamp.from(r.lastSeen()), row.nodeId()))
                .getAll();
    }

    @Override
    public boolean setState(String name, String state) {
        return update("UPDATE HOSTS SET STATE = ? WHERE NAME = ?", state, name) > 0;
    }

    @Override
    public boolean heartbeat(String name, String nodeId, Instant now) {
        // only forward: a heartbeat that raced a new registration must not put LAST_SEEN before JOINED
        Timestamp at = Timestamp.from(now);
        return update("UPDATE HOSTS SET LAST_SEEN = ? WHERE NAME = ? AND NODE_ID = ? AND LAST_SEEN <= ?", at, name,
                nodeId, at) > 0 || byName(name).map(r -> r.nodeId().equals(nodeId)).orElse(false);
    }

    private List<HostRow> select(String sql, Object... args) {
        List<HostRow> rows = new ArrayList<>();
        for (List<?> row : cache.query(new SqlFieldsQuery(sql).setArgs(args)).getAll()) {
            rows.add(new HostRow(new HostRecord((String) row.get(0), (String) row.get(1), (String) row.get(2),
                    (String) row.get(3), ((Timestamp) row.get(4)).toInstant(), ((Timestamp) row.get(5)).toInstant()),
                    (String) row.get(6)));
        }
        return rows;
    }

    private long update(String sql, Object... args) {
        List<List<?>> result = cache.query(new SqlFieldsQuery(sql).setArgs(args)).getAll();
        return ((Number) result.get(0).get(0)).longValue();
    }
}
