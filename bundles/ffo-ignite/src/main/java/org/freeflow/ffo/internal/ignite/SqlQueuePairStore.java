package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.ignite.IgniteCache;
import org.freeflow.ffo.api.QueuePairRecord;

/**
 * The QPS table through Ignite SQL.  PEER_CONTAINER is filled in on write,
 * from the CONTAINERS row that holds the peer's LID.
 */
final class SqlQueuePairStore {

    private static final String COLUMNS = "QPN, CONTAINER, HOST, TYPE, STATE, PEER_LID, PEER_QPN, CREATED, "
            + "SEND_WRS, RECV_WRS, BYTES_SENT";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM QPS";

    private final SqlTable table;
    private final SqlTable containers;

    SqlQueuePairStore(IgniteCache<Object, Object> cache, IgniteCache<Object, Object> containersCache) {
        this.table = new SqlTable(cache);
        this.containers = new SqlTable(containersCache);
    }

    void put(Collection<QueuePairRecord> qps) {
        Map<Integer, Optional<String>> peers = new HashMap<>();
        Timestamp now = Timestamp.from(Instant.now());
        for (QueuePairRecord q : qps) {
            String peer = q.peerLid() == 0 ? null : peers.computeIfAbsent(q.peerLid(), this::containerOfLid)
                    .orElse(null);
            table.update("MERGE INTO QPS (" + COLUMNS + ", PEER_CONTAINER, UPDATED) VALUES ("
                    + SqlTable.parameters(13) + ")", q.qpn(), q.container(), q.host(), q.type(), q.state(),
                    q.peerLid(), q.peerQpn(), Timestamp.from(q.created()), q.sendWrs(), q.recvWrs(), q.bytesSent(),
                    peer, now);
        }
    }

    private Optional<String> containerOfLid(int lid) {
        return containers.select("SELECT NAME FROM CONTAINERS WHERE LID = ?", row -> (String) row.get(0), lid)
                .stream().findFirst();
    }

    void delete(Collection<Integer> qpns) {
        for (int qpn : qpns) {
            table.update("DELETE FROM QPS WHERE QPN = ?", qpn);
        }
    }

    long deleteOfContainer(String container) {
        return table.update("DELETE FROM QPS WHERE CONTAINER = ?", container);
    }

    /** Deletes the rows of {@code host}'s containers that are not among {@code kept}. */
    long deleteOnHostExcept(String host, Collection<String> kept) {
        return table.deleteOnHostExcept("QPS", host, kept);
    }

    List<QueuePairRecord> all() {
        return table.select(SELECT + " ORDER BY QPN", SqlQueuePairStore::record);
    }

    /** The QPNs of {@code low..high} that a row holds. */
    Set<Integer> inUseBetween(int low, int high) {
        return new HashSet<>(table.select("SELECT QPN FROM QPS WHERE QPN BETWEEN ? AND ?",
                row -> ((Number) row.get(0)).intValue(), low, high));
    }

    private static QueuePairRecord record(List<?> row) {
        return new QueuePairRecord(((Number) row.get(0)).intValue(), (String) row.get(1), (String) row.get(2),
                (String) row.get(3), (String) row.get(4), ((Number) row.get(5)).intValue(),
                ((Number) row.get(6)).intValue(), ((Timestamp) row.get(7)).toInstant(),
                ((Number) row.get(8)).longValue(), ((Number) row.get(9)).longValue(),
                ((Number) row.get(10)).longValue());
    }
}
