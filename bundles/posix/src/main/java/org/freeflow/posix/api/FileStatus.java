package org.freeflow.posix.api;

import com.sun.jna.Memory;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * What kind of file a descriptor is open on, from fstat(2), fstatfs(2) and
 * its open flags: the checks a process makes on a descriptor another
 * process handed it before it trusts it with a role.
 *
 * @param device     st_dev
 * @param inode      st_ino
 * @param mode       st_mode (type and permission bits)
 * @param filesystem f_type of the file system (statfs)
 * @param accessMode O_RDONLY, O_WRONLY or O_RDWR, as it was opened
 */
public record FileStatus(long device, long inode, int mode, long filesystem, int accessMode) {

    /** S_IFMT: the file type bits of st_mode. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFSOCK = 0140000;
    /** open(2) access modes. */
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    /** statfs f_type of tmpfs and shmem, where ordinary memfds live. */
    public static final long TMPFS_MAGIC = 0x01021994L;
    /** statfs f_type of the namespace file system (/proc/PID/ns/*, /run/netns/*). */
    public static final long NSFS_MAGIC = 0x6e736673L;

    private static final int STAT_STRUCT_SIZE = 256;
    private static final int STATFS_STRUCT_SIZE = 128;
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    /** st_mode: after a 64-bit st_nlink on x86_64, before a 32-bit one in the generic (aarch64) layout. */
    private static final int STAT_MODE_OFFSET = X86_64 ? 24 : 16;

    /** The status of {@code fd}. */
    public static FileStatus of(int fd) throws PosixException {
        Memory stat = new Memory(STAT_STRUCT_SIZE);
        Syscalls.check(LibC.INSTANCE.fstat(fd, stat), "fstat(" + fd + ")");
        Memory statfs = new Memory(STATFS_STRUCT_SIZE);
        Syscalls.check(LibC.INSTANCE.fstatfs(fd, statfs), "fstatfs(" + fd + ")");
        int flags = Syscalls.check(LibC.INSTANCE.fcntl(fd, LibC.F_GETFL, 0), "fcntl(" + fd + ", F_GETFL)");
        return new FileStatus(stat.getLong(0), stat.getLong(8), stat.getInt(STAT_MODE_OFFSET), statfs.getLong(0),
                flags & LibC.O_ACCMODE);
    }

    /** True for a pipe or FIFO. */
    public boolean isFifo() {
        return (mode & S_IFMT) == S_IFIFO;
    }

    /** True for a regular file (memfds are). */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** True for a regular file on tmpfs: a plain memfd (not hugetlbfs, not a file on disk). */
    public boolean isTmpfsFile() {
        return isRegularFile() && filesystem == TMPFS_MAGIC;
    }

    /** True for a namespace file (nsfs). */
    public boolean isNamespace() {
        return filesystem == NSFS_MAGIC;
    }
}
