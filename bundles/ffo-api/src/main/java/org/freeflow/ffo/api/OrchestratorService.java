package org.freeflow.ffo.api;

import java.util.List;
import java.util.Optional;

/** Read side of the orchestrator. */
public interface OrchestratorService {

    /** All containers of the cluster, ordered by name. */
    List<ContainerRecord> containers();

    /** The container with this name, if registered. */
    Optional<ContainerRecord> container(String name);

    /** The container holding this LID, if any. */
    Optional<ContainerRecord> containerByLid(int lid);

    /** True once the local Ignite node has joined the cluster and its tables exist. */
    boolean isReady();
}
