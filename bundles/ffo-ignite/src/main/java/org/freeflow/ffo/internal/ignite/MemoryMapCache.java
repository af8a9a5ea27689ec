package org.freeflow.ffo.internal.ignite;

import java.sql.Timestamp;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.freeflow.ffo.api.MemoryRegionRecord;

/**
 * This node's copy of MEMORY_MAPS, for lookups without a cluster round trip:
 * filled by a scan and kept current by a continuous query whose events win
 * over the scan (an entry changed or removed while the scan ran is taken from
 * its event).
 */
final class MemoryMapCache implements AutoCloseable {

    private record Key(String container, int rkey) {
    }

    private final ConcurrentMap<Key, MemoryRegionRecord> regions = new ConcurrentHashMap<>();
    private final Set<Key> changedWhileScanning = ConcurrentHashMap.newKeySet();
    private volatile boolean scanning = true;
    private final QueryCursor<Cache.Entry<BinaryObject, BinaryObject>> cursor;

    MemoryMapCache(IgniteCache<Object, Object> cache) {
        IgniteCache<BinaryObject, BinaryObject> binary = cache.withKeepBinary();
        ContinuousQuery<BinaryObject, BinaryObject> query = new ContinuousQuery<>();
        query.setInitialQuery(new ScanQuery<>());
        query.setLocalListener(events -> {
            for (CacheEntryEvent<? extends BinaryObject, ? extends BinaryObject> e : events) {
                apply(e);
            }
        });
        cursor = follow(binary, query);
        for (Cache.Entry<BinaryObject, BinaryObject> e : cursor) {
            Key key = key(e.getKey());
            if (!changedWhileScanning.contains(key)) {
                regions.putIfAbsent(key, record(e.getKey(), e.getValue()));
            }
        }
        scanning = false;
        changedWhileScanning.clear();
    }

    /**
     * Starts the continuous query; again, a few times, when Ignite refuses it
     * because the topology moved under it (a node joining at the same time).
     */
    private static QueryCursor<Cache.Entry<BinaryObject, BinaryObject>> follow(
            IgniteCache<BinaryObject, BinaryObject> cache, ContinuousQuery<BinaryObject, BinaryObject> query) {
        return Retries.retry("the continuous query of MEMORY_MAPS", 5, attempt -> 500L * attempt,
                e -> e instanceof CacheException || e instanceof IllegalStateException, () -> cache.query(query));
    }

    private void apply(CacheEntryEvent<? extends BinaryObject, ? extends BinaryObject> e) {
        Key key = key(e.getKey());
        if (scanning) {
            changedWhileScanning.add(key);
        }
        if (e.getEventType() == EventType.REMOVED || e.getEventType() == EventType.EXPIRED || e.getValue() == null) {
            regions.remove(key);
        } else {
            regions.put(key, record(e.getKey(), e.getValue()));
        }
    }

    Optional<MemoryRegionRecord> get(String container, int rkey) {
        return Optional.ofNullable(regions.get(new Key(container, rkey)));
    }

    int size() {
        return regions.size();
    }

    private static Key key(BinaryObject key) {
        return new Key(key.field("CONTAINER"), key.<Integer>field("RKEY"));
    }

    private static MemoryRegionRecord record(BinaryObject key, BinaryObject value) {
        Timestamp at = value.field("REGISTERED_AT");
        return new MemoryRegionRecord(key.field("CONTAINER"), key.<Integer>field("RKEY"), value.<Integer>field("LKEY"),
                value.field("HOST"), value.<Integer>field("PD"), value.<Long>field("ADDRESS"),
                value.<Long>field("LENGTH"), value.<Integer>field("ACCESS"), at.toInstant());
    }

    @Override
    public void close() {
        cursor.close();
    }
}
