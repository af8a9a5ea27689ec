/**
 * The fast path shared by the FFL and the router: the ABI mirror
 * ({@link org.freeflow.fastpath.api.Abi}, {@link org.freeflow.fastpath.api.Verbs}),
 * readers and writers of the shared-memory rings (a completion ring takes
 * producers from several pollers), and the pollers
 * ({@link org.freeflow.fastpath.api.PollerService}) that run every data-path
 * step, sleep on the contexts' doorbells in the {@link org.freeflow.fastpath.api.PollerMode}s
 * that allow it, and run every change of what the data path reads while none
 * of them is in a round.
 */
@org.osgi.annotation.versioning.Version("3.5.0")
package org.freeflow.fastpath.api;
