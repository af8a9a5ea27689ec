package org.freeflow.router.internal.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.freeflow.router.api.ContainerIdentity;

/**
 * Who may use a listening socket, twice over: the file's owner and mode
 * (who can connect at all) and a check of every accepted connection's peer
 * process (who is admitted).
 *
 * @param mode        the socket file's permission bits
 * @param uid         the file's owner, or -1 to leave it to the router's user
 * @param gid         the file's group, or -1
 * @param admits      the check of each connection's peer
 * @param description who is admitted, for the logs
 */
record SocketAccess(int mode, int uid, int gid, Predicate<PeerProcess> admits, String description) {

    /** The admin socket: mode 0600, and a peer of uid 0 or of the router's own user. */
    static SocketAccess rootOnly() {
        int self = routerUid();
        return new SocketAccess(0600, -1, -1, p -> p.uid() == 0 || p.uid() == self,
                "root or uid " + self + " only");
    }

    /**
     * A container's socket: the processes of {@code identity}.  With a uid,
     * the file is that user's with mode 0600 (0660 with a gid too), so other
     * users cannot even connect; without one, 0666 and the peer check alone.
     */
    static SocketAccess forContainer(ContainerIdentity identity) {
        int mode = identity.uid() < 0 ? 0666 : identity.gid() < 0 ? 0600 : 0660;
        return new SocketAccess(mode, identity.uid(), identity.gid(), p -> p.isOf(identity), identity.toString());
    }

    /** The router's effective uid: the owner of /proc/self. */
    private static int routerUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }
}
