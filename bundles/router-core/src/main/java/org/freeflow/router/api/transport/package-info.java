/**
 * The transport SPI: how a work request reaches the responder queue pair.
 * A connected requester {@link org.freeflow.router.api.transport.Transport#connect connects}
 * to its responder and posts numbered {@link org.freeflow.router.api.transport.WorkRequest}s
 * to the {@link org.freeflow.router.api.transport.Connection}, up to its window
 * of them outstanding; each outcome is known at once (the {@code local}
 * transport executes the work request on the poller thread) or reported
 * later, in order, to its {@link org.freeflow.router.api.transport.Acknowledgements};
 * completions follow in posting order.  UD datagrams go to a
 * {@link org.freeflow.router.api.transport.DatagramSink}.  The router ships the
 * {@code local} transport (both ends on this router); a transport bundle
 * (tcp, verbs) registers a {@link org.freeflow.router.api.transport.Transport}
 * service and is picked up while the router runs.
 */
@org.osgi.annotation.versioning.Version("2.7.0")
package org.freeflow.router.api.transport;
