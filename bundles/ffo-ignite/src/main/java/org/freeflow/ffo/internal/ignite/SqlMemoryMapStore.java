package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.util.Collection;

import org.apache.ignite.IgniteCache;
import org.freeflow.ffo.api.MemoryRegionRecord;

/** The MEMORY_MAPS table's writes through Ignite SQL (reads come from {@link MemoryMapCache}). */
final class SqlMemoryMapStore {

    private static final String COLUMNS = "CONTAINER, RKEY, LKEY, HOST, PD, ADDRESS, LENGTH, ACCESS, REGISTERED_AT";

    private final SqlTable table;

    SqlMemoryMapStore(IgniteCache<Object, Object> cache) {
        this.table = new SqlTable(cache);
    }

    void put(MemoryRegionRecord r) {
        table.update("MERGE INTO MEMORY_MAPS (" + COLUMNS + ") VALUES (" + SqlTable.parameters(9) + ")",
                r.container(), r.rkey(), r.lkey(), r.host(), r.pd(), r.address(), r.length(), r.access(),
                Timestamp.from(r.registeredAt()));
    }

    void delete(String container, int rkey) {
        table.update("DELETE FROM MEMORY_MAPS WHERE CONTAINER = ? AND RKEY = ?", container, rkey);
    }

    long deleteOfContainer(String container) {
        return table.update("DELETE FROM MEMORY_MAPS WHERE CONTAINER = ?", container);
    }

    /** Deletes the rows of {@code host}'s containers that are not among {@code kept}. */
    long deleteOnHostExcept(String host, Collection<String> kept) {
        return table.deleteOnHostExcept("MEMORY_MAPS", host, kept);
    }
}
