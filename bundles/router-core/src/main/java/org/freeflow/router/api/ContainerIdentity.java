package org.freeflow.router.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who a container is, as its socket checks every connection: the peer's
 * credentials (SO_PEERCRED) and, through its pid, its network namespace and
 * cgroup.  A connection is admitted only when it matches every part given.
 * At least a network namespace or a cgroup is given: a uid alone would admit
 * every process of that user, of every container.
 *
 * @param networkNamespace the container's network namespace, or null
 * @param cgroup           the container's cgroup v2 path ("/..."; the peer's
 *                         cgroup must be it or below it), or null
 * @param uid              the peer's uid, or -1 for any
 * @param gid              the peer's gid, or -1 for any
 * @since 2.0
 */
public record ContainerIdentity(Namespace networkNamespace, String cgroup, int uid, int gid) {

    /** A namespace as the kernel names it: the nsfs inode and its device. */
    public record Namespace(long device, long inode) {

        /** The namespace of {@code path} (e.g. /run/netns/NAME or /proc/PID/ns/net). */
        public static Namespace of(Path path) throws IOException {
            Object dev = Files.getAttribute(path, "unix:dev");
            Object ino = Files.getAttribute(path, "unix:ino");
            return new Namespace(((Number) dev).longValue(), ((Number) ino).longValue());
        }

        @Override
        public String toString() {
            return "net:[" + inode + "]";
        }
    }

    public ContainerIdentity {
        if (networkNamespace == null && cgroup == null) {
            throw new IllegalArgumentException("a container identity needs a network namespace or a cgroup");
        }
        if (cgroup != null && !cgroup.startsWith("/")) {
            throw new IllegalArgumentException("cgroup " + cgroup + " is not a path of the cgroup v2 tree");
        }
        if (uid < -1 || gid < -1) {
            throw new IllegalArgumentException("uid " + uid + ", gid " + gid);
        }
    }

    /** The processes of the network namespace at {@code path}, of any user. */
    public static ContainerIdentity ofNetworkNamespace(Path path) throws IOException {
        return new ContainerIdentity(Namespace.of(path), null, -1, -1);
    }

    /** This identity, restricted to processes of {@code uid} and {@code gid} (-1: any). */
    public ContainerIdentity runningAs(int uid, int gid) {
        return new ContainerIdentity(networkNamespace, cgroup, uid, gid);
    }

    /** True when a process with these facts is of the container; a null namespace or cgroup of the process never matches one given. */
    public boolean admits(int peerUid, int peerGid, Namespace peerNetworkNamespace, String peerCgroup) {
        return (uid < 0 || uid == peerUid)
                && (gid < 0 || gid == peerGid)
                && (networkNamespace == null || networkNamespace.equals(peerNetworkNamespace))
                && (cgroup == null || peerCgroup != null && within(peerCgroup, cgroup));
    }

    private static boolean within(String path, String root) {
        return root.equals("/") || path.equals(root) || path.startsWith(root + "/");
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (networkNamespace != null) {
            s.append("netns ").append(networkNamespace);
        }
        if (cgroup != null) {
            s.append(s.isEmpty() ? "" : ", ").append("cgroup ").append(cgroup);
        }
        if (uid >= 0) {
            s.append(", uid ").append(uid);
        }
        if (gid >= 0) {
            s.append(", gid ").append(gid);
        }
        return s.toString();
    }
}
