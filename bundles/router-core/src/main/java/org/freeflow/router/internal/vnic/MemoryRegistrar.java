package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/**
 * Checks a REG_MR request and maps the pages it covers from the FFL's process
 * memfd (file offset == virtual address), with the page tables of the pages
 * the process has filled in, as an HCA pins and maps a region when it is
 * registered: the first work requests on it take no page faults in the router.
 */
final class MemoryRegistrar {

    /**
     * Data extents of the memfd a registration populates, at most: one for a
     * region the FFL populated (its usual case); a file cut into many small
     * extents costs two lseeks each, so a container cannot make registration
     * slow for its neighbours, whose control verbs share the thread.
     */
    private static final int POPULATED_EXTENTS = 64;
    /**
     * Bytes a registration populates, at most (page-table work in proportion
     * to them): beyond it the pages fault in on first use, so that one huge
     * registration does not hold the control thread for long.
     */
    private static final long POPULATED_BYTES = 1L << 30;

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
            MappedRegion mapping = MappedRegion.map(memfd, start, end - start, true);
            populate(mapping, memfd);
            return mapping;
        } catch (PosixException e) {
            int errno = e.errno() == Errno.ENOMEM ? Errno.ENOMEM : Errno.EINVAL;
            throw new VerbsException(errno, "cannot map the region: " + e.getMessage());
        }
    }

    /**
     * Fills in the mapping's page tables over the pages the memfd holds; never
     * over its holes (a hole populated here would be memory allocated to the
     * container's file by the router).  Without it the region still works.
     */
    private static void populate(MappedRegion mapping, int memfd) {
        try {
            mapping.populateFileData(memfd, POPULATED_EXTENTS, POPULATED_BYTES);
        } catch (PosixException e) {
            // the pages fault in on first use instead
        }
    }
}
