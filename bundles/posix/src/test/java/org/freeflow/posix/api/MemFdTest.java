package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class MemFdTest {

    @Test
    void twoMappingsSeeTheSameBytes() throws Exception {
        int fd = MemFd.create("twice");
        try {
            MemFd.truncate(fd, 3 * MappedRegion.pageSize());
            try (MappedRegion whole = MappedRegion.map(fd, 0, 3 * MappedRegion.pageSize(), true);
                    MappedRegion page1 = MappedRegion.map(fd, MappedRegion.pageSize(), MappedRegion.pageSize(), true)) {
                whole.chunk(0).putInt((int) MappedRegion.pageSize() + 12, 0xCAFEBABE);
                assertEquals(0xCAFEBABE, page1.chunk(0).getInt(12));
                page1.chunk(0).put(0, (byte) 7);
                assertEquals(7, whole.chunk(0).get((int) MappedRegion.pageSize()));
            }
        } finally {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void sealsAreAddedReadAndEnforced() throws Exception {
        int fd = MemFd.create("sealed");
        try {
            MemFd.truncate(fd, 8192);
            assertEquals(0, MemFd.seals(fd));
            MemFd.addSeals(fd, MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW);
            assertEquals(MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW, MemFd.seals(fd));
            assertEquals(Errno.EPERM, assertThrows(PosixException.class, () -> MemFd.truncate(fd, 4096)).errno());
            assertEquals(Errno.EPERM, assertThrows(PosixException.class, () -> MemFd.truncate(fd, 16384)).errno());
            MemFd.addSeals(fd, MemFd.F_SEAL_SEAL);
            assertEquals(Errno.EPERM,
                    assertThrows(PosixException.class, () -> MemFd.addSeals(fd, MemFd.F_SEAL_WRITE)).errno());
            assertEquals(8192, MemFd.size(fd));
        } finally {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void aSocketHasNoSeals() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        try (SeqpacketSocket a = pair[0]; SeqpacketSocket b = pair[1]) {
            assertEquals(Errno.EINVAL, assertThrows(PosixException.class, () -> MemFd.seals(a.fd())).errno());
        }
    }

    @Test
    void sparseFileIsMappedInGibChunks() throws Exception {
        long length = (1L << 30) + 2 * MappedRegion.pageSize();
        int fd = MemFd.create("sparse");
        try {
            MemFd.truncate(fd, 1L << 40);
            try (MappedRegion big = MappedRegion.map(fd, 1L << 32, length, true);
                    MappedRegion tail = MappedRegion.map(fd, (1L << 32) + (1L << 30), MappedRegion.pageSize(), true)) {
                assertEquals(2, big.chunkCount());
                assertEquals(1 << 30, big.chunk(0).capacity());
                assertEquals(2 * MappedRegion.pageSize(), big.chunk(1).capacity());
                big.chunk(1).putLong(16, 99L);
                assertEquals(99L, tail.chunk(0).getLong(16));
            }
        } finally {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void populatingFaultsInThePagesTheFileHoldsAndNoHole() throws Exception {
        long page = MappedRegion.pageSize();
        int fd = MemFd.create("populate");
        try {
            MemFd.truncate(fd, 8 * page);
            try (MappedRegion writer = MappedRegion.map(fd, 0, 8 * page, true)) {
                for (int p : new int[] {1, 2, 5}) {
                    writer.chunk(0).put((int) (p * page), (byte) 1);
                }
            }
            try (MappedRegion whole = MappedRegion.map(fd, 0, 8 * page, true);
                    MappedRegion part = MappedRegion.map(fd, 2 * page, 4 * page, true)) {
                assertEquals(pages(), whole.presentPages(), "a fresh mapping has no page tables yet");
                assertEquals(page, whole.populateFileData(fd, 16, page), "at most one page: page 1");
                assertEquals(pages(1), whole.presentPages());
                assertEquals(2 * page, whole.populateFileData(fd, 1, 64 * page), "at most one extent: pages 1-2");
                assertEquals(pages(1, 2), whole.presentPages());
                assertEquals(3 * page, whole.populateFileData(fd, 16, 64 * page));
                assertEquals(pages(1, 2, 5), whole.presentPages(), "the holes stay unpopulated");
                assertEquals(2 * page, part.populateFileData(fd, 16, 64 * page), "file pages 2 and 5 of 2-5");
                assertEquals(pages(0, 3), part.presentPages());
            }
        } finally {
            FileDescriptors.close(fd);
        }
    }

    private static BitSet pages(int... indices) {
        BitSet set = new BitSet();
        for (int i : indices) {
            set.set(i);
        }
        return set;
    }

    @Test
    void unalignedOffsetIsRefused() throws Exception {
        int fd = MemFd.create("unaligned");
        try {
            MemFd.truncate(fd, 8192);
            assertEquals(Errno.EINVAL, assertThrows(PosixException.class, () -> MappedRegion.map(fd, 100, 10, true)).errno());
        } finally {
            FileDescriptors.close(fd);
        }
    }
}
