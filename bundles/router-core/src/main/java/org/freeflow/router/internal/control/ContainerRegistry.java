package org.freeflow.router.internal.control;

import java.util.concurrent.CompletionStage;

import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.internal.vnic.VirtualNic;

/** What the admin socket may do: attach and detach containers, set their ports (called on the control thread). */
public interface ContainerRegistry {

    /**
     * Attaches the container (or returns it when attached already); the stage
     * completes on the control thread once the orchestrator registered it.
     * It fails with IllegalArgumentException for a malformed name or tenant,
     * {@link org.freeflow.router.internal.vnic.OrchestratorLink.Unavailable}
     * without an orchestrator, IllegalStateException when it refuses.
     *
     * @throws IllegalArgumentException for a malformed name
     */
    CompletionStage<VirtualNic> attachContainer(String name, String tenant, ContainerIdentity identity);

    /**
     * Detaches it; the stage completes (on the registry's thread) with true
     * once the orchestrator unregistered it, with false when it was not attached.
     */
    CompletionStage<Boolean> detachContainer(String name);

    /** Takes the container's port down or up; false when it is not attached. */
    boolean setPort(String name, boolean active);

    /**
     * The orchestrator's cluster as this router sees it.
     *
     * @throws org.freeflow.router.internal.vnic.OrchestratorLink.Unavailable without an orchestrator
     */
    ClusterStatus clusterStatus();

    /**
     * What {@code FF_OP_ADMIN_CLUSTER} answers.
     *
     * @param topologyVersion the cluster's topology version
     * @param servers         server nodes in the cluster
     * @param hostsRunning    HOSTS rows in state RUNNING
     * @param hostsLost       HOSTS rows in state LOST
     * @param hostRegistered  this router's host is registered (RUNNING, by this router's node)
     */
    record ClusterStatus(long topologyVersion, int servers, int hostsRunning, int hostsLost,
            boolean hostRegistered) {
    }
}
