package org.freeflow.ffo.internal;

import java.util.List;
import java.util.Optional;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.alloc.Qpns;
import org.freeflow.ffo.internal.ignite.IgniteNode;
import org.freeflow.ffo.internal.ignite.NodeSettings;
import org.freeflow.ffo.internal.ignite.SqlContainerStore;
import org.freeflow.ffo.internal.registry.ContainerStore;
import org.freeflow.ffo.internal.registry.Registrar;

/**
 * The orchestrator's services on a running node: it exists only once the node
 * has joined the cluster and its tables are in place, so no call waits for a
 * start.  After {@link #close()} (or the node's own stop) calls fail.
 */
final class ClusterOrchestrator implements OrchestratorService, OrchestratorAdminService, AutoCloseable {

    private final IgniteNode node;
    private final ContainerStore store;
    private final Registrar registrar;

    private ClusterOrchestrator(IgniteNode node, Ipv4Network network) {
        this.node = node;
        this.store = new SqlContainerStore(node.containersCache());
        this.registrar = new Registrar(store, node.allocationLock(), node::nextContainerId, network);
    }

    /** Starts the node (blocking until it is in the cluster with its tables) and serves from it. */
    static ClusterOrchestrator start(NodeSettings settings, Ipv4Network network) {
        return new ClusterOrchestrator(IgniteNode.start(settings), network);
    }

    /** Calls {@code onStop} once, when the node stops for any reason (a failure included). */
    void onNodeStop(Runnable onStop) {
        node.onStop(onStop);
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
    public ContainerRecord registerContainer(String name, String tenant, String host) {
        return registrar.register(name, tenant, host);
    }

    @Override
    public void unregisterContainer(String name) {
        registrar.unregister(name);
    }

    @Override
    public int allocateQpn() {
        return Qpns.fromSequence(node.nextQpnValue());
    }

    @Override
    public void close() {
        node.close();
    }
}
