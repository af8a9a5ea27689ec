package org.freeflow.transport.tcp.internal;

import static org.freeflow.transport.tcp.internal.TwoHosts.REQUESTER;
import static org.freeflow.transport.tcp.internal.TwoHosts.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.HashSet;
import org.freeflow.router.api.transport.Outcome;
import org.junit.jupiter.api.Test;

/**
 * A READ's answer placed into the READ's memory on a requester connection: one placement at a time, and an
 * answer that comes from another TCP connection meanwhile taken only if the placement is given up.
 */
class FetchPlacementTest {

    private static final int SIZE = 96 << 10;

    private final Recorder acks = new Recorder();
    private final TcpConnection connection = new TcpConnection(7, REQUESTER, at(20), acks, 64L << 20,
            new HashSet<>());
    private final int heldAtStart = Request.held();

    private static ByteBuffer data(int seed) {
        byte[] b = new byte[SIZE];
        for (int k = 0; k < SIZE; k++) {
            b[k] = (byte) (seed + k * 3);
        }
        return ByteBuffer.wrap(b);
    }

    @Test
    void anAnswerPlacedWhileAnotherComesIsTakenOnceAndTheOtherDropped() {
        Request read = Request.read(0, SIZE, 0, MemoryResponder.RKEY);
        assertEquals(Outcome.PENDING, connection.post(read));
        FetchPlacement p = connection.placeFetched(0, SIZE);
        assertNotNull(p, "an unanswered READ with its memory kept");
        assertNull(connection.placeFetched(0, SIZE), "one placement at a time");
        p.take(data(1));
        connection.fetched(0, data(2)); // read again after a reconnect, answered on the new connection
        assertEquals(-1, acks.acknowledged(), "kept while the placement runs");
        connection.placed(p);
        assertEquals(Boolean.TRUE, acks.placed(0));
        assertNull(acks.fetched(0), "the other answer dropped");
        assertArrayEquals(data(1).array(), read.data().array());
        assertEquals(heldAtStart, Request.held(), "the READ's memory released once placed");
    }

    @Test
    void aPlacementCutOffLeavesTheReadToTheAnswerThatCameMeanwhileOrToTheNextOne() {
        Request read = Request.read(0, SIZE, 0, MemoryResponder.RKEY);
        connection.post(read);
        FetchPlacement cut = connection.placeFetched(0, SIZE);
        cut.take(data(1).limit(1000));
        connection.fetched(0, data(2));
        cut.abandon(); // its TCP connection ended mid-body
        assertNull(acks.placed(0));
        assertArrayEquals(data(2).array(), acks.fetched(0), "the answer that came meanwhile");
        assertEquals(0, acks.acknowledged());

        Request next = Request.read(1, SIZE, 0, MemoryResponder.RKEY);
        connection.post(next);
        FetchPlacement first = connection.placeFetched(1, SIZE);
        first.abandon();
        assertNull(connection.placeFetched(1, SIZE), "its memory went with the placement: copied from now on");
        assertEquals(heldAtStart, Request.held());
        connection.fetched(1, data(3));
        assertArrayEquals(data(3).array(), acks.fetched(1));
        assertNull(connection.placeFetched(2, SIZE), "no such READ unanswered");
    }
}
