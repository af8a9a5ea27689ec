/**
 * The transport SPI: how a work request reaches the responder queue pair.
 * The router ships the {@code local} transport (both ends on this router);
 * a transport bundle (tcp, verbs) registers a {@link Transport} service and
 * is picked up while the router runs.
 */
@org.osgi.annotation.versioning.Version("1.6.0")
package org.freeflow.router.api.transport;
