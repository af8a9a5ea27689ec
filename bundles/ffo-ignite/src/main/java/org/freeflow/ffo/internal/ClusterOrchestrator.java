package org.freeflow.ffo.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.ffo.internal.alloc.QpnLeases;
import org.freeflow.ffo.internal.ignite.IgniteNode;
import org.freeflow.ffo.internal.ignite.NodeSettings;
import org.freeflow.ffo.internal.ignite.ResourceTables;
import org.freeflow.ffo.internal.ignite.SqlContainerStore;
import org.freeflow.ffo.internal.ignite.SqlHostStore;
import org.freeflow.ffo.internal.registry.ContainerStore;
import org.freeflow.ffo.internal.registry.Membership;
import org.freeflow.ffo.internal.registry.Registrar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's services on a running node: it exists only once the node
 * has joined the cluster and its tables are in place, so no call waits for a
 * start.  A thread of its own ({@code ffo-membership}) keeps this router's
 * HOSTS row alive and, on the oldest server, marks hosts whose node left as
 * LOST, at once on Ignite's node-left events and every heartbeat besides.
 * Writes of QPS and MEMORY_MAPS rows run on {@code ffo-writes} in the order
 * asked; QPNs come from leases refilled on {@code ffo-qpn-leases}.
 * After {@link #close()} (or the node's own stop) calls fail.
 */
final class ClusterOrchestrator implements OrchestratorService, OrchestratorAdminService, ContainerReservations,
        AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterOrchestrator.class);
    /** QPNs per lease: a router asks the cluster once per this many ibv_create_qp. */
    static final int QPN_LEASE = 1024;

    private final IgniteNode node;
    private final ContainerStore store;
    private final Registrar registrar;
    private final Membership membership;
    private final ScheduledExecutorService worker;
    private final ResourceTables resources;
    private final ExecutorService writes = singleThread("ffo-writes");
    private final ExecutorService leasing = singleThread("ffo-qpn-leases");
    private final QpnLeases qpns;
    private volatile String registeredHost;

    private ClusterOrchestrator(IgniteNode node, RegistrySettings registry) {
        this.node = node;
        this.resources = new ResourceTables(node);
        this.qpns = new QpnLeases(node::takeQpnValues, resources::qpnsInUse, QPN_LEASE, leasing);
        this.store = new SqlContainerStore(node.containersCache());
        this.registrar = new Registrar(store, node.allocationLock(), node::nextContainerId, registry.network(),
                Clock.systemUTC(), registry.reservationWindow());
        this.membership = new Membership(new SqlHostStore(node.hostsCache()), store, node.allocationLock(),
                Clock.systemUTC());
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ffo-membership"));
        node.onNodeLeft(() -> worker.execute(this::reconcileIfOldest));
        worker.scheduleWithFixedDelay(this::heartbeat, registry.heartbeatMillis(), registry.heartbeatMillis(),
                TimeUnit.MILLISECONDS);
        worker.execute(this::reconcileIfOldest); // a node may have left while none was there to see it
        node.onStop(this::stopThreads); // however the node stops, nothing of it keeps working on
    }

    private void stopThreads() {
        worker.shutdownNow();
        writes.shutdown();
        leasing.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(r -> daemon(r, name));
    }

    /** Starts the node (blocking until it is in the cluster with its tables) and serves from it. */
    static ClusterOrchestrator start(NodeSettings settings, RegistrySettings registry) {
        IgniteNode node = IgniteNode.start(settings);
        try {
            return new ClusterOrchestrator(node, registry);
        } catch (RuntimeException | Error e) {
            node.close(); // a node that cannot serve leaves the cluster at once
            throw e;
        }
    }

    /** Calls {@code onStop} once, when the node stops for any reason (a failure included). */
    void onNodeStop(Runnable onStop) {
        node.onStop(onStop);
    }

    private Set<String> liveServers() {
        return node.servers().stream().map(IgniteNode.ServerNode::id).collect(Collectors.toSet());
    }

    /** On the oldest server: hosts whose node left become LOST, ended reservations go. */
    private void reconcileIfOldest() {
        try {
            if (node.running() && node.oldestServer()) {
                membership.reconcile(liveServers());
                registrar.sweep();
            }
        } catch (RuntimeException e) {
            if (node.running()) {
                LOG.warn("Reconciling the hosts with the cluster failed (the next heartbeat retries)", e);
            }
        }
    }

    private void heartbeat() {
        String host = registeredHost;
        try {
            if (host != null && node.running() && !membership.heartbeat(host, node.localNodeId())) {
                LOG.warn("Host {} is no longer held by this router's node (another router took the name):"
                        + " its heartbeats no longer count", host);
            }
            reconcileIfOldest();
        } catch (RuntimeException e) {
            if (node.running()) {
                LOG.warn("Heartbeat of host {} failed", host, e);
            }
        }
    }

    @Override
    public boolean isReady() {
        return node.running();
    }

    @Override
    public List<ContainerRecord> containers() {
        return store.all();
    }

    @Override
    public Optional<ContainerRecord> container(String name) {
        return name == null ? Optional.empty() : store.byName(name);
    }

    @Override
    public Optional<ContainerRecord> containerByLid(int lid) {
        return store.byLid(lid);
    }

    @Override
    public List<HostRecord> hosts() {
        return membership.all();
    }

    @Override
    public ClusterView cluster() {
        Map<String, String> hosts = membership.hostsByNode();
        List<ClusterView.Node> servers = new ArrayList<>();
        for (IgniteNode.ServerNode n : node.servers()) {
            servers.add(new ClusterView.Node(n.id(), hosts.getOrDefault(n.id(), ""), n.addresses(), n.local()));
        }
        return new ClusterView(node.topologyVersion(), servers);
    }

    @Override
    public QueryResult query(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("no SQL statement");
        }
        return node.query(sql);
    }

    @Override
    public ContainerRecord registerContainer(String name, String tenant, String host) {
        return registrar.register(name, tenant, host);
    }

    @Override
    public void unregisterContainer(String name) {
        registrar.unregister(name);
        if (name != null) {
            inWriteOrder(() -> resources.dropContainer(name)).join(); // after its writes still queued
        }
    }

    @Override
    public List<Reservation> reservations() {
        return registrar.reservations();
    }

    @Override
    public Reservation reserve(String name, Instant until) {
        return registrar.reserve(name, until);
    }

    @Override
    public boolean release(String name) {
        return registrar.release(name);
    }

    @Override
    public HostRecord registerHost(String name, String routerVersion, Collection<ContainerRecord> served) {
        HostRecord record = membership.register(name, node.advertisedAddress(), routerVersion, node.localNodeId(),
                served, liveServers());
        registeredHost = record.name();
        List<String> kept = served.stream().map(ContainerRecord::name).toList();
        inWriteOrder(() -> resources.dropOnHostExcept(name, kept)).join();
        return record;
    }

    @Override
    public int allocateQpn() {
        return qpns.allocate();
    }

    @Override
    public CompletionStage<Void> publishMemoryRegion(MemoryRegionRecord region) {
        return inWriteOrder(() -> resources.putRegion(region));
    }

    @Override
    public CompletionStage<Void> removeMemoryRegion(String container, int rkey) {
        return inWriteOrder(() -> resources.deleteRegion(container, rkey));
    }

    @Override
    public CompletionStage<Void> publishQueuePairs(Collection<QueuePairRecord> queuePairs) {
        List<QueuePairRecord> copy = List.copyOf(queuePairs);
        return inWriteOrder(() -> resources.putQueuePairs(copy));
    }

    @Override
    public CompletionStage<Void> removeQueuePairs(Collection<Integer> qpns) {
        List<Integer> copy = List.copyOf(qpns);
        return inWriteOrder(() -> resources.deleteQueuePairs(copy));
    }

    @Override
    public Optional<MemoryRegionRecord> memoryRegion(String container, int rkey) {
        return resources.region(container, rkey);
    }

    @Override
    public List<QueuePairRecord> queuePairs() {
        return resources.queuePairs();
    }

    /** Runs {@code write} on ffo-writes, after every write asked before it. */
    private CompletableFuture<Void> inWriteOrder(Runnable write) {
        try {
            return CompletableFuture.runAsync(write, writes);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the orchestrator is closed"));
        }
    }

    @Override
    public void close() {
        stopThreads();
        try {
            writes.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resources.close();
        node.close();
    }
}
