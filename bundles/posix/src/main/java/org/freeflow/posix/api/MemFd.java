package org.freeflow.posix.api;

import com.sun.jna.Memory;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/** Anonymous shared memory files (memfd_create) and their seals. */
public final class MemFd {

    /** memfd_create flag: close on exec. */
    public static final int MFD_CLOEXEC = 0x1;
    /** memfd_create flag: the file accepts seals. */
    public static final int MFD_ALLOW_SEALING = 0x2;

    /** No further seals may be added. */
    public static final int F_SEAL_SEAL = 0x1;
    /** The file may not shrink. */
    public static final int F_SEAL_SHRINK = 0x2;
    /** The file may not grow. */
    public static final int F_SEAL_GROW = 0x4;
    /** The contents may not change. */
    public static final int F_SEAL_WRITE = 0x8;
    /**
     * No new writable mapping and no write(2) (Linux 5.1): mappings that exist
     * stay writable, so the maker keeps writing and receivers can only read.
     */
    public static final int F_SEAL_FUTURE_WRITE = 0x10;

    /** Byte offset of st_size in struct stat (x86_64 and the generic aarch64 layout). */
    private static final int STAT_SIZE_OFFSET = 48;
    private static final int STAT_STRUCT_SIZE = 256;

    private MemFd() {
    }

    /** A new, empty memfd, close-on-exec and sealable. */
    public static int create(String name) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING),
                "memfd_create(" + name + ")");
    }

    /** ftruncate(2): sets the file's size (sparse growth). */
    public static void truncate(int fd, long size) throws PosixException {
        Syscalls.check(LibC.INSTANCE.ftruncate(fd, size), "ftruncate(" + fd + ", " + size + ")");
    }

    /** Adds {@code seals} (F_SEAL_* bits). */
    public static void addSeals(int fd, int seals) throws PosixException {
        Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_ADD_SEALS, seals), "fcntl(F_ADD_SEALS)");
    }

    /** The seals in force; EINVAL when {@code fd} is not a sealable file (not a memfd). */
    public static int seals(int fd) throws PosixException {
        return Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_GET_SEALS, 0), "fcntl(F_GET_SEALS)");
    }

    /** The file's size (fstat st_size). */
    public static long size(int fd) throws PosixException {
        Memory stat = new Memory(STAT_STRUCT_SIZE);
        Syscalls.check(LibC.INSTANCE.fstat(fd, stat), "fstat(" + fd + ")");
        return stat.getLong(STAT_SIZE_OFFSET);
    }
}
