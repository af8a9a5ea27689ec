package org.freeflow.transport.tcp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.router.api.transport.Destination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a destination LID (or GID) lives: the router of the host that serves
 * its container, from the orchestrator's CONTAINERS and HOSTS tables.  The
 * lookups (cluster queries) run on a thread of their own, never on a
 * poller; what they found is kept for {@link #ttlNanos} (a container that
 * moved is found on its new host once that ran out), an unknown destination
 * for a tenth of it.
 */
final class Destinations implements Places {

    private static final Logger LOG = LoggerFactory.getLogger(Destinations.class);

    /**
     * The router of a destination: its host, and the address its TCP
     * transport listens on; {@code address} is null when the destination is
     * unknown, or a container of this router's own host (no TCP to itself).
     */
    record Place(String host, InetSocketAddress address) {
        static final Place NOWHERE = new Place(null, null);

        boolean remote() {
            return address != null;
        }
    }

    private record Entry(Place place, long until) {
    }

    private final Supplier<OrchestratorService> orchestrator;
    private final int port;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Place>> lookups = new ConcurrentHashMap<>();
    private final ExecutorService resolver = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "freeflow-tcp-resolver");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param orchestrator the orchestrator now (null while there is none)
     * @param port         the port every router's TCP transport listens on
     */
    Destinations(Supplier<OrchestratorService> orchestrator, int port, long ttlNanos, LongSupplier clock) {
        this.orchestrator = orchestrator;
        this.port = port;
        this.ttlNanos = ttlNanos;
        this.clock = clock;
    }

    private static String key(Destination d) {
        return d.lid() != 0 ? "lid:" + d.lid() : "gid:" + (d.gid() == null ? "" : HexFormat.of().formatHex(d.gid()));
    }

    /** The place found before, while it is fresh; null otherwise (never blocks). */
    @Override
    public Place cached(Destination destination) {
        Entry e = cache.get(key(destination));
        return e != null && clock.getAsLong() - e.until < 0 ? e.place : null;
    }

    /** Where {@code destination} lives: at once when cached, else after a lookup on the resolver thread. */
    @Override
    public CompletableFuture<Place> resolve(Destination destination) {
        String key = key(destination);
        Place known = cached(destination);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Place> lookup = lookups.computeIfAbsent(key,
                k -> CompletableFuture.supplyAsync(() -> lookUp(destination), resolver));
        lookup.whenComplete((place, error) -> {
            Place found = place == null ? Place.NOWHERE : place;
            long ttl = found.remote() ? ttlNanos : ttlNanos / 10;
            cache.put(key, new Entry(found, clock.getAsLong() + ttl));
            lookups.remove(key, lookup);
        });
        return lookup;
    }

    /** Forgets what is known of {@code destination}'s place (its router could not be reached). */
    void forget(Destination destination) {
        cache.remove(key(destination));
    }

    private Place lookUp(Destination destination) {
        OrchestratorService o = orchestrator.get();
        if (o == null || !o.isReady()) {
            return Place.NOWHERE;
        }
        try {
            Optional<ContainerRecord> container = destination.lid() != 0 ? o.containerByLid(destination.lid())
                    : o.containers().stream().filter(c -> sameGid(destination.gid(), c.gid())).findFirst();
            if (container.isEmpty() || !ContainerRecord.RUNNING.equals(container.get().state())) {
                return Place.NOWHERE;
            }
            String host = container.get().host();
            if (host.equals(localHost(o.cluster()))) {
                return new Place(host, null);
            }
            for (HostRecord h : o.hosts()) {
                if (h.name().equals(host) && HostRecord.RUNNING.equals(h.state()) && !h.address().isEmpty()) {
                    return new Place(host, new InetSocketAddress(h.address(), port));
                }
            }
            return new Place(host, null);
        } catch (RuntimeException e) {
            LOG.debug("looking up {}", destination, e);
            return Place.NOWHERE;
        }
    }

    /** True when {@code printed} (a GID as CONTAINERS prints it, IPv6-style) is {@code gid}. */
    private static boolean sameGid(byte[] gid, String printed) {
        if (gid == null || printed == null || printed.indexOf(':') < 0) {
            return false;
        }
        try {
            return Arrays.equals(gid, InetAddress.getByName(printed).getAddress()); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String localHost(ClusterView cluster) {
        return cluster.servers().stream().filter(ClusterView.Node::local).map(ClusterView.Node::host).findFirst()
                .orElse("");
    }

    @Override
    public void close() {
        resolver.shutdownNow();
    }
}
