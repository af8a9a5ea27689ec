package org.freeflow.router.internal.vnic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's mapping of a registered region: page tables filled in where the process has pages, as an HCA pins them. */
class MemoryRegistrarTest {

    private static final long PAGE = MappedRegion.pageSize();
    private int memfd;

    @BeforeEach
    void processMemory() throws Exception {
        memfd = MemFd.create("process");
        MemFd.truncate(memfd, 64 * PAGE);
        MemFd.addSeals(memfd, MemFd.F_SEAL_SHRINK);
        try (MappedRegion app = MappedRegion.map(memfd, 0, 64 * PAGE, true)) {
            for (int page = 8; page < 12; page++) {
                app.chunk(0).put((int) (page * PAGE), (byte) page); // what the application touched
            }
            app.chunk(0).put((int) (20 * PAGE), (byte) 20);
        }
    }

    @AfterEach
    void close() {
        FileDescriptors.closeQuietly(memfd);
    }

    @Test
    void theRegionsPagesAreMappedAtRegistration() throws Exception {
        try (MappedRegion mr = MemoryRegistrar.map(memfd, 8 * PAGE + 100, 13 * PAGE, 0)) {
            BitSet expected = new BitSet();
            expected.set(0, 4);
            expected.set(12);
            assertEquals(expected, mr.presentPages(), "pages 8-11 and 20 of the process, none of its holes");
            assertEquals(8, mr.chunk(0).get(0), "and they are the process's pages");
        }
    }
}
