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

    /** open(2) of {@code path} read-only and close-on-exec, owned by the caller. */
    public static int openReadOnly(java.nio.file.Path path) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.open(path.toString(), LibC.O_CLOEXEC), "open(" + path + ")");
    }

    /**
     * open(2) for writing, non-blocking and close-on-exec; on a FIFO or a
     * pipe's {@code /proc/self/fd} entry, a new writing end of that pipe.
     */
    public static int openWriteOnlyNonBlocking(java.nio.file.Path path) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.open(path.toString(), LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC),
                "open(" + path + ", O_WRONLY)");
    }

    /** A close-on-exec duplicate of {@code fd} (fcntl F_DUPFD_CLOEXEC), owned by the caller. */
    public static int duplicate(int fd) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0), "fcntl(" + fd + ", F_DUPFD_CLOEXEC)");
    }

    /** Sets or clears O_NONBLOCK on {@code fd}'s open file description. */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws PosixException {
        int flags = Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_GETFL, 0), "fcntl(" + fd + ", F_GETFL)");
        flags = nonBlocking ? flags | LibC.O_NONBLOCK : flags & ~LibC.O_NONBLOCK;
        Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_SETFL, flags), "fcntl(" + fd + ", F_SETFL)");
    }

    /** True when O_NONBLOCK is set on {@code fd}'s open file description. */
    public static boolean isNonBlocking(int fd) throws PosixException {
        return (Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_GETFL, 0), "fcntl(" + fd + ", F_GETFL)")
                & LibC.O_NONBLOCK) != 0;
    }

    /** write(2) of {@code data} to {@code fd}: the bytes written, 0 when none could be (full, an error). */
    public static int tryWrite(int fd, byte[] data) {
        com.sun.jna.Memory buffer = new com.sun.jna.Memory(Math.max(1, data.length));
        buffer.write(0, data, 0, data.length);
        long n = LibC.INSTANCE.write(fd, buffer, data.length);
        return n > 0 ? (int) n : 0;
    }

    /** write(2) of one byte (1) to {@code fd}; false when it was not written (full, non-blocking, an error). */
    public static boolean tryWriteByte(int fd) {
        com.sun.jna.Memory one = new com.sun.jna.Memory(1);
        one.setByte(0, (byte) 1);
        return LibC.INSTANCE.write(fd, one, 1) == 1;
    }

    /**
     * read(2) into {@code into}: bytes read, 0 at end of file, -1 when a
     * non-blocking descriptor has nothing (EAGAIN).
     */
    public static int read(int fd, byte[] into) throws PosixException {
        com.sun.jna.Memory buffer = new com.sun.jna.Memory(Math.max(1, into.length));
        while (true) {
            long n = LibC.INSTANCE.read(fd, buffer, into.length);
            if (n >= 0) {
                buffer.read(0, into, 0, (int) n);
                return (int) n;
            }
            int errno = Syscalls.lastErrno();
            if (errno == Errno.EAGAIN) {
                return -1;
            }
            if (errno != Errno.EINTR) {
                throw new PosixException("read(" + fd + ")", errno);
            }
        }
    }

    /** F_SETPIPE_SZ: asks for room for {@code bytes} in the pipe of {@code fd}; returns the room it got. */
    public static int setPipeCapacity(int fd, int bytes) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_SETPIPE_SZ, bytes), "fcntl(" + fd + ", F_SETPIPE_SZ)");
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
