package org.freeflow.ffo.internal.ignite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import javax.cache.CacheException;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteAtomicSequence;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteState;
import org.apache.ignite.IgniteSystemProperties;
import org.apache.ignite.IgnitionListener;
import org.apache.ignite.Ignition;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.AtomicConfiguration;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.SystemDataRegionConfiguration;
import org.apache.ignite.events.Event;
import org.apache.ignite.events.EventType;
import org.apache.ignite.failure.StopNodeFailureHandler;
import org.apache.ignite.lang.IgnitePredicate;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.internal.alloc.Qpns;
import org.freeflow.ffo.internal.registry.ClusterLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Ignite server node and the cluster objects FFO keeps in it:
 * the tables ({@link Schema}), the allocation lock, the container-id
 * sequence and the QPN counter; and what it knows of the cluster (servers, topology, nodes
 * leaving).
 */
public final class IgniteNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IgniteNode.class);
    private static final long MIB = 1024L * 1024L;
    private static final String META_CACHE = "FF_META";
    private static final String LOCKS_CACHE = "FF_LOCKS";
    private static final String ALLOC_LOCK = "ffo.alloc";
    private static final String COUNTERS_CACHE = "FF_COUNTERS";
    private static final String QPN_COUNTER = "ffo.qpn";
    private static final String CONTAINER_ID_SEQUENCE = "ffo.containerId";
    private static final int CONTAINER_ID_RESERVE = 8;

    private final Ignite ignite;
    private final IgniteCache<String, Long> counters;
    private final IgniteAtomicSequence containerIds;
    private final IgniteCache<String, Boolean> locks;
    private final IgniteCache<Object, Object> meta;

    private IgniteNode(Ignite ignite) {
        this.ignite = ignite;
        this.meta = ignite.getOrCreateCache(new CacheConfiguration<>(META_CACHE)
                .setCacheMode(CacheMode.REPLICATED).setSqlSchema("PUBLIC"));
        // an explicit lock of a transactional cache: released when its holder's node leaves, however it leaves
        this.locks = ignite.getOrCreateCache(new CacheConfiguration<String, Boolean>(LOCKS_CACHE)
                .setCacheMode(CacheMode.REPLICATED).setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL));
        Schema.create(meta);
        // leases of QPN values are compare-and-set steps of one counter: an atomic sequence's getAndAdd beyond
        // its batch handed two nodes overlapping ranges when they leased at once
        this.counters = ignite.getOrCreateCache(new CacheConfiguration<String, Long>(COUNTERS_CACHE)
                .setCacheMode(CacheMode.REPLICATED).setAtomicityMode(CacheAtomicityMode.ATOMIC)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC));
        this.containerIds = ignite.atomicSequence(CONTAINER_ID_SEQUENCE, 0, true); // first id: 1
        this.containerIds.batchSize(CONTAINER_ID_RESERVE);
    }

    /**
     * Starts a server node with {@code settings} and makes the FFO tables;
     * blocks until the node has joined (or formed) the cluster.
     */
    public static IgniteNode start(NodeSettings settings) {
        if (System.getProperty(IgniteSystemProperties.IGNITE_UPDATE_NOTIFIER) == null) {
            System.setProperty(IgniteSystemProperties.IGNITE_UPDATE_NOTIFIER, "false");
        }
        ClassLoader loader = IgniteNode.class.getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long began = System.nanoTime();
        Ignite ignite = Ignition.start(configuration(settings, loader));
        try {
            IgniteNode node = new IgniteNode(ignite);
            LOG.info("Ignite node {} up in {} ms: {} server(s), SQL on jdbc:ignite:thin://{}:{}",
                    settings.instanceName(), (System.nanoTime() - began) / 1_000_000,
                    ignite.cluster().forServers().nodes().size(),
                    settings.clientConnectorBind(),
                    settings.clientConnectorPort());
            return node;
        } catch (RuntimeException e) {
            Ignition.stop(settings.instanceName(), true);
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    static IgniteConfiguration configuration(NodeSettings s, ClassLoader loader) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder().setAddresses(s.discoveryAddresses());
        TcpDiscoverySpi discovery = new TcpDiscoverySpi().setIpFinder(finder)
                .setLocalPort(s.discoveryPort()).setLocalPortRange(10);
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalPort(s.communicationPort());
        communication.setLocalPortRange(10);
        communication.setMessageQueueLimit(1024);
        long maxRegion = s.dataRegionMaxMiB() * MIB;
        DataStorageConfiguration storage = new DataStorageConfiguration()
                .setDefaultDataRegionConfiguration(new DataRegionConfiguration().setName("ffo")
                        .setInitialSize(Math.min(maxRegion, 32 * MIB)).setMaxSize(maxRegion))
                .setSystemDataRegionConfiguration(new SystemDataRegionConfiguration()
                        .setInitialSize(16 * MIB).setMaxSize(64 * MIB));
        IgniteConfiguration cfg = new IgniteConfiguration()
                .setIgniteInstanceName(s.instanceName())
                .setClassLoader(loader)
                .setGridLogger(new Slf4jIgniteLogger())
                .setWorkDirectory(s.workDirectory())
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(new ClientConnectorConfiguration()
                        .setHost(s.clientConnectorAddress().isEmpty() ? null : s.clientConnectorAddress())
                        .setPort(s.clientConnectorPort()).setPortRange(1).setThreadPoolSize(2))
                .setDataStorageConfiguration(storage)
                .setAtomicConfiguration(new AtomicConfiguration().setBackups(1))
                .setFailureHandler(new StopNodeFailureHandler())
                .setFailureDetectionTimeout(s.failureDetectionMillis())
                .setIncludeEventTypes(EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED)
                .setPeerClassLoadingEnabled(false)
                .setMetricsLogFrequency(0)
                .setPublicThreadPoolSize(2)
                .setSystemThreadPoolSize(4)
                .setQueryThreadPoolSize(2)
                .setServiceThreadPoolSize(1)
                .setManagementThreadPoolSize(1)
                .setDataStreamerThreadPoolSize(1)
                .setUtilityCachePoolSize(2)
                .setAsyncCallbackPoolSize(1)
                .setStripedPoolSize(2)
                .setRebalanceThreadPoolSize(1)
                .setBuildIndexThreadPoolSize(1)
                .setSnapshotThreadPoolSize(1)
                .setPeerClassLoadingThreadPoolSize(1);
        if (!s.localAddress().isEmpty()) {
            cfg.setLocalHost(s.localAddress());
        }
        return cfg;
    }

    /** The cache behind the CONTAINERS table (for SQL). */
    public IgniteCache<Object, Object> containersCache() {
        return ignite.cache(Schema.CONTAINERS_CACHE);
    }

    /** The cache behind the QPS table. */
    IgniteCache<Object, Object> queuePairsCache() {
        return ignite.cache(Schema.QPS_CACHE);
    }

    /** Binary objects of the tables' types. */
    IgniteBinary binary() {
        return ignite.binary();
    }

    /** The cache behind the MEMORY_MAPS table. */
    IgniteCache<Object, Object> memoryMapsCache() {
        return ignite.cache(Schema.MEMORY_MAPS_CACHE);
    }

    /**
     * The cluster-wide allocation lock; failover-safe (released if its holder's
     * node leaves).  A statement under the lock that a topology change failed
     * fails again for as long as the lock is held (the lock's transaction keeps
     * the old topology), so the whole section runs again, the lock taken anew:
     * every section reads what it needs under the lock, so running it again is
     * safe.
     */
    public ClusterLock allocationLock() {
        return new ClusterLock() {
            @Override
            public <T> T withLock(Supplier<T> action) {
                return Retries.retry("a section under the allocation lock", LOCKED_RETRIES, attempt -> 200L * attempt,
                        SqlTable::topologyChanged, () -> {
                            Lock lock = locks.lock(ALLOC_LOCK);
                            lock.lock();
                            try {
                                return action.get();
                            } finally {
                                lock.unlock();
                            }
                        });
            }
        };
    }

    private static final int LOCKED_RETRIES = 5;

    /** Next value of the container-id sequence. */
    public long nextContainerId() {
        return containerIds.incrementAndGet();
    }

    /**
     * Reserves {@code count} consecutive values of the cluster's QPN counter
     * (one compare-and-set on a replicated key, retried when another router
     * leased at the same time) and returns the first (map them with
     * {@link Qpns#fromSequence}).
     */
    public long takeQpnValues(int count) {
        while (true) {
            Long next = counters.get(QPN_COUNTER);
            if (next == null) {
                if (counters.putIfAbsent(QPN_COUNTER, (long) Qpns.MIN + count)) {
                    return Qpns.MIN;
                }
            } else if (counters.replace(QPN_COUNTER, next, next + count)) {
                return next;
            }
        }
    }

    /** True while the node runs (it has not stopped, by a call or by a failure). */
    public boolean running() {
        return Ignition.state(ignite.name()) == IgniteState.STARTED;
    }

    /**
     * Runs {@code onStop} once when the node stops, for whatever reason (a
     * failure handler, segmentation, {@link #close()}); at once if it has.
     */
    public void onStop(Runnable onStop) {
        String name = ignite.name();
        AtomicBoolean done = new AtomicBoolean();
        IgnitionListener listener = new IgnitionListener() {
            @Override
            public void onStateChange(String instance, IgniteState state) {
                if (name.equals(instance) && state != IgniteState.STARTED && done.compareAndSet(false, true)) {
                    Ignition.removeListener(this);
                    onStop.run();
                }
            }
        };
        Ignition.addListener(listener);
        if (Ignition.state(name) != IgniteState.STARTED && done.compareAndSet(false, true)) {
            Ignition.removeListener(listener);
            onStop.run();
        }
    }

    /** The cache behind the HOSTS table (for SQL). */
    public IgniteCache<Object, Object> hostsCache() {
        return ignite.cache(Schema.HOSTS_CACHE);
    }

    /** This node's id (new at every start). */
    public String localNodeId() {
        return ignite.cluster().localNode().id().toString();
    }

    /** The address this node advertises first: the configured one, else its first non-loopback. */
    public String advertisedAddress() {
        Collection<String> addresses = ignite.cluster().localNode().addresses();
        return addresses.stream().filter(a -> !a.startsWith("127.") && !a.equals("0:0:0:0:0:0:0:1")).findFirst()
                .orElse(addresses.isEmpty() ? "" : addresses.iterator().next());
    }

    /** Ignite's topology version. */
    public long topologyVersion() {
        return ignite.cluster().topologyVersion();
    }

    /** The server nodes of the cluster now, oldest first. */
    public List<ServerNode> servers() {
        List<ServerNode> servers = new ArrayList<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes()) {
            servers.add(new ServerNode(n.id().toString(), n.order(), List.copyOf(n.addresses()), n.isLocal()));
        }
        servers.sort(Comparator.comparingLong(ServerNode::order));
        return servers;
    }

    /** One server node of the cluster. */
    public record ServerNode(String id, long order, List<String> addresses, boolean local) {
    }

    /** True when this node is the oldest server of the cluster (it acts for the cluster). */
    public boolean oldestServer() {
        ClusterNode oldest = ignite.cluster().forServers().forOldest().node();
        return oldest != null && oldest.isLocal();
    }

    /**
     * Calls {@code onLeft} (on Ignite's discovery thread: it must not block or
     * touch caches; hand the work over) whenever a node leaves or fails.
     */
    public void onNodeLeft(Runnable onLeft) {
        IgnitePredicate<Event> listener = event -> {
            onLeft.run();
            return true;
        };
        ignite.events().localListen(listener, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED);
    }

    /** Runs one SQL statement in schema PUBLIC and returns all it produced. */
    public QueryResult query(String sql) {
        try (FieldsQueryCursor<List<?>> cursor = meta.query(new SqlFieldsQuery(sql).setSchema("PUBLIC"))) {
            List<String> columns = new ArrayList<>();
            for (int i = 0; i < cursor.getColumnsCount(); i++) {
                columns.add(cursor.getFieldName(i));
            }
            List<List<Object>> rows = new ArrayList<>();
            for (List<?> row : cursor) {
                rows.add(new ArrayList<>(row));
            }
            return new QueryResult(columns, rows);
        } catch (CacheException | IgniteException e) {
            throw new IllegalArgumentException(rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? e.toString() : t.getMessage();
    }

    /** Servers in the cluster as this node sees it. */
    public int serverCount() {
        return ignite.cluster().forServers().nodes().size();
    }

    @Override
    public void close() {
        String name = ignite.name();
        Ignition.stop(name, false);
        LOG.info("Ignite node {} stopped", name);
    }
}
