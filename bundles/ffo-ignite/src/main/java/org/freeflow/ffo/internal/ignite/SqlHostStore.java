package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.ignite.IgniteCache;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.internal.registry.HostRow;
import org.freeflow.ffo.internal.registry.HostStore;

/** The HOSTS table through Ignite SQL. */
public final class SqlHostStore implements HostStore {

    private static final String COLUMNS = "NAME, ADDRESS, ROUTER_VERSION, STATE, JOINED, LAST_SEEN, NODE_ID";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM HOSTS";

    private final SqlTable table;

    public SqlHostStore(IgniteCache<Object, Object> cache) {
        this.table = new SqlTable(cache);
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
        table.update("MERGE INTO HOSTS (" + COLUMNS + ") VALUES (" + SqlTable.parameters(7) + ")", r.name(),
                r.address(), r.routerVersion(), r.state(), Timestamp.from(r.joined()), Timestamp.from(r.lastSeen()),
                row.nodeId());
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
        return table.select(sql, row -> new HostRow(new HostRecord((String) row.get(0), (String) row.get(1),
                (String) row.get(2), (String) row.get(3), ((Timestamp) row.get(4)).toInstant(),
                ((Timestamp) row.get(5)).toInstant()), (String) row.get(6)), args);
    }

    private long update(String sql, Object... args) {
        return table.update(sql, args);
    }
}
