package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The calls a sleeping poller and a CQ notification make: ppoll, eventfd, dup, pinning. */
class DataPathCallsTest {

    @Test
    void pollNanosTimesOutAndWakesOnAnEventFd() throws Exception {
        try (EventFd event = EventFd.create(EventFd.EFD_NONBLOCK)) {
            PollSet set = new PollSet(1);
            set.add(event.fd(), PollSet.POLLIN);
            long start = System.nanoTime();
            assertEquals(0, set.pollNanos(2_000_000L));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= 2_000_000L, "ppoll returned after " + waited + " ns");
            assertEquals(0, set.pollNanos(0));
            Thread ringer = new Thread(() -> {
                sleep(20);
                try (EventFd ringing = adopted(event)) {
                    assertTrue(ringing.trySignal());
                }
            });
            ringer.start();
            assertEquals(1, set.pollNanos(-1));
            ringer.join();
            assertEquals(1, event.drain());
        }
    }

    @Test
    void adoptedDuplicateSignalsTheSameCounterAndClosesOnlyItself() throws Exception {
        try (EventFd event = EventFd.create(EventFd.EFD_NONBLOCK)) {
            int dup = FileDescriptors.duplicate(event.fd());
            try (EventFd other = EventFd.adopt(dup)) {
                other.signal(5);
                assertTrue(other.trySignal());
            }
            assertEquals(6, event.drain());
            EventFd closed = EventFd.adopt(dup);
            assertFalse(closed.trySignal(), "the adopted descriptor was closed");
            assertEquals(Errno.EBADF, assertThrows(PosixException.class, () -> closed.signal(1)).errno());
        }
    }

    @Test
    void trySignalOnAFullBlockingEventFdGivesUpInsteadOfWaiting() throws Exception {
        // what an application can do to a completion channel or async fd it shares with the router
        try (EventFd event = EventFd.create(0)) {
            event.signal(0xfffffffffffffffeL);
            assertFalse(event.trySignal(), "a write of 1 would block until someone reads");
            PollSet readable = new PollSet(1);
            readable.add(event.fd(), PollSet.POLLIN);
            assertEquals(1, readable.pollNanos(0), "the full counter wakes a reader anyway");
            assertEquals(0xfffffffffffffffeL, event.drain());
            assertTrue(event.trySignal());
            assertEquals(1, event.drain());
        }
    }

    @Test
    void signalDrainAndPollAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EventFd event = EventFd.create(EventFd.EFD_NONBLOCK)) {
            PollSet set = new PollSet(1);
            set.add(event.fd(), PollSet.POLLIN);
            for (int i = 0; i < 20_000; i++) {
                exercise(event, set);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                exercise(event, set);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by 20000 signal/poll/drain");
        }
    }

    private static void exercise(EventFd event, PollSet set) throws PosixException {
        event.trySignal();
        if (set.pollNanos(1000) != 1) {
            throw new AssertionError("not readable");
        }
        if (event.drain() != 1) {
            throw new AssertionError("counter");
        }
    }

    @Test
    void futureWriteSealLeavesTheMakerWritingAndOthersReading() throws Exception {
        int fd = MemFd.create("router-page");
        try {
            MemFd.truncate(fd, 4096);
            try (MappedRegion mine = MappedRegion.map(fd, 0, 4096, true)) {
                MemFd.addSeals(fd, MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW | MemFd.F_SEAL_FUTURE_WRITE);
                assertEquals(Errno.EPERM,
                        assertThrows(PosixException.class, () -> MappedRegion.map(fd, 0, 4096, true)).errno());
                try (MappedRegion theirs = MappedRegion.map(fd, 0, 4096, false)) {
                    mine.chunk(0).putInt(0, 3);
                    assertEquals(3, theirs.chunk(0).getInt(0));
                }
            }
        } finally {
            FileDescriptors.closeQuietly(fd);
        }
    }

    @Test
    void aThreadIsPinnedAndUnpinned() throws Exception {
        int tid = CpuAffinity.currentThreadId();
        assertTrue(tid > 0);
        int[] all = CpuAffinity.get(tid);
        assertTrue(all.length >= 1);
        try {
            CpuAffinity.set(tid, all[all.length - 1]);
            assertArrayEquals(new int[] {all[all.length - 1]}, CpuAffinity.get(tid));
        } finally {
            CpuAffinity.set(tid, all);
        }
        assertArrayEquals(all, CpuAffinity.get(tid));
        assertEquals(Errno.EINVAL, assertThrows(PosixException.class, () -> CpuAffinity.set(tid, 1023)).errno());
    }

    private static EventFd adopted(EventFd event) {
        try {
            return EventFd.adopt(FileDescriptors.duplicate(event.fd()));
        } catch (PosixException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
