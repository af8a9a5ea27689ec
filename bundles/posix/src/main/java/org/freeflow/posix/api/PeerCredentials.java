package org.freeflow.posix.api;

/**
 * The process at the other end of a Unix socket when it connected (SO_PEERCRED).
 *
 * @param pid process id, in the reader's PID namespace (0 if not mapped)
 * @param uid user id
 * @param gid group id
 */
public record PeerCredentials(int pid, int uid, int gid) {
}
