/**
 * The fast path shared by the FFL and the router: the ABI mirror
 * ({@link org.freeflow.fastpath.api.Abi}, {@link org.freeflow.fastpath.api.Verbs}),
 * readers and writers of the shared-memory rings, and the poller thread
 * ({@link org.freeflow.fastpath.api.PollerService}) that runs every data-path
 * step and every change of what the data path reads.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.freeflow.fastpath.api;
