package org.freeflow.ffo.api;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** Write side of the orchestrator: registration and allocation. */
@ProviderType
public interface OrchestratorAdminService {

    /**
     * Registers a container served by {@code host}, allocating its virtual IP,
     * LID and GID.  Registering a name that exists on the same host returns the
     * existing record; on another host it fails, unless the container is
     * {@link ContainerRecord#RESERVED}: then it moves to {@code host} with its
     * addresses (the tenant must be the reservation's).
     *
     * @throws IllegalArgumentException for a malformed name or tenant
     * @throws IllegalStateException    when the name is taken by another host, reserved for another
     *                                  tenant, or a pool is exhausted
     */
    ContainerRecord registerContainer(String name, String tenant, String host);

    /**
     * Detaches the container: its QPS and MEMORY_MAPS rows are removed, and its
     * CONTAINERS row becomes {@link ContainerRecord#RESERVED}, holding its
     * addresses for the orchestrator's reservation window (see
     * {@link ContainerReservations}); a window of 0 frees them at once.
     * Registering the name again, on any host, takes the reservation over.
     * Unknown names are ignored.
     */
    void unregisterContainer(String name);

    /**
     * Registers this router as host {@code name} (a router does so when it
     * starts and whenever its orchestrator comes back): its HOSTS row is made
     * or taken over (state RUNNING, joined now).  Of the containers the table
     * lists on that host, those in {@code served} (the ones the router serves)
     * are RUNNING again and the others, left from a router that is gone, are
     * removed; reserved ones stay.  A served container the table lacks (the
     * whole cluster restarted since it attached) is written back with its
     * addresses, unless another row holds its name, virtual IP, LID or GID: that
     * clash is logged and the container left out.  The row follows this
     * router's node: when the node leaves the cluster, the host and its
     * containers become LOST.
     *
     * @param served the records of the containers this router serves, as
     *               their registration returned them
     * @throws IllegalArgumentException for a malformed name
     * @throws IllegalStateException    when a running node of the cluster holds the name
     * @since 2.0
     */
    HostRecord registerHost(String name, String routerVersion, Collection<ContainerRecord> served);

    /**
     * A fresh queue-pair number, unique in the cluster, 24-bit and never 0 or
     * 1, never one a QP of the cluster holds.  Taken from a range this router
     * leased; the cluster is asked only when a range runs out.
     */
    int allocateQpn();

    /**
     * Publishes the region into MEMORY_MAPS (replacing the row of the same
     * container and rkey); the stage completes once every node sees it, or
     * fails with the cluster's reason.  Writes of one router apply in the order
     * they were asked.
     *
     * @since 1.2
     */
    CompletionStage<Void> publishMemoryRegion(MemoryRegionRecord region);

    /**
     * Removes the region from MEMORY_MAPS (no row: nothing happens); completes
     * once every node sees it gone.
     *
     * @since 1.2
     */
    CompletionStage<Void> removeMemoryRegion(String container, int rkey);

    /**
     * Publishes these QPs' rows into QPS (replacing the rows of the same QPNs);
     * completes once written.
     *
     * @since 1.2
     */
    CompletionStage<Void> publishQueuePairs(Collection<QueuePairRecord> queuePairs);

    /**
     * Removes these QPNs' rows from QPS.
     *
     * @since 1.2
     */
    CompletionStage<Void> removeQueuePairs(Collection<Integer> qpns);
}
