package org.freeflow.ffo.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Read side of the orchestrator. */
@ProviderType
public interface OrchestratorService {

    /** All containers of the cluster, ordered by name. */
    List<ContainerRecord> containers();

    /** The container with this name, if registered. */
    Optional<ContainerRecord> container(String name);

    /** The container holding this LID, if any. */
    Optional<ContainerRecord> containerByLid(int lid);

    /** True while the local Ignite node is in the cluster with its tables. */
    boolean isReady();

    /**
     * Every router of the cluster, ordered by name.
     *
     * @since 1.1
     */
    List<HostRecord> hosts();

    /**
     * The cluster's server nodes and topology version.
     *
     * @since 1.1
     */
    ClusterView cluster();

    /**
     * The region {@code rkey} of {@code container}, from this router's copy of
     * MEMORY_MAPS (kept current by a continuous query; no cluster round trip).
     * A router still checks every key itself when an access arrives.
     *
     * @since 1.2
     */
    Optional<MemoryRegionRecord> memoryRegion(String container, int rkey);

    /**
     * Every queue pair of the cluster (QPS), ordered by QPN.
     *
     * @since 1.2
     */
    List<QueuePairRecord> queuePairs();

    /**
     * Runs one SQL statement over the cluster's tables (HOSTS, CONTAINERS, QPS, MEMORY_MAPS)
     * as an operator would through JDBC, and returns all it produced.
     *
     * @throws IllegalArgumentException when the engine refuses the statement (the message says why)
     * @since 1.1
     */
    QueryResult query(String sql);
}
