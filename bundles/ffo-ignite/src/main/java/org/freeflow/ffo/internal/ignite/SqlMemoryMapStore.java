package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.util.Collection;

import org.apache.ignite.IgniteBinary;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.freeflow.ffo.api.MemoryRegionRecord;

/**
 * The MEMORY_MAPS table's writes (reads come from {@link MemoryMapCache}).
 * One region's row is put and removed through the cache's key-value API, as
 * the binary objects of the table's key and value types (what SQL reads):
 * ibv_reg_mr and ibv_dereg_mr wait for it, and a SQL statement costs
 * milliseconds where a put costs tens of microseconds.  Bulk deletes use SQL.
 */
final class SqlMemoryMapStore {

    static final String KEY_TYPE = "org.freeflow.ffo.MemoryMapKey";
    static final String VALUE_TYPE = "org.freeflow.ffo.MemoryMap";

    private final SqlTable table;
    private final IgniteCache<BinaryObject, BinaryObject> rows;
    private final IgniteBinary binary;

    SqlMemoryMapStore(IgniteCache<Object, Object> cache, IgniteBinary binary) {
        this.table = new SqlTable(cache);
        this.rows = cache.withKeepBinary();
        this.binary = binary;
    }

    private BinaryObject key(String container, int rkey) {
        return binary.builder(KEY_TYPE).setField("CONTAINER", container).setField("RKEY", rkey).build();
    }

    void put(MemoryRegionRecord r) {
        BinaryObject value = binary.builder(VALUE_TYPE).setField("LKEY", r.lkey()).setField("HOST", r.host())
                .setField("PD", r.pd()).setField("ADDRESS", r.address()).setField("LENGTH", r.length())
                .setField("ACCESS", r.access()).setField("REGISTERED_AT", Timestamp.from(r.registeredAt())).build();
        rows.put(key(r.container(), r.rkey()), value);
    }

    void delete(String container, int rkey) {
        rows.remove(key(container, rkey));
    }

    long deleteOfContainer(String container) {
        return table.update("DELETE FROM MEMORY_MAPS WHERE CONTAINER = ?", container);
    }

    /** Deletes the rows of {@code host}'s containers that are not among {@code kept}. */
    long deleteOnHostExcept(String host, Collection<String> kept) {
        return table.deleteOnHostExcept("MEMORY_MAPS", host, kept);
    }
}
