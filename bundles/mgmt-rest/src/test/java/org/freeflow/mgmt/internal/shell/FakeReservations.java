package org.freeflow.mgmt.internal.shell;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;

/** Reservations in a map, recording what the commands asked. */
final class FakeReservations implements ContainerReservations {

    final Map<String, Reservation> held = new TreeMap<>();
    final List<String> asked = new ArrayList<>();

    void detached(String name, Instant until) {
        held.put(name, new Reservation(new ContainerRecord(name, "acme", "h1", "10.98.0.7", 16, 7, "fe80::4646:0:7",
                ContainerRecord.RESERVED), until));
    }

    @Override
    public List<Reservation> reservations() {
        return List.copyOf(held.values());
    }

    @Override
    public Reservation reserve(String name, Instant until) {
        asked.add("reserve " + name + " " + until);
        Reservation r = held.get(name);
        if (r == null) {
            throw new IllegalStateException("container " + name + " is not registered");
        }
        Reservation longer = new Reservation(r.container(), until);
        held.put(name, longer);
        return longer;
    }

    @Override
    public boolean release(String name) {
        asked.add("release " + name);
        return held.remove(name) != null;
    }
}
