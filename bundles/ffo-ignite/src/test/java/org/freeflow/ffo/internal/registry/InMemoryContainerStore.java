package org.freeflow.ffo.internal.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.freeflow.ffo.api.ContainerRecord;

/** A {@link ContainerStore} in a map, for tests of the allocation logic. */
final class InMemoryContainerStore implements ContainerStore {

    private final Map<String, ContainerRecord> rows = new ConcurrentSkipListMap<>();
    /** The next setState fails, as an update does while the topology changes. */
    boolean failNextStateChange;

    @Override
    public List<ContainerRecord> all() {
        return List.copyOf(rows.values());
    }

    @Override
    public Optional<ContainerRecord> byName(String name) {
        return Optional.ofNullable(rows.get(name));
    }

    @Override
    public Optional<ContainerRecord> byLid(int lid) {
        return rows.values().stream().filter(r -> r.lid() == lid).findFirst();
    }

    @Override
    public List<ContainerRecord> onHost(String host) {
        return rows.values().stream().filter(r -> r.host().equals(host)).toList();
    }

    @Override
    public boolean setState(String name, String state) {
        if (failNextStateChange) {
            failNextStateChange = false;
            throw new IllegalStateException("Failed to update keys (retry update if possible)");
        }
        return rows.computeIfPresent(name, (n, r) -> r.withState(state)) != null;
    }

    @Override
    public void insert(ContainerRecord record) {
        if (rows.putIfAbsent(record.name(), record) != null) {
            throw new IllegalStateException("duplicate key " + record.name());
        }
    }

    @Override
    public boolean delete(String name) {
        return rows.remove(name) != null;
    }
}
