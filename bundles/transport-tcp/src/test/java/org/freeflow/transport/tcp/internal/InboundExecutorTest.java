package org.freeflow.transport.tcp.internal;

import static org.freeflow.transport.tcp.internal.TwoHosts.REQUESTER;
import static org.freeflow.transport.tcp.internal.TwoHosts.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Outcome;
import org.junit.jupiter.api.Test;

/**
 * The executor on its own: what it answers, when it writes the answers, when it holds READs back, and
 * when it holds requests for the requesters answered just before them.
 */
class InboundExecutorTest {

    private static final long CONNECTION = 0x42;

    private final MemoryResponder responder = new MemoryResponder(TwoHosts.LID, 20);
    /** Answers queued, and those the executor flushed (written). */
    private final List<ByteBuffer> queued = new ArrayList<>();
    private final List<ByteBuffer> written = new ArrayList<>();
    /** What the connection holds unwritten, as the executor sees it. */
    private long unsent;
    private final Map<Long, ResponderSession> sessions = new ConcurrentHashMap<>();
    private final InboundExecutor executor = executor();
    /** The I/O threads' choice of WRITEs to place (of this connection and of any other). */
    private final RequestPlacements placements = new RequestPlacements(d -> Optional.of(responder), sessions);
    /** Holds on test memory taken and not released yet when the test began (other tests' in this JVM). */
    private final int heldAtStart = Request.held();

    /** An executor of another TCP connection to the same router (the sessions are the router's). */
    private InboundExecutor executor() {
        return new InboundExecutor(d -> Optional.of(responder), sessions, queued::add, this::queueWithData,
                this::flush, () -> unsent, () -> { });
    }

    /** An answer in parts, taken whole now: its data read from the responder's memory at once. */
    private void queueWithData(OutFrame frame) {
        ByteBuffer[] parts = frame.copyForWriting();
        ByteBuffer whole = ByteBuffer.allocate((int) frame.bytes());
        for (ByteBuffer p : parts) {
            whole.put(p);
        }
        frame.release();
        queued.add(whole.flip());
    }

    /** How many answers each flush wrote. */
    private final List<Integer> flushes = new ArrayList<>();

    private void flush() {
        flushes.add(queued.size());
        written.addAll(queued);
        queued.clear();
    }

    private void arrive(Request r) {
        arrive(executor, r);
    }

    private void arrive(InboundExecutor on, Request r) {
        arriveAfter(on, r, null);
    }

    /** {@code r} comes in right after answers through PSN 0 to {@code answered}. */
    private void arriveAfter(InboundExecutor on, Request r, Requester answered) {
        ByteBuffer frame = Requests.encode(CONNECTION, r, REQUESTER, at(responder.qpn()));
        AnswersSettled owed = null;
        if (answered != null) {
            owed = new AnswersSettled();
            owed.answered(answered, 0);
        }
        on.accept(Wire.REQUEST, frame.position(Wire.HEADER).slice(), owed == null ? null : owed.take());
    }

    /** A requester of this router that was just answered and may not have written its completions yet. */
    static final class Requester implements Acknowledgements {
        /** The PSN its completions are written through. */
        volatile long completedThrough = -1;

        @Override
        public void acknowledged(long psn) {
        }

        @Override
        public void fetched(long psn, ByteBuffer data) {
        }

        @Override
        public void refused(long psn, Outcome outcome, int minRnrTimer) {
        }

        @Override
        public boolean settled(long psn) {
            return psn <= completedThrough;
        }
    }

    @Test
    void aRequestBehindAnswersWaitsForTheirRequestersToWriteTheirCompletions() {
        responder.post(2);
        Requester answered = new Requester();
        arriveAfter(executor, Request.send(0, new byte[] {1}), answered);
        arrive(Request.send(1, new byte[] {2}));
        long now = System.nanoTime();
        assertFalse(executor.poll(now), "held: the requester has not completed what was acknowledged to it");
        assertEquals(List.of(), responder.received(), "and the request behind it too");
        assertEquals(now, executor.deadline(now), "the poller comes back at once, after the requester's visit");

        answered.completedThrough = 0;
        assertTrue(executor.poll(now + 1_000));
        assertEquals(2, responder.received().size());
        assertEquals(PollTarget.NO_DEADLINE, executor.deadline(now + 1_000));
    }

    @Test
    void aRequesterThatNeverSettlesHoldsNoRequestLongerThanTheSettleTime() {
        responder.post(2);
        Requester stuck = new Requester(); // its application does not poll: its send CQ is full
        arriveAfter(executor, Request.send(0, new byte[] {1}), stuck);
        long now = System.nanoTime();
        assertFalse(executor.poll(now));
        assertFalse(executor.poll(now + InboundExecutor.SETTLE_NANOS / 2));
        assertTrue(executor.poll(now + InboundExecutor.SETTLE_NANOS), "executed after the settle time");
        assertEquals(1, responder.received().size());

        arriveAfter(executor, Request.send(1, new byte[] {2}), stuck);
        long later = now + 10 * InboundExecutor.SETTLE_NANOS;
        assertFalse(executor.poll(later), "the next request waits its own settle time");
        assertTrue(executor.poll(later + InboundExecutor.SETTLE_NANOS));
        assertEquals(2, responder.received().size());
    }

    private static int type(ByteBuffer frame) {
        return frame.get(frame.position() + 5) & 0xff;
    }

    private static long psnOf(ByteBuffer frame) {
        return frame.getLong(frame.position() + Wire.HEADER + 8);
    }

    @Test
    void theAnswersOfARoundAreWrittenTogetherAtItsEnd() {
        responder.post(3);
        for (int i = 0; i < 3; i++) {
            arrive(Request.send(i, new byte[] {(byte) i}));
        }
        arrive(Request.read(3, 100, 0, MemoryResponder.RKEY));
        assertTrue(executor.poll(System.nanoTime()));
        assertEquals(List.of(), queued, "nothing is left queued after the round");
        assertEquals(2, written.size(), "one cumulative ACK before the READ's answer, then the answer");
        assertEquals(Wire.ACK, type(written.get(0)));
        assertEquals(2, psnOf(written.get(0)), "the ACK covers the three SENDs");
        assertEquals(Wire.FETCHED, type(written.get(1)));
        assertEquals(3, psnOf(written.get(1)));
    }

    @Test
    void aReadWaitsWhileTheAnswersBeforeItAreNotWrittenAndTheRequestsBehindItWaitToo() {
        responder.post(1);
        arrive(Request.read(0, 4096, 0, MemoryResponder.RKEY));
        arrive(Request.read(1, 4096, 0, MemoryResponder.RKEY));
        arrive(Request.send(2, new byte[] {7}));
        unsent = InboundExecutor.FETCH_BACKLOG + 1; // the connection has not written what was answered before
        long now = System.nanoTime();
        assertFalse(executor.poll(now), "nothing executed");
        assertEquals(List.of(), written);
        assertEquals(List.of(), responder.received(), "the SEND behind the READs waits too: in order");
        assertNotEquals(PollTarget.NO_DEADLINE, executor.deadline(now), "the poller comes back soon");

        unsent = 0; // written meanwhile
        assertTrue(executor.poll(System.nanoTime()));
        assertEquals(3, written.size(), written.toString());
        assertEquals(List.of(0L, 1L, 2L), written.stream().map(InboundExecutorTest::psnOf).toList());
        assertEquals(1, responder.received().size());
        assertEquals(PollTarget.NO_DEADLINE, executor.deadline(System.nanoTime()), "nothing held back any more");
    }

    @Test
    void answersAreWrittenAsSoonAsAQuarterMiBWaitsNotOnlyAtTheRoundsEnd() {
        for (int i = 0; i < 6; i++) {
            arrive(Request.read(i, 60 << 10, 0, MemoryResponder.RKEY));
        }
        assertTrue(executor.poll(System.nanoTime()));
        assertEquals(List.of(5, 1), flushes, "five 60 KiB answers pass 256 KiB: written then; the sixth at the end");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), written.stream().map(InboundExecutorTest::psnOf).toList());
    }

    @Test
    void aDuplicateReadIsReadAgainOnlyWhenItsAnswerDidNotGoOnTheSameConnection() {
        responder.memory.put(0, (byte) 5);
        arrive(Request.read(0, 16, 0, MemoryResponder.RKEY));
        arrive(Request.read(1, 16, 0, MemoryResponder.RKEY));
        executor.poll(System.nanoTime());
        assertEquals(2, written.size());
        arrive(Request.read(0, 16, 0, MemoryResponder.RKEY)); // the requester timed out: both posted again
        arrive(Request.read(1, 16, 0, MemoryResponder.RKEY));
        executor.poll(System.nanoTime());
        assertEquals(2, written.size(), "the answers are on their way on this connection: none twice");

        InboundExecutor reconnected = executor();
        arrive(reconnected, Request.read(0, 16, 0, MemoryResponder.RKEY)); // resent after a reconnect
        arrive(reconnected, Request.read(1, 16, 0, MemoryResponder.RKEY));
        reconnected.poll(System.nanoTime());
        assertEquals(List.of(0L, 1L, 0L, 1L), written.stream().map(InboundExecutorTest::psnOf).toList(),
                "read again: what went on the old connection may be lost");
        assertEquals(5, written.get(2).get(written.get(2).position() + Wire.HEADER + Wire.FETCHED_FIXED));
    }

    /** A WRITE's frame body as it arrives: its fixed fields (what the I/O thread sees first) and its data. */
    private record Arriving(ByteBuffer fixed, ByteBuffer data, int bodyLength) {
    }

    private static Arriving arriving(Request r, int responderQpn) {
        ByteBuffer body = Requests.encode(CONNECTION, r, REQUESTER, at(responderQpn)).position(Wire.HEADER).slice();
        return new Arriving(body.slice(0, Requests.DATA), body.slice(Requests.DATA, body.remaining() - Requests.DATA),
                body.remaining());
    }

    private static byte[] pattern(int seed, int length) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) {
            b[k] = (byte) (seed * 17 + k * 7);
        }
        return b;
    }

    private byte[] memory(int at, int length) {
        byte[] b = new byte[length];
        responder.memory.get(at, b);
        return b;
    }

    /** What was written: one NAK, of {@code psn}, answering {@code outcome}. */
    private void assertOnlyNak(long psn, Outcome outcome) {
        assertEquals(1, written.size(), written.toString());
        ByteBuffer nak = written.get(0);
        assertEquals(Wire.NAK, type(nak));
        assertEquals(psn, psnOf(nak));
        assertEquals(outcome, Wire.outcome(nak.get(nak.position() + Wire.HEADER + 16) & 0xff));
    }

    /** PSN 0 executed on the poller, so that the session exists and expects PSN 1. */
    private void sessionStarted() {
        responder.post(4);
        arrive(Request.send(0, new byte[] {1}));
        executor.poll(System.nanoTime());
        written.clear();
    }

    @Test
    void aWritePlacedFromTheSocketHoldsItsSessionsRequestsFromOtherConnectionsUntilItsDataIsIn() {
        sessionStarted();
        byte[] data = pattern(3, 128 << 10);
        Request write = Request.write(1, data, 0x10000, MemoryResponder.RKEY);
        Arriving a = arriving(write, responder.qpn());
        RequestPlacement p = placements.placement(a.fixed, a.bodyLength);
        assertNotNull(p, "a 128 KiB WRITE that is its session's next PSN is placed");
        p.take(a.data.slice(0, 1000)); // what the read buffer held

        InboundExecutor reconnected = executor(); // the requester's router reconnected: the WRITE comes again
        arrive(reconnected, write);
        arrive(reconnected, Request.send(2, new byte[] {2}));
        long now = System.nanoTime();
        assertFalse(reconnected.poll(now), "held back while the WRITE is read into place on the old connection");
        assertEquals(1, responder.received().size(), "the SEND behind it waits too");
        assertNotEquals(PollTarget.NO_DEADLINE, reconnected.deadline(now), "the poller comes back soon");

        p.take(a.data.slice(1000, a.data.remaining() - 1000)); // the rest, from the socket
        executor.placed(p);
        assertTrue(reconnected.poll(System.nanoTime()));
        assertEquals(2, responder.received().size(), "the SEND executed once the WRITE was in");
        assertTrue(executor.poll(System.nanoTime()));
        assertArrayEquals(data, memory(0x10000, data.length));
        assertEquals(1, responder.placedWrites);
        assertEquals(0, responder.writes, "placed once, never copied: the WRITE sent again was a duplicate");
        assertEquals(Wire.ACK, type(written.get(written.size() - 1)));
        assertEquals(heldAtStart, Request.held(), "the placement's hold on the memory released");
    }

    @Test
    void aWriteWhoseMemoryIsDeregisteredWhilePlacedIsRefusedInOrderAndNothingMoreLands() {
        sessionStarted();
        byte[] data = pattern(4, 64 << 10);
        Arriving a = arriving(Request.write(1, data, 0, MemoryResponder.RKEY), responder.qpn());
        RequestPlacement p = placements.placement(a.fixed, a.bodyLength);
        assertNotNull(p);
        p.take(a.data.slice(0, 4096));
        responder.gateOpen = false; // ibv_dereg_mr: no write into the region begins from now on
        p.take(a.data.slice(4096, a.data.remaining() - 4096));
        executor.placed(p);
        arrive(Request.send(2, new byte[] {2}));
        assertTrue(executor.poll(System.nanoTime()));
        assertArrayEquals(Arrays.copyOf(data, 4096), memory(0, 4096));
        assertArrayEquals(new byte[data.length - 4096], memory(4096, data.length - 4096),
                "nothing written once deregistered");
        assertOnlyNak(1, Outcome.REMOTE_ACCESS_ERROR);
        assertEquals(1, responder.received().size(), "the SEND behind the refused WRITE is dropped");
        assertEquals(heldAtStart, Request.held());
    }

    @Test
    void aPlacementGivenUpWithItsConnectionLeavesTheWriteToBeSentAgainAndWrittenWhole() {
        sessionStarted();
        byte[] data = pattern(5, 96 << 10);
        Request write = Request.write(1, data, 0x20000, MemoryResponder.RKEY);
        Arriving a = arriving(write, responder.qpn());
        RequestPlacement cut = placements.placement(a.fixed, a.bodyLength);
        cut.take(a.data.slice(0, 5000));
        cut.abandon(); // the connection ended mid-body

        InboundExecutor reconnected = executor();
        Arriving again = arriving(write, responder.qpn());
        RequestPlacement whole = placements.placement(again.fixed, again.bodyLength);
        assertNotNull(whole, "the session is free again, and still expects the WRITE");
        whole.take(again.data);
        reconnected.placed(whole);
        assertTrue(reconnected.poll(System.nanoTime()));
        assertArrayEquals(data, memory(0x20000, data.length));
        assertEquals(1, responder.placedWrites);
        assertEquals(List.of(1L), written.stream().map(InboundExecutorTest::psnOf).toList());

        Arriving third = arriving(Request.write(2, data, 0, MemoryResponder.RKEY), responder.qpn());
        RequestPlacement queuedThenClosed = placements.placement(third.fixed, third.bodyLength);
        queuedThenClosed.take(third.data);
        reconnected.placed(queuedThenClosed);
        reconnected.close(); // before a poller executed it
        assertEquals(heldAtStart, Request.held(), "every placement's hold released, the closed connection's too");
        assertEquals(1, responder.placedWrites, "what the closed connection queued is not acknowledged");
    }

    @Test
    void onlyASendOrPlainWriteOfAtLeast64KiBThatIsItsSessionsNextPsnIsPlaced() {
        Arriving first = arriving(Request.write(0, new byte[64 << 10], 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(first.fixed, first.bodyLength), "a session's first request: on a poller");
        sessionStarted();
        Arriving small = arriving(Request.write(1, new byte[(64 << 10) - 1], 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(small.fixed, small.bodyLength), "below 64 KiB: copied");
        Arriving ahead = arriving(Request.write(2, new byte[64 << 10], 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(ahead.fixed, ahead.bodyLength), "not the next PSN");
        Arriving read = arriving(Request.read(1, 64 << 10, 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(read.fixed, read.bodyLength), "a READ carries no data");
        Arriving outside = arriving(Request.write(1, new byte[64 << 10], 1 << 20, MemoryResponder.RKEY),
                responder.qpn());
        assertNull(placements.placement(outside.fixed, outside.bodyLength), "the responder refuses it: in order");
        Arriving fits = arriving(Request.write(1, new byte[64 << 10], 0, MemoryResponder.RKEY), responder.qpn());
        RequestPlacement p = placements.placement(fits.fixed, fits.bodyLength);
        assertNotNull(p);
        Arriving second = arriving(Request.write(1, new byte[64 << 10], 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(second.fixed, second.bodyLength), "the session is claimed");
        p.abandon();
        assertEquals(heldAtStart, Request.held());
        assertEquals(List.of(), written);
    }

    @Test
    void sendsPlacedIntoTheirReceivesHoldTheirSessionUntilEachReceiveIsConsumedInOrder() {
        sessionStarted();
        byte[] data = pattern(6, 128 << 10);
        Arriving a = arriving(Request.send(1, data), responder.qpn());
        RequestPlacement p = placements.placement(a.fixed, a.bodyLength);
        assertNotNull(p, "a 128 KiB SEND that is its session's next PSN, with a receive posted, is placed");
        p.take(a.data);
        executor.placed(p);
        assertTrue(executor.noRequestQueued(), "a marker is no request: the next may be placed behind it");
        Arriving write = arriving(Request.write(2, new byte[64 << 10], 0, MemoryResponder.RKEY), responder.qpn());
        assertNull(placements.placement(write.fixed, write.bodyLength),
                "a WRITE behind a SEND whose receive is not consumed yet: copied, in order");
        RequestPlacements otherConnection = new RequestPlacements(d -> Optional.of(responder), sessions);
        byte[] next = pattern(7, 64 << 10);
        Arriving b = arriving(Request.send(2, next), responder.qpn());
        assertNull(otherConnection.placement(b.fixed, b.bodyLength), "claimed by the first connection");
        RequestPlacement q = placements.placement(b.fixed, b.bodyLength);
        assertNotNull(q, "the next SEND on the same connection: into the receive after the first one's");
        q.take(b.data);
        executor.placed(q);

        InboundExecutor other = executor();
        arrive(other, Request.send(3, new byte[] {3}));
        assertFalse(other.noRequestQueued(), "nothing is placed on that connection now: it would queue behind");
        assertFalse(other.poll(System.nanoTime()), "all their data is in, but their receives are not consumed yet");
        assertEquals(1, responder.received().size());
        assertTrue(executor.poll(System.nanoTime()));
        assertEquals(3, responder.received().size());
        assertArrayEquals(data, responder.received().get(1), "placed, then received in order");
        assertArrayEquals(next, responder.received().get(2));
        assertEquals(2, responder.placedSends);
        assertTrue(other.poll(System.nanoTime()));
        assertEquals(4, responder.received().size(), "the SEND behind them took the next receive");
        assertArrayEquals(new byte[] {3}, responder.received().get(3));
        assertTrue(other.noRequestQueued());
        assertEquals(List.of(2L, 3L), written.stream().map(InboundExecutorTest::psnOf).toList(),
                "one cumulative ACK per round");
        assertEquals(heldAtStart, Request.held(), "the placements' holds released");
    }

    @Test
    void aSendPlacedIntoAReceiveThatWentIsAnsweredBusyTheOnePlacedBehindDroppedAndBothExecutedOnceSentAgain() {
        sessionStarted();
        byte[] data = pattern(8, 64 << 10);
        Request send = Request.send(1, data);
        Request behind = Request.send(2, pattern(9, 64 << 10));
        Arriving a = arriving(send, responder.qpn());
        RequestPlacement p = placements.placement(a.fixed, a.bodyLength);
        p.take(a.data);
        executor.placed(p);
        Arriving b = arriving(behind, responder.qpn());
        RequestPlacement q = placements.placement(b.fixed, b.bodyLength);
        q.take(b.data);
        executor.placed(q);
        responder.takeReceive(); // its QP flushed the receive meanwhile
        assertTrue(executor.poll(System.nanoTime()));
        assertOnlyNak(1, Outcome.BUSY);
        assertEquals(1, responder.received().size(), "neither it nor the SEND behind it received");

        written.clear();
        arrive(send); // sent again, read whole this time
        arrive(behind);
        assertTrue(executor.poll(System.nanoTime()));
        assertEquals(3, responder.received().size());
        assertArrayEquals(data, responder.received().get(1), "received once, in order");
        assertArrayEquals(pattern(9, 64 << 10), responder.received().get(2));
        assertEquals(0, responder.placedSends);
        assertEquals(List.of(2L), written.stream().map(InboundExecutorTest::psnOf).toList());
        assertEquals(heldAtStart, Request.held());
    }

    @Test
    void sendsPlacedOnAConnectionThatClosesBeforeTheirReceivesAreConsumedAreExecutedOnceWhenSentAgain() {
        sessionStarted();
        Request first = Request.send(1, pattern(10, 64 << 10));
        Request second = Request.send(2, pattern(11, 64 << 10));
        for (Request r : List.of(first, second)) {
            Arriving a = arriving(r, responder.qpn());
            RequestPlacement p = placements.placement(a.fixed, a.bodyLength);
            p.take(a.data);
            executor.placed(p);
        }
        executor.close(); // before a poller executed them: they were never received
        assertEquals(heldAtStart, Request.held(), "given up, their holds released");

        InboundExecutor reconnected = executor();
        arrive(reconnected, first);
        arrive(reconnected, second);
        assertTrue(reconnected.poll(System.nanoTime()));
        assertEquals(3, responder.received().size(), "each received once, as sent again");
        assertArrayEquals(pattern(10, 64 << 10), responder.received().get(1));
        assertArrayEquals(pattern(11, 64 << 10), responder.received().get(2));
        assertEquals(List.of(2L), written.stream().map(InboundExecutorTest::psnOf).toList());
    }
}
