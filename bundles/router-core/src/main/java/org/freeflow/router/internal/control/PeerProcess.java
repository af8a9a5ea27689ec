package org.freeflow.router.internal.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.freeflow.posix.api.PeerCredentials;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerIdentity.Namespace;

/**
 * The process at the other end of a connection, as the kernel reports it:
 * SO_PEERCRED (taken at connect(2)), and through the pid its network
 * namespace and cgroup v2 path from /proc.  What cannot be read (the process
 * already exited) is null, and a null never matches an identity that names it.
 */
record PeerProcess(int pid, int uid, int gid, Namespace networkNamespace, String cgroup) {

    static PeerProcess of(PeerCredentials credentials) {
        Path proc = Path.of("/proc", Integer.toString(credentials.pid()));
        return new PeerProcess(credentials.pid(), credentials.uid(), credentials.gid(),
                networkNamespace(proc), cgroup(proc));
    }

    private static Namespace networkNamespace(Path proc) {
        try {
            return Namespace.of(proc.resolve("ns/net"));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The cgroup v2 line ("0::/path") of /proc/PID/cgroup, or null. */
    private static String cgroup(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("cgroup"))) {
                if (line.startsWith("0::")) {
                    return line.substring(3);
                }
            }
        } catch (IOException e) {
            // gone: null
        }
        return null;
    }

    boolean isOf(ContainerIdentity identity) {
        return identity.admits(uid, gid, networkNamespace, cgroup);
    }

    @Override
    public String toString() {
        return "pid " + pid + " (uid " + uid + ", gid " + gid + ", netns "
                + (networkNamespace == null ? "?" : networkNamespace) + ", cgroup " + (cgroup == null ? "?" : cgroup)
                + ")";
    }
}
