package org.freeflow.router.internal.vnic;

import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/**
 * A router-made ring memfd: sized, sealed so the FFL can neither shrink nor
 * grow it (a shrunk file would crash the router on access), and mapped.
 *
 * @param fd      the memfd, to send to the FFL and then close
 * @param mapping the router's mapping
 */
record RingMemory(int fd, MappedRegion mapping) {

    private static final int SEALS = MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW | MemFd.F_SEAL_SEAL;

    static RingMemory create(String name, long size) {
        int fd = -1;
        try {
            fd = MemFd.create(name);
            MemFd.truncate(fd, size);
            MemFd.addSeals(fd, SEALS);
            return new RingMemory(fd, MappedRegion.map(fd, 0, size, true));
        } catch (PosixException e) {
            FileDescriptors.closeQuietly(fd);
            throw new VerbsException(Errno.ENOMEM, "cannot make " + name + ": " + e.getMessage());
        }
    }
}
