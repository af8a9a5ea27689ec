package org.freeflow.fastpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable-thread count against the CPUs, read from loadavg and at most once per refresh. */
class CpuContentionTest {

    @TempDir
    Path dir;

    private static int field(String text) {
        return CpuContention.LoadAvg.runnableField(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theRunnableCountIsTheFourthFieldBeforeTheSlash() {
        assertEquals(3, field("0.52 0.58 0.59 3/812 12345\n"));
        assertEquals(117, field("10.00 9.50 8.25 117/2048 99\n"));
        assertEquals(-1, field("0.52 0.58 0.59 3812 12345\n"), "no slash");
        assertEquals(-1, field("0.52 0.58 0.59 /812 12345\n"), "no number");
        assertEquals(-1, field("0.52 0.58"), "too short");
        assertEquals(-1, field(""));
    }

    @Test
    void moreRunnableThreadsThanCpusIsContention() throws IOException {
        Path file = dir.resolve("loadavg");
        Files.writeString(file, "1.00 1.00 1.00 3/400 77\n");
        CpuContention two = new CpuContention(new CpuContention.LoadAvg(file), 2);
        assertTrue(two.contended(0));
        Files.writeString(file, "1.00 1.00 1.00 2/400 77\n");
        CpuContention again = new CpuContention(new CpuContention.LoadAvg(file), 2);
        assertFalse(again.contended(0), "as many runnable threads as CPUs: none waits");
    }

    @Test
    void theKernelsFileGivesACount() {
        int runnable = new CpuContention.LoadAvg(CpuContention.LOADAVG).getAsInt();
        assertTrue(runnable >= 1, "the reader itself runs: " + runnable);
    }

    @Test
    void anUnreadableFileMeansNoContention() {
        CpuContention.LoadAvg missing = new CpuContention.LoadAvg(dir.resolve("absent"));
        assertEquals(-1, missing.getAsInt());
        assertFalse(new CpuContention(missing, 1).contended(0));
    }

    @Test
    void oneReadingServesForTheRefreshInterval() {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger runnable = new AtomicInteger(5);
        CpuContention c = new CpuContention(() -> {
            reads.incrementAndGet();
            return runnable.get();
        }, 4);
        long t = 1_000_000_000L;
        assertTrue(c.contended(t));
        runnable.set(1);
        assertTrue(c.contended(t + CpuContention.REFRESH_NANOS - 1), "the first reading still holds");
        assertEquals(1, reads.get());
        assertFalse(c.contended(t + CpuContention.REFRESH_NANOS), "read again");
        assertEquals(2, reads.get());
    }
}
