package org.freeflow.posix.api;

import com.sun.jna.Pointer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * A shared mapping ({@code mmap(MAP_SHARED)}) of a range of a file, exposed as
 * little-endian direct {@link ByteBuffer}s of {@link #CHUNK_SIZE} bytes each
 * (the last one shorter): a Java buffer is int-indexed, a mapping need not be.
 * Byte {@code i} of the range is at index {@code i & CHUNK_MASK} of chunk
 * {@code i >>> CHUNK_SHIFT}.
 * <p>
 * The chunk buffers are shared: use absolute gets and puts, or a
 * {@code duplicate()}.  After {@link #close()} every chunk is dangling and
 * touching one crashes the JVM: close only when no thread can use it.
 */
public final class MappedRegion implements Closeable {

    /** log2 of the chunk size. */
    public static final int CHUNK_SHIFT = 30;
    /** Bytes per chunk: 1 GiB. */
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    /** Mask of the index within a chunk. */
    public static final long CHUNK_MASK = CHUNK_SIZE - 1L;

    private static final long PAGE_SIZE = LibC.INSTANCE.sysconf(LibC.SC_PAGESIZE);

    private final Pointer base;
    private final long fileOffset;
    private final long length;
    private final ByteBuffer[] chunks;
    private boolean closed;

    private MappedRegion(Pointer base, long fileOffset, long length) {
        this.base = base;
        this.fileOffset = fileOffset;
        this.length = length;
        int n = (int) ((length + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long start = (long) i << CHUNK_SHIFT;
            long size = Math.min(CHUNK_SIZE, length - start);
            chunks[i] = base.getByteBuffer(start, size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The system page size; mapping offsets must be multiples of it. */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    /**
     * Maps {@code [offset, offset + length)} of {@code fd}, shared, readable and
     * (when {@code writable}) writable.  {@code offset} must be page-aligned.
     * The caller keeps (and may close) {@code fd}; the mapping stays valid.
     */
    public static MappedRegion map(int fd, long offset, long length, boolean writable) throws PosixException {
        if (length <= 0 || offset < 0 || offset % PAGE_SIZE != 0) {
            throw new PosixException("mmap(offset " + offset + ", length " + length + ")", Errno.EINVAL);
        }
        int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
        Pointer p = LibC.INSTANCE.mmap(null, length, prot, LibC.MAP_SHARED, fd, offset);
        if (p == null || Pointer.nativeValue(p) == -1L) {
            throw new PosixException("mmap(fd " + fd + ", offset " + offset + ", length " + length + ")",
                    Syscalls.lastErrno());
        }
        return new MappedRegion(p, offset, length);
    }

    /** Bytes mapped. */
    public long length() {
        return length;
    }

    /** Offset in the file of the first mapped byte. */
    public long fileOffset() {
        return fileOffset;
    }

    /** Number of chunks. */
    public int chunkCount() {
        return chunks.length;
    }

    /** Chunk {@code i}: a little-endian buffer over bytes [i << CHUNK_SHIFT, ...). */
    public ByteBuffer chunk(int i) {
        return chunks[i];
    }

    /**
     * Fills in the page tables of the mapped pages that {@code fd} (the file
     * this region maps) holds, as writes would, so that the first access to
     * them takes no page fault: madvise(MADV_POPULATE_WRITE) over each data
     * extent that lseek(SEEK_DATA / SEEK_HOLE) finds in the range, in order,
     * at most {@code maxExtents} of them and {@code maxBytes} in all (the
     * rest faults in on first use).  Holes stay holes: nothing is
     * allocated in the file (barring a hole punched between the lseek and the
     * madvise).  Returns the bytes populated; a kernel without
     * MADV_POPULATE_WRITE populates nothing.
     *
     * @throws PosixException when lseek fails other than at the end of the data
     */
    public long populateFileData(int fd, int maxExtents, long maxBytes) throws PosixException {
        long end = fileOffset + length;
        long at = fileOffset;
        long populated = 0;
        for (int extents = 0; extents < maxExtents && at < end && populated < maxBytes; extents++) {
            long data = LibC.INSTANCE.lseek(fd, at, LibC.SEEK_DATA);
            if (data < 0) {
                int errno = Syscalls.lastErrno();
                if (errno == Errno.ENXIO) {
                    break; // no data after at
                }
                throw new PosixException("lseek(SEEK_DATA, " + at + ")", errno);
            }
            if (data >= end) {
                break;
            }
            long hole = LibC.INSTANCE.lseek(fd, data, LibC.SEEK_HOLE);
            if (hole < 0) {
                throw new PosixException("lseek(SEEK_HOLE, " + data + ")", Syscalls.lastErrno());
            }
            long stop = Math.min(Math.min(hole, end), data + (maxBytes - populated));
            if (LibC.INSTANCE.madvise(base.share(data - fileOffset), stop - data, LibC.MADV_POPULATE_WRITE) != 0) {
                break; // EINVAL before Linux 5.14; EFAULT/ENOMEM: leave the rest to the faults
            }
            populated += stop - data;
            at = stop;
        }
        return populated;
    }

    /**
     * The pages of this mapping that have a page-table entry in this process
     * (bit 63 of their /proc/self/pagemap entries): what
     * {@link #populateFileData} filled in or accesses faulted in.  For
     * diagnostics and tests; one read per page.
     */
    public BitSet presentPages() throws IOException {
        BitSet present = new BitSet();
        long first = Pointer.nativeValue(base) / PAGE_SIZE;
        ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN); // whole entries only
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ)) {
            for (int i = 0; i < (length + PAGE_SIZE - 1) / PAGE_SIZE; i++) {
                entry.clear();
                pagemap.read(entry, (first + i) * 8);
                if (entry.getLong(0) < 0) {
                    present.set(i);
                }
            }
        }
        return present;
    }

    /** munmap(2); idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.munmap(base, length);
        }
    }

    @Override
    public String toString() {
        return "MappedRegion[offset=" + fileOffset + ", length=" + length + "]";
    }
}
