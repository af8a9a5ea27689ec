package org.freeflow.ffo.internal.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.internal.alloc.Gids;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.alloc.LowestFree;
import org.freeflow.ffo.internal.alloc.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration and its allocations (virtual IP, LID, GID), done as one
 * read-modify-write under the cluster lock so two routers never hand out the
 * same address; and the reservations that keep a detached container's
 * addresses for it (offline migration), which every allocation respects.
 * Storage, lock, id source and clock are given, which keeps this pure.
 */
public final class Registrar {

    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

    private final ContainerStore store;
    private final ClusterLock lock;
    private final LongSupplier containerIds;
    private final Ipv4Network network;
    private final Clock clock;
    private final Duration reservationWindow;

    /**
     * @param containerIds      a cluster-wide sequence; its values are mapped to
     *                          32-bit GID ids (see {@link Gids#idFromSequence})
     * @param reservationWindow how long a detached container's addresses are
     *                          held for it; zero frees them at detach
     */
    public Registrar(ContainerStore store, ClusterLock lock, LongSupplier containerIds, Ipv4Network network,
            Clock clock, Duration reservationWindow) {
        if (reservationWindow.isNegative()) {
            throw new IllegalArgumentException("negative reservation window " + reservationWindow);
        }
        this.store = store;
        this.lock = lock;
        this.containerIds = containerIds;
        this.network = network;
        this.clock = clock;
        this.reservationWindow = reservationWindow;
    }

    public ContainerRecord register(String name, String tenant, String host) {
        String checkedName = Names.container(name);
        String checkedTenant = Names.tenant(tenant);
        String checkedHost = Names.host(host);
        return lock.withLock(() -> {
            endReservations(); // what they held is free for this allocation
            Optional<ContainerRecord> existing = store.byName(checkedName);
            if (existing.isPresent() && ContainerRecord.RESERVED.equals(existing.get().state())) {
                return takeOver(existing.get(), checkedTenant, checkedHost);
            }
            if (existing.isPresent()) {
                ContainerRecord same = sameHost(existing.get(), checkedHost);
                if (!ContainerRecord.RUNNING.equals(same.state())) {
                    store.setState(same.name(), ContainerRecord.RUNNING); // its router re-claims it
                    return same.withState(ContainerRecord.RUNNING);
                }
                return same;
            }
            List<ContainerRecord> all = store.all();
            List<String> ips = new ArrayList<>(all.size());
            List<Integer> lids = new ArrayList<>(all.size());
            Set<String> gids = new HashSet<>();
            for (ContainerRecord r : all) {
                ips.add(r.virtualIp());
                lids.add(r.lid());
                gids.add(r.gid());
            }
            ContainerRecord record = new ContainerRecord(checkedName, checkedTenant, checkedHost,
                    network.lowestFree(ips), network.prefixLength(), LowestFree.lid(lids),
                    freshGid(gids), ContainerRecord.RUNNING);
            store.insert(record);
            LOG.info("Registered container {} (tenant {}) on {}: vIP {}/{}, LID {}, GID {}", record.name(),
                    record.tenant(), record.host(), record.virtualIp(), record.prefixLength(), record.lid(),
                    record.gid());
            return record;
        });
    }

    /** The reserved container starts again on {@code host}, with its addresses. */
    private ContainerRecord takeOver(ContainerRecord reserved, String tenant, String host) {
        if (!reserved.tenant().equals(tenant)) {
            throw new IllegalStateException("container " + reserved.name() + " is reserved for tenant "
                    + reserved.tenant() + ", not " + tenant);
        }
        store.moveTo(reserved.name(), host);
        ContainerRecord moved = reserved.withHost(host).withState(ContainerRecord.RUNNING);
        LOG.info("Container {} (tenant {}) started on {}{} with its reserved addresses: vIP {}/{}, LID {}, GID {}",
                moved.name(), moved.tenant(), host, reserved.host().equals(host) ? "" : " (last on " + reserved.host()
                        + ")", moved.virtualIp(), moved.prefixLength(), moved.lid(), moved.gid());
        return moved;
    }

    private static ContainerRecord sameHost(ContainerRecord existing, String host) {
        if (!existing.host().equals(host)) {
            throw new IllegalStateException("container " + existing.name() + " is already registered on host "
                    + existing.host());
        }
        return existing;
    }

    private String freshGid(Set<String> used) {
        for (int attempt = 0; attempt < 1024; attempt++) {
            String gid = Gids.of(Gids.idFromSequence(containerIds.getAsLong()));
            if (!used.contains(gid)) {
                return gid;
            }
        }
        throw new IllegalStateException("no free container id found for a GID");
    }

    /**
     * The container is detached: RESERVED for the window (its addresses held),
     * or removed when the window is zero.  A reserved or unknown name is left
     * as it is.
     */
    public void unregister(String name) {
        if (name == null) {
            return;
        }
        String outcome = lock.withLock(() -> {
            Optional<ContainerRecord> existing = store.byName(name);
            if (existing.isEmpty() || ContainerRecord.RESERVED.equals(existing.get().state())) {
                return null;
            }
            if (reservationWindow.isZero()) {
                store.delete(name);
                return "its addresses freed";
            }
            Instant until = clock.instant().plus(reservationWindow);
            store.reserve(name, until);
            return "its addresses reserved until " + until;
        });
        if (outcome != null) {
            LOG.info("Unregistered container {}: {}", name, outcome);
        }
    }

    /** Every reservation that has not ended, ordered by name. */
    public List<ContainerReservations.Reservation> reservations() {
        Instant now = clock.instant();
        return store.reservations().stream().filter(r -> r.until() == null || !r.until().isBefore(now)).toList();
    }

    /** Holds a reserved container's addresses until {@code until} (null: until released). */
    public ContainerReservations.Reservation reserve(String name, Instant until) {
        String checkedName = Names.container(name);
        if (until != null && until.isBefore(clock.instant())) {
            throw new IllegalArgumentException("a reservation cannot end in the past (" + until + ")");
        }
        return lock.withLock(() -> {
            endReservations();
            ContainerRecord r = store.byName(checkedName).orElseThrow(() -> new IllegalStateException(
                    "container " + checkedName + " is not registered"));
            if (!ContainerRecord.RESERVED.equals(r.state())) {
                throw new IllegalStateException("container " + checkedName + " is " + r.state() + " on " + r.host()
                        + ": its addresses are reserved when it detaches");
            }
            store.reserve(checkedName, until);
            LOG.info("Reservation of container {} now lasts {}", checkedName, until == null ? "until released"
                    : "until " + until);
            return new ContainerReservations.Reservation(r, until);
        });
    }

    /** Frees a reserved container's addresses now; false when it had no reservation. */
    public boolean release(String name) {
        String checkedName = Names.container(name);
        boolean released = lock.withLock(() -> store.byName(checkedName)
                .filter(r -> ContainerRecord.RESERVED.equals(r.state()))
                .map(r -> store.delete(checkedName)).orElse(false));
        if (released) {
            LOG.info("Reservation of container {} released: its addresses are free", checkedName);
        }
        return released;
    }

    /** Removes the reservations that ended (the oldest server does so every heartbeat). */
    public List<String> sweep() {
        return lock.withLock(this::endReservations);
    }

    /** Under the lock: the reservations that ended are removed. */
    private List<String> endReservations() {
        List<String> ended = store.deleteReservationsEndedBefore(clock.instant());
        if (!ended.isEmpty()) {
            LOG.info("Reservations ended, addresses freed: {}", ended);
        }
        return ended;
    }
}
