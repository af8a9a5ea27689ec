package org.freeflow.ffo.api;

/** Write side of the orchestrator: registration and allocation. */
public interface OrchestratorAdminService {

    /**
     * Registers a container served by {@code host}, allocating its virtual IP,
     * LID and GID.  Registering a name that exists on the same host returns the
     * existing record; on another host it fails.
     *
     * @throws IllegalArgumentException for a malformed name or tenant
     * @throws IllegalStateException    when the name is taken by another host or a pool is exhausted
     */
    ContainerRecord registerContainer(String name, String tenant, String host);

    /** Removes the container and frees what it held; unknown names are ignored. */
    void unregisterContainer(String name);

    /** A fresh queue-pair number, unique in the cluster, 24-bit and never 0 or 1. */
    int allocateQpn();
}
