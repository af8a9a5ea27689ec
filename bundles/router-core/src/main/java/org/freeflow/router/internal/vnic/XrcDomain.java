package org.freeflow.router.internal.vnic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.posix.api.Errno;

/**
 * An XRC domain of one container (ibv_open_xrcd): the XRC SRQs made in it,
 * by SRQ number, and its XRC target QPs, each of which delivers what its
 * initiator sends into whichever SRQ of the domain the work request names.
 * Processes of the container that open the domain of one file share it; it
 * lives while one of them has it open ({@link VirtualNic#openXrcDomain}).
 * The SRQ table is read by pollers (a target resolving an SRQ number) and
 * changed inside PollerService.call only; the rest belongs to the control
 * thread.
 */
final class XrcDomain {

    /** The identity of the file the domain belongs to: its device and inode. */
    record FileKey(long device, long inode) {

        /** The file {@code fd} (a descriptor of this process) is open on; EBADF when it cannot be read. */
        static FileKey of(int fd) {
            try {
                Map<String, Object> a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino");
                return new FileKey((Long) a.get("dev"), (Long) a.get("ino"));
            } catch (IOException | UnsupportedOperationException e) {
                throw new VerbsException(Errno.EBADF, "no file behind the XRC domain's descriptor: " + e.getMessage());
            }
        }
    }

    /**
     * One ibv_open_xrcd of a verbs context: what that context's XRC SRQs and
     * target QPs hold (it cannot be closed while they exist: EBUSY).
     */
    static final class Opened extends InUse {
        final int handle;
        final XrcDomain domain;

        Opened(int handle, XrcDomain domain) {
            this.handle = handle;
            this.domain = domain;
        }
    }

    /** The file, or null for a private domain. */
    final FileKey file;
    private final Map<Integer, SharedReceiveQueue> srqs = new ConcurrentHashMap<>();
    private final Set<QueuePair> targets = new HashSet<>();
    private int opens;

    XrcDomain(FileKey file) {
        this.file = file;
    }

    /** The XRC SRQ numbered {@code srqn}, or null; on any thread. */
    SharedReceiveQueue srq(int srqn) {
        return srqs.get(srqn);
    }

    /** Inside PollerService.call. */
    void add(SharedReceiveQueue srq) {
        srqs.put(srq.srqn, srq);
    }

    /** Inside PollerService.call: no target reaches the SRQ any more once the call ends. */
    void remove(SharedReceiveQueue srq) {
        srqs.remove(srq.srqn, srq);
        for (QueuePair target : targets) {
            target.receive().forgetXrcSrq(srq);
        }
    }

    void addTarget(QueuePair qp) {
        targets.add(qp);
    }

    void removeTarget(QueuePair qp) {
        targets.remove(qp);
    }

    void opened() {
        opens++;
    }

    /** True when nobody has the domain open any more. */
    boolean closed() {
        return --opens == 0;
    }

    @Override
    public String toString() {
        return file == null ? "private XRC domain" : "XRC domain of inode " + file.inode();
    }
}
