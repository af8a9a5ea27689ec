package org.freeflow.ffo.internal.ignite;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.QueuePairRecord;

/**
 * What containers hold, cluster-wide: the QPS and MEMORY_MAPS tables, and
 * this node's continuously updated copy of the memory maps.
 */
public final class ResourceTables implements AutoCloseable {

    private final SqlQueuePairStore queuePairs;
    private final SqlMemoryMapStore memoryMaps;
    private final MemoryMapCache memoryMapCache;

    public ResourceTables(IgniteNode node) {
        this.queuePairs = new SqlQueuePairStore(node.queuePairsCache(), node.containersCache());
        this.memoryMaps = new SqlMemoryMapStore(node.memoryMapsCache(), node.binary());
        this.memoryMapCache = new MemoryMapCache(node.memoryMapsCache());
    }

    public void putRegion(MemoryRegionRecord region) {
        memoryMaps.put(region);
    }

    public void deleteRegion(String container, int rkey) {
        memoryMaps.delete(container, rkey);
    }

    /** The region from this node's copy. */
    public Optional<MemoryRegionRecord> region(String container, int rkey) {
        return memoryMapCache.get(container, rkey);
    }

    public void putQueuePairs(Collection<QueuePairRecord> qps) {
        queuePairs.put(qps);
    }

    public void deleteQueuePairs(Collection<Integer> qpns) {
        queuePairs.delete(qpns);
    }

    public List<QueuePairRecord> queuePairs() {
        return queuePairs.all();
    }

    /** The QPNs of {@code low..high} a QP of the cluster holds. */
    public Set<Integer> qpnsInUse(int low, int high) {
        return queuePairs.inUseBetween(low, high);
    }

    /** Drops every row of {@code container} (it is gone). */
    public void dropContainer(String container) {
        queuePairs.deleteOfContainer(container);
        memoryMaps.deleteOfContainer(container);
    }

    /** Drops the rows of {@code host}'s containers other than {@code kept} (its router serves only those). */
    public void dropOnHostExcept(String host, Collection<String> kept) {
        queuePairs.deleteOnHostExcept(host, kept);
        memoryMaps.deleteOnHostExcept(host, kept);
    }

    @Override
    public void close() {
        memoryMapCache.close();
    }
}
