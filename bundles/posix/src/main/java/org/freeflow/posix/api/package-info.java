/**
 * The POSIX calls the router needs and Java lacks, bound with JNA: Unix
 * {@code SOCK_SEQPACKET} sockets that carry file descriptors
 * ({@code SCM_RIGHTS}), {@code poll(2)}, sealed memfds, {@code mmap} of a
 * range of a file exposed as direct {@code ByteBuffer} chunks, eventfds,
 * pipes whose end this process uses cannot be made to block by the process
 * holding the other ({@link org.freeflow.posix.api.Pipe}), epoll sets,
 * what kind of file a received descriptor is
 * ({@link org.freeflow.posix.api.FileStatus}), and thread ids and CPU
 * pinning.
 * <p>
 * File descriptors are plain {@code int}s; every call that fails throws a
 * {@link org.freeflow.posix.api.PosixException} carrying the errno.  No JNA
 * type appears in this package's signatures.  Linux only (x86_64, aarch64).
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package org.freeflow.posix.api;
