package org.freeflow.ffo.internal.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.freeflow.ffo.api.HostRecord;

/** A {@link HostStore} in a map, for tests of the membership logic. */
final class InMemoryHostStore implements HostStore {

    private final Map<String, HostRow> rows = new ConcurrentSkipListMap<>();

    @Override
    public List<HostRow> all() {
        return List.copyOf(rows.values());
    }

    @Override
    public Optional<HostRow> byName(String name) {
        return Optional.ofNullable(rows.get(name));
    }

    @Override
    public void put(HostRow row) {
        rows.put(row.record().name(), row);
    }

    @Override
    public boolean setState(String name, String state) {
        return rows.computeIfPresent(name, (n, row) -> {
            HostRecord r = row.record();
            return new HostRow(new HostRecord(r.name(), r.address(), r.routerVersion(), state, r.joined(),
                    r.lastSeen()), row.nodeId());
        }) != null;
    }

    @Override
    public boolean heartbeat(String name, String nodeId, Instant now) {
        HostRow row = rows.get(name);
        if (row == null || !row.nodeId().equals(nodeId)) {
            return false;
        }
        HostRecord r = row.record();
        rows.put(name, new HostRow(new HostRecord(r.name(), r.address(), r.routerVersion(), r.state(), r.joined(),
                now), nodeId));
        return true;
    }
}
