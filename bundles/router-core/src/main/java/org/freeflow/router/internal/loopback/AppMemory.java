package org.freeflow.router.internal.loopback;

import java.nio.ByteBuffer;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/**
 * An application's memory as the FFL backs it: a sparse memfd sealed against
 * shrinking, where file offset == "virtual address".  The test reads and
 * writes bytes at addresses below {@link #SIZE}.
 */
public final class AppMemory implements AutoCloseable {

    public static final long SIZE = 16L << 20;

    public final int fd;
    private final MappedRegion mapping;

    public AppMemory() throws PosixException {
        this(SIZE, MemFd.F_SEAL_SHRINK);
    }

    public AppMemory(long fileSize, int seals) throws PosixException {
        fd = MemFd.create("app-memory");
        MemFd.truncate(fd, fileSize);
        if (seals != 0) {
            MemFd.addSeals(fd, seals);
        }
        mapping = MappedRegion.map(fd, 0, Math.min(fileSize, SIZE), true);
    }

    public ByteBuffer bytes() {
        return mapping.chunk(0);
    }

    public void fill(long addr, int length, int seed) {
        for (int i = 0; i < length; i++) {
            bytes().put((int) addr + i, (byte) (seed + i * 7));
        }
    }

    public byte[] read(long addr, int length) {
        byte[] out = new byte[length];
        bytes().get((int) addr, out);
        return out;
    }

    public static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (seed + i * 7);
        }
        return out;
    }

    @Override
    public void close() {
        mapping.close();
        FileDescriptors.closeQuietly(fd);
    }
}
