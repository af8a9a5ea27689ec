package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/**
 * Checks a REG_MR request and maps the pages it covers from the FFL's process
 * memfd (file offset == virtual address).
 */
final class MemoryRegistrar {

    /** Access bits this device implements; the optional range is ignored. */
    private static final int SUPPORTED_ACCESS = ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ
            | ACCESS_REMOTE_ATOMIC | ACCESS_MW_BIND | ACCESS_HUGETLB;
    private static final int UNSUPPORTED_ACCESS = ACCESS_ZERO_BASED | ACCESS_ON_DEMAND;

    private MemoryRegistrar() {
    }

    /** The access flags to keep, or a VerbsException. */
    static int checkAccess(int requested) {
        int access = requested & ~ACCESS_OPTIONAL_RANGE;
        if ((access & UNSUPPORTED_ACCESS) != 0) {
            throw new VerbsException(Errno.EOPNOTSUPP, "access 0x" + Integer.toHexString(access));
        }
        if ((access & ~SUPPORTED_ACCESS) != 0) {
            throw new VerbsException(Errno.EINVAL, "unknown access bits 0x" + Integer.toHexString(access));
        }
        if ((access & (ACCESS_REMOTE_WRITE | ACCESS_REMOTE_ATOMIC)) != 0 && (access & ACCESS_LOCAL_WRITE) == 0) {
            throw new VerbsException(Errno.EINVAL, "remote write or atomic access needs local write");
        }
        return access;
    }

    /**
     * Maps the pages of {@code memfd} that cover [addr, addr + length) after
     * checking the range and that the file is sealed against shrinking and
     * long enough.  A zero-length region maps nothing and returns null.
     */
    static MappedRegion map(int memfd, long addr, long length, long iova) {
        if (length < 0 || addr < 0 || length > Abi.MEMFD_SIZE || addr > Abi.MEMFD_SIZE - length) {
            throw new VerbsException(Errno.EINVAL, "range 0x" + Long.toHexString(addr) + "+" + length);
        }
        if (Long.compareUnsigned(iova + length, iova) < 0) {
            throw new VerbsException(Errno.EINVAL, "iova range wraps");
        }
        if (length == 0) {
            return null;
        }
        if (memfd < 0) {
            throw new VerbsException(Errno.EINVAL, "REG_MR without the process memfd");
        }
        long page = MappedRegion.pageSize();
        long start = addr & -page;
        long end = (addr + length + page - 1) & -page;
        try {
            if ((MemFd.seals(memfd) & MemFd.F_SEAL_SHRINK) == 0) {
                throw new VerbsException(Errno.EINVAL, "memfd not sealed against shrinking");
            }
            if (MemFd.size(memfd) < end) {
                throw new VerbsException(Errno.EINVAL, "memfd shorter than the region");
            }
            return MappedRegion.map(memfd, start, end - start, true);
        } catch (PosixException e) {
            int errno = e.errno() == Errno.ENOMEM ? Errno.ENOMEM : Errno.EINVAL;
            throw new VerbsException(errno, "cannot map the region: " + e.getMessage());
        }
    }
}
