package org.freeflow.ffo.internal.ignite;

import java.util.List;
import javax.cache.CacheException;

import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.SqlFieldsQuery;

/**
 * The FFO's tables, made by DDL so that operators see them in SQL as they
 * are: every one replicated on all servers (a router's loss loses no row) with
 * synchronous writes, and indexed for the joins operators run (by host, by
 * container, by LID).
 */
final class Schema {

    /** Ignite caches behind the tables. */
    static final String CONTAINERS_CACHE = "FF_CONTAINERS";
    static final String HOSTS_CACHE = "FF_HOSTS";
    static final String QPS_CACHE = "FF_QPS";
    static final String MEMORY_MAPS_CACHE = "FF_MEMORY_MAPS";

    private static final int RACE_ATTEMPTS = 40;
    private static final long RACE_PAUSE_MILLIS = 250;

    private static final String REPLICATED = "TEMPLATE=REPLICATED,ATOMICITY=ATOMIC,WRITE_SYNCHRONIZATION_MODE=FULL_SYNC";

    private static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS CONTAINERS (NAME VARCHAR PRIMARY KEY, TENANT VARCHAR NOT NULL, "
                    + "HOST VARCHAR NOT NULL, VIRTUAL_IP VARCHAR NOT NULL, PREFIX_LENGTH INT NOT NULL, "
                    + "LID INT NOT NULL, GID VARCHAR NOT NULL, STATE VARCHAR NOT NULL, RESERVED_UNTIL TIMESTAMP)"
                    + " WITH \"" + REPLICATED
                    + ",CACHE_NAME=" + CONTAINERS_CACHE + ",VALUE_TYPE=org.freeflow.ffo.Container\"",
            "CREATE INDEX IF NOT EXISTS CONTAINERS_LID ON CONTAINERS (LID)",
            "CREATE INDEX IF NOT EXISTS CONTAINERS_HOST ON CONTAINERS (HOST)",
            "CREATE INDEX IF NOT EXISTS CONTAINERS_TENANT ON CONTAINERS (TENANT)",
            "CREATE TABLE IF NOT EXISTS HOSTS (NAME VARCHAR PRIMARY KEY, ADDRESS VARCHAR NOT NULL, "
                    + "ROUTER_VERSION VARCHAR NOT NULL, STATE VARCHAR NOT NULL, JOINED TIMESTAMP NOT NULL, "
                    + "LAST_SEEN TIMESTAMP NOT NULL, NODE_ID VARCHAR NOT NULL) WITH \"" + REPLICATED
                    + ",CACHE_NAME=" + HOSTS_CACHE + ",VALUE_TYPE=org.freeflow.ffo.Host\"",
            "CREATE TABLE IF NOT EXISTS QPS (QPN INT PRIMARY KEY, CONTAINER VARCHAR NOT NULL, HOST VARCHAR NOT NULL, "
                    + "TYPE VARCHAR NOT NULL, STATE VARCHAR NOT NULL, PEER_LID INT NOT NULL, PEER_QPN INT NOT NULL, "
                    + "PEER_CONTAINER VARCHAR, CREATED TIMESTAMP NOT NULL, SEND_WRS BIGINT NOT NULL, "
                    + "RECV_WRS BIGINT NOT NULL, BYTES_SENT BIGINT NOT NULL, UPDATED TIMESTAMP NOT NULL) WITH \""
                    + REPLICATED + ",CACHE_NAME=" + QPS_CACHE + ",VALUE_TYPE=org.freeflow.ffo.QueuePair\"",
            "CREATE INDEX IF NOT EXISTS QPS_CONTAINER ON QPS (CONTAINER)",
            "CREATE INDEX IF NOT EXISTS QPS_HOST ON QPS (HOST)",
            "CREATE INDEX IF NOT EXISTS QPS_PEER_CONTAINER ON QPS (PEER_CONTAINER)",
            "CREATE TABLE IF NOT EXISTS MEMORY_MAPS (CONTAINER VARCHAR, RKEY INT, LKEY INT NOT NULL, "
                    + "HOST VARCHAR NOT NULL, PD INT NOT NULL, ADDRESS BIGINT NOT NULL, LENGTH BIGINT NOT NULL, "
                    + "ACCESS INT NOT NULL, REGISTERED_AT TIMESTAMP NOT NULL, PRIMARY KEY (CONTAINER, RKEY)) WITH \""
                    + REPLICATED + ",CACHE_NAME=" + MEMORY_MAPS_CACHE + ",KEY_TYPE=" + SqlMemoryMapStore.KEY_TYPE
                    + ",VALUE_TYPE=" + SqlMemoryMapStore.VALUE_TYPE + "\"",
            "CREATE INDEX IF NOT EXISTS MEMORY_MAPS_HOST ON MEMORY_MAPS (HOST)",
            "CREATE INDEX IF NOT EXISTS MEMORY_MAPS_LENGTH ON MEMORY_MAPS (LENGTH DESC)");

    private Schema() {
    }

    /** Makes what is missing (every node does, at start). */
    static void create(IgniteCache<Object, Object> cache) {
        for (String ddl : DDL) {
            createIfAbsent(cache, ddl);
        }
    }

    /**
     * Runs a CREATE ... IF NOT EXISTS.  Two nodes that start together may both
     * find the object absent, and one then fails with "already exists" until
     * the other's table reached it (DDL cannot run under a cluster lock: Ignite
     * refuses to start caches within one); so that failure is retried for a
     * while.  A failure for any other reason is thrown at once.
     */
    private static void createIfAbsent(IgniteCache<Object, Object> cache, String ddl) {
        Retries.retry(ddl, RACE_ATTEMPTS, attempt -> RACE_PAUSE_MILLIS,
                e -> e instanceof CacheException && e.getMessage() != null && e.getMessage().contains("already exists"),
                () -> cache.query(new SqlFieldsQuery(ddl)).getAll());
    }
}
