package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpollSetTest {

    @Test
    void reportsTheReadyDescriptorsByTheirDataAndWakesAPollSet() throws Exception {
        try (EpollSet set = new EpollSet(8); Pipe a = Pipe.forReading(); Pipe b = Pipe.forReading();
                Pipe c = Pipe.forReading()) {
            set.add(a.readFd(), 11);
            set.add(b.readFd(), 22);
            set.add(c.readFd(), 33);
            assertEquals(0, set.ready());
            PollSet sleeper = new PollSet(1);
            sleeper.add(set.fd(), PollSet.POLLIN);
            assertEquals(0, sleeper.pollNanos(1_000_000));

            ring(a);
            ring(c);
            assertEquals(1, sleeper.pollNanos(-1));
            int n = set.ready();
            Set<Long> ready = new HashSet<>();
            for (int i = 0; i < n; i++) {
                ready.add(set.data(i));
            }
            assertEquals(Set.of(11L, 33L), ready);

            assertEquals(1, a.drain());
            assertEquals(1, c.drain());
            assertEquals(0, set.ready(), "level-triggered: drained pipes are no longer ready");
            set.remove(b.readFd());
            ring(b);
            assertEquals(0, set.ready(), "removed");
        }
    }

    @Test
    void reportsNoMoreThanItsCapacityPerCall() throws Exception {
        try (EpollSet set = new EpollSet(2); Pipe a = Pipe.forReading(); Pipe b = Pipe.forReading();
                Pipe c = Pipe.forReading()) {
            for (Pipe p : new Pipe[] {a, b, c}) {
                set.add(p.readFd(), p.readFd());
                ring(p);
            }
            assertEquals(2, set.ready());
            assertTrue(set.data(0) != set.data(1));
        }
    }

    /** The other process rings: a byte on the writing end. */
    private static void ring(Pipe p) throws Exception {
        try (java.io.FileOutputStream out = new java.io.FileOutputStream("/proc/self/fd/" + p.writeFd())) {
            out.write(1);
        }
    }
}
