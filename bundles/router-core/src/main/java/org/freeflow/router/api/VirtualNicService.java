package org.freeflow.router.api;

import java.util.List;

/** Read side of the router: what its virtual NICs hold right now. */
public interface VirtualNicService {

    /** Name of the host this router serves. */
    String hostName();

    /** Containers attached to this router, ordered by name. */
    List<ContainerView> containers();

    /** Queue pairs of all containers on this router, ordered by container then QPN. */
    List<QueuePairView> queuePairs();
}
