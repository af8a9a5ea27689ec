package org.freeflow.posix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PollSetTest {

    @Test
    void eventFdWakesPoll() throws Exception {
        try (EventFd event = EventFd.create(EventFd.EFD_NONBLOCK)) {
            PollSet set = new PollSet(1);
            set.add(event.fd(), PollSet.POLLIN);
            assertEquals(0, set.poll(0));
            event.signal(3);
            event.signal(4);
            assertEquals(1, set.poll(1000));
            assertTrue((set.revents(0) & PollSet.POLLIN) != 0);
            assertEquals(7, event.drain());
            assertEquals(0, event.drain());
            assertEquals(0, set.poll(0));
        }
    }

    @Test
    void socketsReportDataAndHangUpAndTheSetGrows() throws Exception {
        SeqpacketSocket[] pair = SeqpacketSocket.pair();
        try (EventFd idle = EventFd.create(0); SeqpacketSocket b = pair[1]) {
            PollSet set = new PollSet(1);
            set.add(idle.fd(), PollSet.POLLIN);
            int index = set.add(b.fd(), PollSet.POLLIN);
            assertEquals(2, set.size());
            assertEquals(b.fd(), set.fd(index));
            pair[0].send(ByteBuffer.allocate(1));
            pair[0].close();
            assertEquals(1, set.poll(1000));
            assertEquals(0, set.revents(0));
            assertTrue((set.revents(index) & PollSet.POLLIN) != 0);
            assertTrue((set.revents(index) & PollSet.POLLHUP) != 0);
        }
    }
}
