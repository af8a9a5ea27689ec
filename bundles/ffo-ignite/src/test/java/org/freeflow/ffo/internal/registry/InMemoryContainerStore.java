package org.freeflow.ffo.internal.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;

/** A {@link ContainerStore} in a map, for tests of the allocation logic. */
final class InMemoryContainerStore implements ContainerStore {

    private final Map<String, ContainerRecord> rows = new ConcurrentSkipListMap<>();
    /** RESERVED_UNTIL of the reserved rows that have one. */
    private final Map<String, Instant> reservedUntil = new HashMap<>();
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
        reservedUntil.remove(name);
        return rows.remove(name) != null;
    }

    @Override
    public synchronized boolean reserve(String name, Instant until) {
        if (rows.computeIfPresent(name, (n, r) -> r.withState(ContainerRecord.RESERVED)) == null) {
            return false;
        }
        if (until == null) {
            reservedUntil.remove(name);
        } else {
            reservedUntil.put(name, until);
        }
        return true;
    }

    @Override
    public synchronized List<ContainerReservations.Reservation> reservations() {
        return rows.values().stream().filter(r -> ContainerRecord.RESERVED.equals(r.state()))
                .map(r -> new ContainerReservations.Reservation(r, reservedUntil.get(r.name()))).toList();
    }

    /** When the reservation of a RESERVED container ends (empty: until released, or not reserved). */
    synchronized Optional<Instant> reservedUntil(String name) {
        ContainerRecord r = rows.get(name);
        return r != null && ContainerRecord.RESERVED.equals(r.state()) ? Optional.ofNullable(reservedUntil.get(name))
                : Optional.empty();
    }

    @Override
    public synchronized boolean moveTo(String name, String host) {
        ContainerRecord r = rows.get(name);
        if (r == null || !ContainerRecord.RESERVED.equals(r.state())) {
            return false;
        }
        rows.put(name, r.withHost(host).withState(ContainerRecord.RUNNING));
        reservedUntil.remove(name);
        return true;
    }

    @Override
    public synchronized List<String> deleteReservationsEndedBefore(Instant now) {
        List<String> ended = new ArrayList<>();
        for (ContainerRecord r : rows.values()) {
            Instant until = reservedUntil.get(r.name());
            if (ContainerRecord.RESERVED.equals(r.state()) && until != null && until.isBefore(now)) {
                ended.add(r.name());
            }
        }
        ended.forEach(this::delete);
        return ended;
    }
}
