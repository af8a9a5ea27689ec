/**
 * FFO, the FreeFlow orchestrator: the cluster-wide state every router shares
 * (container registry, IPAM, LID/GID/QPN allocation), kept in Apache Ignite.
 * Only the ffo-ignite bundle sees Ignite; everyone else uses these services.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.freeflow.ffo.api;
