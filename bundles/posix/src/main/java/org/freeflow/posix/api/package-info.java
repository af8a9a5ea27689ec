/**
 * The POSIX calls the router needs and Java lacks, bound with JNA: Unix
 * {@code SOCK_SEQPACKET} sockets that carry file descriptors
 * ({@code SCM_RIGHTS}), {@code poll(2)}, sealed memfds, {@code mmap} of a
 * range of a file exposed as direct {@code ByteBuffer} chunks, eventfds, and
 * thread ids and CPU pinning.
 * <p>
 * File descriptors are plain {@code int}s; every call that fails throws a
 * {@link org.freeflow.posix.api.PosixException} carrying the errno.  No JNA
 * type appears in this package's signatures.  Linux only (x86_64, aarch64).
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package org.freeflow.posix.api;
