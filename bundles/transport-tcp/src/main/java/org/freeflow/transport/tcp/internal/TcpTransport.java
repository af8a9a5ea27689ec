package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.LoopbackTransport;
import org.freeflow.router.api.transport.Transport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tcp} transport: work requests between containers on different
 * hosts, router to router over TCP (docs/transport-tcp.md).  The router asks
 * it after {@code local}: a destination that is no QP of this router is
 * looked up in the orchestrator's tables (off the pollers) and reached
 * through the peer router's listening port; until then, and while that
 * router cannot be reached, the requester's own timeouts run.
 */
@Component(service = Transport.class, configurationPid = "org.freeflow.transport.tcp")
@Designate(ocd = TcpTransport.Config.class)
public final class TcpTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    private static final long TTL_NANOS = 5_000_000_000L;
    /** How long a loopback's endpoints may take to connect (the router may start on busy CPUs). */
    private static final long LOOPBACK_CONNECT_NANOS = 10_000_000_000L;

    /** The transport's settings (etc/org.freeflow.transport.tcp.cfg). */
    @ObjectClassDefinition(name = "FreeFlow TCP transport", description = "RDMA between hosts over router-to-router "
            + "TCP connections")
    public @interface Config {

        @AttributeDefinition(name = "Port", description = "The TCP port every router listens on for the others")
        int port() default 7471;

        @AttributeDefinition(name = "Bind address", description = "The address to listen on; empty: all")
        String bindAddress() default "";

        @AttributeDefinition(name = "Connections per host", description = "TCP connections between this router "
                + "and each other one, the same on every host (a QP pair's traffic, both ways, always takes one)")
        int connectionsPerHost() default 1;

        @AttributeDefinition(name = "Unanswered MiB per connection", description = "Flow control: once this much "
                + "sent on a connection waits for its answer, requesters are held back. It bounds how long a frame "
                + "queues behind others, which counts against its QP's ACK timeout (timeout 14: 67 ms)")
        int maxUnansweredMiB() default 8;
    }

    /**
     * A requester connection whose router is not known yet holds at most this share of
     * maxUnansweredMiB; when it is, everything held leaves at once.
     */
    private static final int WAITING_SHARE = 8;

    private final Places destinations;
    private final PollerService poller;
    /** One of the two endpoints of a {@link TcpLoopback}, which serves no other router. */
    private final boolean loopbackEndpoint;
    private final LocalRouter router;
    private final Acceptor acceptor;
    private final int port;
    private final int connectionsPerHost;
    private final long maxUnansweredBytes;
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    /** The requester connections made and not closed yet. */
    private final Set<TcpConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId;
    private volatile OrchestratorService orchestrator;
    private volatile String localHost = "";
    /** The router's responders; bound dynamically: the router also uses this transport (no cycle in DS). */
    private volatile LocalResponders localResponders;

    @Activate
    public TcpTransport(@Reference PollerService poller, Config config) throws IOException {
        this(null, poller, config.port(), config.bindAddress(), config.connectionsPerHost(),
                (long) config.maxUnansweredMiB() << 20);
    }

    /**
     * Listens on {@code port} (0: any free one, for tests) of {@code bindAddress} (empty: all);
     * {@code responders} may be null until {@link #bindResponders} binds them.
     */
    TcpTransport(LocalResponders responders, PollerService poller, int port, String bindAddress,
            int connectionsPerHost, long maxUnansweredBytes) throws IOException {
        this(responders, poller, bindAddress.isBlank() ? new InetSocketAddress(port)
                : new InetSocketAddress(bindAddress.trim(), port), connectionsPerHost, maxUnansweredBytes, null, null);
        LOG.info("TCP transport listening on {}:{} ({} connection(s) per host)",
                bindAddress.isBlank() ? "*" : bindAddress.trim(), this.port, this.connectionsPerHost);
    }

    /**
     * @param places   where destinations are; null: the orchestrator's tables, every router on {@code bind}'s
     *                 port
     * @param hostName the name this endpoint gives its peers; null: this router's host in those tables
     */
    private TcpTransport(LocalResponders responders, PollerService poller, InetSocketAddress bind,
            int connectionsPerHost, long maxUnansweredBytes, Places places, String hostName) throws IOException {
        this.localResponders = responders;
        this.poller = poller;
        this.loopbackEndpoint = hostName != null;
        this.connectionsPerHost = Math.max(1, connectionsPerHost);
        this.maxUnansweredBytes = Math.max(1L << 20, maxUnansweredBytes);
        SecureRandom random = new SecureRandom();
        this.nextId = new AtomicLong(random.nextLong() & Long.MAX_VALUE);
        this.router = new LocalRouter(random.nextLong(), hostName == null ? this::localHostName : () -> hostName,
                destination -> {
                    LocalResponders r = localResponders;
                    return r == null ? Optional.empty() : r.responder(destination);
                }, poller, this::link);
        this.acceptor = new Acceptor(bind, router);
        this.port = bind.getPort() == 0 ? acceptor.port() : bind.getPort();
        this.destinations = places != null ? places
                : new Destinations(() -> orchestrator, this.port, TTL_NANOS, System::nanoTime);
    }

    /**
     * Two endpoints of this transport with this one's settings, on ephemeral ports of the loopback interface:
     * one requests, the other executes on {@code responders} ({@link TcpLoopback}).
     *
     * @throws UncheckedIOException when no socket can be opened there
     */
    @Override
    public Optional<LoopbackTransport> loopback(LocalResponders responders) {
        InetSocketAddress ephemeral = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        String responderHost = "loopback-responder";
        try {
            TcpTransport responding = new TcpTransport(responders, poller, ephemeral, 1, maxUnansweredBytes,
                    Places.only(Destinations.Place.NOWHERE), responderHost);
            try {
                Destinations.Place there = new Destinations.Place(responderHost,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), responding.port));
                TcpTransport requesting = new TcpTransport(null, poller, ephemeral, 1, maxUnansweredBytes,
                        Places.only(there), "loopback-requester");
                if (!requesting.connected(there)) {
                    requesting.close();
                    throw new IOException("its endpoints did not connect within "
                            + LOOPBACK_CONNECT_NANOS / 1_000_000 + " ms");
                }
                return Optional.of(new TcpLoopback(requesting, responding));
            } catch (IOException | RuntimeException e) {
                responding.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback TCP endpoint", e);
        }
    }

    /**
     * Dials {@code place}'s router and keeps the link connected; true once it is (HELLO answered), false
     * after {@link #LOOPBACK_CONNECT_NANOS}.
     */
    private boolean connected(Destinations.Place place) throws IOException {
        PeerLink l = link(place, 0);
        l.keepConnected();
        try {
            return l.awaitConnected(LOOPBACK_CONNECT_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the loopback connected");
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindResponders(LocalResponders responders) {
        localResponders = responders;
    }

    void unbindResponders(LocalResponders responders) {
        if (localResponders == responders) {
            localResponders = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindOrchestrator(OrchestratorService service) {
        orchestrator = service;
    }

    void unbindOrchestrator(OrchestratorService service) {
        if (orchestrator == service) {
            orchestrator = null;
        }
    }

    /** The port this transport listens on. */
    int port() {
        return port;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
        TcpConnection c = new TcpConnection(nextId.getAndIncrement(), requester, responder, acks,
                maxUnansweredBytes / WAITING_SHARE, open);
        destinations.resolve(responder).whenComplete((place, error) -> {
            if (place == null || !place.remote()) {
                c.unreachable();
            } else {
                c.attach(link(place, pairKey(requester, responder)));
            }
        });
        return Optional.of(c);
    }

    @Override
    public Optional<DatagramSink> datagrams(Destination destination) {
        Destinations.Place known = destinations.cached(destination);
        if (known != null && !known.remote()) {
            return Optional.empty(); // no router serves it (or this one does, and local did not find it)
        }
        return Optional.of(new DatagramRoute(destination, destinations::resolve, p -> link(p, destination.qpn())));
    }

    /**
     * The link to {@code place}'s router that {@code key} travels on: a requester connection's key is the
     * same at both ends of its QP pair ({@link #pairKey}), so the requests of both directions and their
     * answers share one TCP connection.
     */
    private PeerLink link(Destinations.Place place, long key) {
        PeerLink l = link(place.host(), (int) Long.remainderUnsigned(key, connectionsPerHost));
        l.dialTo(place.address());
        return l;
    }

    /** The link {@code index} to the router of {@code host}, made if there is none yet. */
    private PeerLink link(String host, int index) {
        return links.computeIfAbsent(host + "#" + index, n -> new PeerLink(host, index, router, maxUnansweredBytes));
    }

    /** The same for a QP pair whichever end asks: the link both directions of the pair take. */
    static long pairKey(Destination a, Destination b) {
        return Integer.toUnsignedLong(a.qpn() ^ b.qpn());
    }

    /** This router's host name in the orchestrator's tables (looked up once known; "" before). */
    private String localHostName() {
        String known = localHost;
        OrchestratorService o = orchestrator;
        if (!known.isEmpty() || o == null) {
            return known;
        }
        known = o.cluster().servers().stream().filter(n -> n.local()).map(n -> n.host()).findFirst().orElse("");
        localHost = known;
        return known;
    }

    /** How many TCP connections to other routers are open (tests). */
    int openConnections() {
        return router.openCount();
    }

    /** The links by host name and index (tests). */
    Map<String, PeerLink> links() {
        return links;
    }

    @Deactivate
    public void close() {
        acceptor.close();
        links.values().forEach(PeerLink::close);
        open.forEach(TcpConnection::forget); // the memory their frames held is let go
        router.closeAll();
        destinations.close();
        if (!loopbackEndpoint) {
            LOG.info("TCP transport stopped");
        }
    }
}
