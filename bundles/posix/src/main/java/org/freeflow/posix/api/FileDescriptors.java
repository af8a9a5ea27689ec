package org.freeflow.posix.api;

import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/** Plain descriptor operations. */
public final class FileDescriptors {

    private FileDescriptors() {
    }

    /** close(2). */
    public static void close(int fd) throws PosixException {
        Syscalls.check(LibC.INSTANCE.close(fd), "close(" + fd + ")");
    }

    /** A close-on-exec duplicate of {@code fd} (fcntl F_DUPFD_CLOEXEC), owned by the caller. */
    public static int duplicate(int fd) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0), "fcntl(" + fd + ", F_DUPFD_CLOEXEC)");
    }

    /** close(2) that ignores errors and negative descriptors; for cleanup paths. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Closes every descriptor of {@code fds}, ignoring errors. */
    public static void closeQuietly(int[] fds) {
        if (fds != null) {
            for (int fd : fds) {
                closeQuietly(fd);
            }
        }
    }
}
