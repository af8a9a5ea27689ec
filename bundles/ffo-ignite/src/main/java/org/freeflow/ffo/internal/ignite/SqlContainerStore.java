package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.ignite.IgniteCache;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.internal.registry.ContainerStore;

/** The CONTAINERS table through Ignite SQL. */
public final class SqlContainerStore implements ContainerStore {

    private static final String COLUMNS = "NAME, TENANT, HOST, VIRTUAL_IP, PREFIX_LENGTH, LID, GID, STATE";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM CONTAINERS";

    private final SqlTable table;

    public SqlContainerStore(IgniteCache<Object, Object> cache) {
        this.table = new SqlTable(cache);
    }

    @Override
    public List<ContainerRecord> all() {
        return select(SELECT + " ORDER BY NAME");
    }

    @Override
    public Optional<ContainerRecord> byName(String name) {
        return select(SELECT + " WHERE NAME = ?", name).stream().findFirst();
    }

    @Override
    public Optional<ContainerRecord> byLid(int lid) {
        return select(SELECT + " WHERE LID = ?", lid).stream().findFirst();
    }

    @Override
    public List<ContainerRecord> onHost(String host) {
        return select(SELECT + " WHERE HOST = ? ORDER BY NAME", host);
    }

    @Override
    public boolean setState(String name, String state) {
        return update("UPDATE CONTAINERS SET STATE = ? WHERE NAME = ?", state, name) > 0;
    }

    @Override
    public void insert(ContainerRecord r) {
        update("INSERT INTO CONTAINERS (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", r.name(), r.tenant(),
                r.host(), r.virtualIp(), r.prefixLength(), r.lid(), r.gid(), r.state());
    }

    @Override
    public boolean delete(String name) {
        return update("DELETE FROM CONTAINERS WHERE NAME = ?", name) > 0;
    }

    @Override
    public boolean reserve(String name, Instant until) {
        return update("UPDATE CONTAINERS SET STATE = ?, RESERVED_UNTIL = ? WHERE NAME = ?", ContainerRecord.RESERVED,
                until == null ? null : Timestamp.from(until), name) > 0;
    }

    @Override
    public List<ContainerReservations.Reservation> reservations() {
        return table.select("SELECT " + COLUMNS + ", RESERVED_UNTIL FROM CONTAINERS WHERE STATE = ? ORDER BY NAME",
                row -> new ContainerReservations.Reservation(record(row),
                        row.get(8) == null ? null : ((Timestamp) row.get(8)).toInstant()), ContainerRecord.RESERVED);
    }

    @Override
    public boolean moveTo(String name, String host) {
        return update("UPDATE CONTAINERS SET HOST = ?, STATE = ?, RESERVED_UNTIL = NULL WHERE NAME = ? AND STATE = ?",
                host, ContainerRecord.RUNNING, name, ContainerRecord.RESERVED) > 0;
    }

    @Override
    public List<String> deleteReservationsEndedBefore(Instant now) {
        String ended = " FROM CONTAINERS WHERE STATE = ? AND RESERVED_UNTIL < ?";
        Timestamp at = Timestamp.from(now);
        List<String> names = table.select("SELECT NAME" + ended + " ORDER BY NAME", row -> (String) row.get(0),
                ContainerRecord.RESERVED, at);
        if (!names.isEmpty()) {
            update("DELETE" + ended, ContainerRecord.RESERVED, at);
        }
        return names;
    }

    private List<ContainerRecord> select(String sql, Object... args) {
        return table.select(sql, SqlContainerStore::record, args);
    }

    /** The record in the first eight columns of a row ({@link #COLUMNS}). */
    private static ContainerRecord record(List<?> row) {
        return new ContainerRecord((String) row.get(0), (String) row.get(1), (String) row.get(2),
                (String) row.get(3), ((Number) row.get(4)).intValue(), ((Number) row.get(5)).intValue(),
                (String) row.get(6), (String) row.get(7));
    }

    private long update(String sql, Object... args) {
        return table.update(sql, args);
    }
}
