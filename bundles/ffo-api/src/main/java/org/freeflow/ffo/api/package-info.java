/**
 * FFO, the FreeFlow orchestrator: the cluster-wide state every router shares
 * (hosts, container registry, queue pairs, memory maps, IPAM, LID/GID/QPN allocation), kept in Apache
 * Ignite.  Only the ffo-ignite bundle sees Ignite; everyone else uses these
 * services, which are registered while the orchestrator can serve.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
package org.freeflow.ffo.api;
