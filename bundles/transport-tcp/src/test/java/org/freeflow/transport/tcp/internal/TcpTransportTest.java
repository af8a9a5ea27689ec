package org.freeflow.transport.tcp.internal;

import static org.freeflow.transport.tcp.internal.TwoHosts.REQUESTER;
import static org.freeflow.transport.tcp.internal.TwoHosts.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.WorkRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Work requests from ha's requesters to hb's responders through the two routers' TCP transports. */
class TcpTransportTest {

    private TwoHosts hosts;
    private MemoryResponder responder;
    private Recorder acks;

    @BeforeEach
    void start() throws Exception {
        hosts = new TwoHosts();
        responder = hosts.serve(new MemoryResponder(TwoHosts.LID, 20));
        acks = new Recorder();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (hosts != null) {
            hosts.close();
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (Request.held() != 0 && System.nanoTime() < end) {
            Thread.sleep(1); // an I/O thread may be just ending its last write
        }
        assertEquals(0, Request.held(), "memory of a sent frame still held once both routers closed");
        assertEquals(0, Request.releasedTwice(), "memory released twice");
    }

    private Connection connect(Destination to) {
        return hosts.a.connect(to, REQUESTER, acks).orElseThrow();
    }

    private static byte[] message(int i, int length) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }

    @Test
    void manySendsAreOutstandingAtOnceAndArriveOnceEachInOrder() throws Exception {
        responder.post(200);
        Connection c = connect(at(20));
        for (int i = 0; i < 200; i++) {
            assertEquals(Outcome.PENDING, c.post(Request.send(i, message(i, 1000))));
        }
        c.flush(); // as a requester at the end of its visit: all 200 leave together
        assertTrue(acks.awaitAcknowledged(199), "acknowledged through " + acks.acknowledged());
        List<byte[]> got = responder.received();
        assertEquals(200, got.size());
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(message(i, 1000), got.get(i), "message " + i);
        }
        assertEquals(List.of(), acks.refusals());
    }

    @Test
    void readsAndAtomicsBringTheirDataBack() throws Exception {
        responder.memory.put(4096, message(7, 3000));
        responder.memory.putLong(8, 40);
        Connection c = connect(at(20));
        assertEquals(Outcome.PENDING, post(c, Request.read(0, 3000, 4096, MemoryResponder.RKEY)));
        assertEquals(Outcome.PENDING, post(c, Request.fetchAndAdd(1, 8, MemoryResponder.RKEY, 2)));
        assertEquals(Outcome.PENDING, post(c, Request.write(2, message(9, 100), 0x8000, MemoryResponder.RKEY)));
        assertTrue(acks.awaitAcknowledged(2));
        assertArrayEquals(message(7, 3000), acks.fetched(0));
        assertEquals(40, ByteBuffer.wrap(acks.fetched(1)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(42, responder.memory.getLong(8));
        assertEquals(1, responder.inPlaceReads, "the 3000-byte READ was answered from the memory, not a copy");
        byte[] written = new byte[100];
        responder.memory.get(0x8000, written);
        assertArrayEquals(message(9, 100), written);
    }

    @Test
    void anRnrRefusesThatMessageAndTheRestWaitsUntilPostedAgain() throws Exception {
        responder.post(1);
        Connection c = connect(at(20));
        for (int i = 0; i < 3; i++) {
            post(c, Request.send(i, message(i, 10)));
        }
        assertTrue(acks.awaitRefusals(1));
        assertEquals(new Recorder.Refusal(1, Outcome.RNR), acks.refusals().get(0));
        assertEquals(0, acks.acknowledged());
        responder.post(2);
        post(c, Request.send(1, message(1, 10)));
        post(c, Request.send(2, message(2, 10)));
        assertTrue(acks.awaitAcknowledged(2));
        List<byte[]> got = responder.received();
        assertEquals(3, got.size(), "2 was dropped behind the RNR, then taken once");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(message(i, 10), got.get(i));
        }
    }

    @Test
    void whatIsPostedAgainWhileOnItsWayIsNotSentTwiceButWhatANakDiscardedIs() throws Exception {
        try (ListeningRouter peer = new ListeningRouter("127.0.0.5", hosts.b.port())) {
            hosts.a.bindOrchestrator(new TwoHosts.Tables("ha", "127.0.0.5"));
            Connection c = connect(at(20));
            for (int i = 0; i < 4; i++) {
                assertEquals(Outcome.PENDING, post(c, Request.send(i, message(i, 1000))));
            }
            assertEquals(List.of(0L, 1L, 2L, 3L), peer.awaitRequests(4));
            for (int i = 0; i < 4; i++) { // the requester's ACK timer ran out: from its head on again
                assertEquals(Outcome.PENDING, post(c, Request.send(i, message(i, 1000))), "again " + i);
            }
            post(c, Request.send(4, message(4, 1000)));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), peer.awaitRequests(5), "no second copy ahead of 4");

            peer.send(Wire.nak(peer.connection(), 2, Outcome.RNR, 0)); // the peer discards 2 and what follows
            assertTrue(acks.awaitRefusals(1));
            post(c, Request.send(5, message(5, 1000))); // before the requester posts 2 again: discarded too
            for (int i = 2; i <= 5; i++) { // the RNR timer ran out
                post(c, Request.send(i, message(i, 1000)));
            }
            for (int i = 2; i <= 3; i++) { // and the ACK timer: these are on their way now
                post(c, Request.send(i, message(i, 1000)));
            }
            post(c, Request.send(6, message(6, 1000)));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L, 6L), peer.awaitRequests(11));
        }
    }

    @Test
    void aBrokenTcpConnectionIsReconnectedAndNothingIsExecutedTwice() throws Exception {
        responder.post(400);
        Connection c = connect(at(20));
        for (int i = 0; i < 200; i++) {
            post(c, Request.send(i, message(i, 2000)));
        }
        assertTrue(acks.awaitAcknowledged(0));
        PeerLink link = hosts.a.links().values().iterator().next();
        link.dropConnection();
        for (int i = 200; i < 400; i++) {
            post(c, Request.send(i, message(i, 2000)));
        }
        assertTrue(acks.awaitAcknowledged(399), "acknowledged through " + acks.acknowledged());
        List<byte[]> got = responder.received();
        assertEquals(400, got.size(), "each message once, though some were sent twice");
        for (int i = 0; i < 400; i++) {
            assertArrayEquals(message(i, 2000), got.get(i), "message " + i);
        }
        assertEquals(0, link.unansweredBytes());
    }

    @Test
    void largeSendsAreReadFromTheSocketIntoTheirReceivesOnceEachInOrderAcrossAReconnect() throws Exception {
        responder.post(41);
        Connection c = connect(at(20));
        post(c, Request.send(0, message(0, 100)));
        assertTrue(acks.awaitAcknowledged(0)); // the session is made by its first request, on a poller
        int size = 80 << 10;
        post(c, Request.send(1, message(1, size)));
        assertTrue(acks.awaitAcknowledged(1));
        assertEquals(1, responder.placedSends(), "with nothing ahead of it, read from the socket into its receive");

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> hosts.pollersB.call(() -> { // no marker completes a placement meanwhile
            held.countDown();
            return release.await(10, TimeUnit.SECONDS);
        }));
        holder.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        for (int i = 2; i <= 11; i++) {
            post(c, Request.send(i, message(i, size)));
        }
        assertTrue(responder.awaitSendsInPlace(10), "each placed into the receive after the last one's");
        assertEquals(1, acks.acknowledged(), "none complete before their markers");
        release.countDown();
        holder.join();
        assertTrue(acks.awaitAcknowledged(11), "acknowledged through " + acks.acknowledged());
        assertEquals(11, responder.placedSends());

        PeerLink link = hosts.a.links().values().iterator().next();
        for (int i = 12; i <= 40; i++) { // those behind one that waits to be executed are copied
            post(c, Request.send(i, message(i, size)));
            if (i == 30) {
                link.dropConnection(); // whatever was mid-body is given up and sent again
            }
        }
        assertTrue(acks.awaitAcknowledged(40), "acknowledged through " + acks.acknowledged());
        assertEquals(List.of(), acks.refusals());
        List<byte[]> got = responder.received();
        assertEquals(41, got.size(), "each SEND once, though some were sent twice");
        for (int i = 1; i <= 40; i++) {
            assertArrayEquals(message(i, size), got.get(i), "the SEND of PSN " + i);
        }
    }

    @Test
    void largeWritesAreReadFromTheSocketStraightIntoTheirTargetOnceEachAcrossAReconnect() throws Exception {
        Connection c = connect(at(20));
        assertEquals(Outcome.PENDING, post(c, Request.write(0, message(1, 100), 0, MemoryResponder.RKEY)));
        assertTrue(acks.awaitAcknowledged(0)); // the session is made by its first request, on a poller
        int size = 96 << 10;
        for (int i = 1; i <= 8; i++) {
            post(c, Request.write(i, message(i, size), (long) i * size, MemoryResponder.RKEY));
        }
        assertTrue(acks.awaitAcknowledged(8), "acknowledged through " + acks.acknowledged());
        assertEquals(8, responder.placedWrites, "each 96 KiB WRITE placed from the socket");
        assertEquals(1, responder.writes, "only the 100-byte one copied");

        PeerLink link = hosts.a.links().values().iterator().next();
        for (int i = 9; i <= 10; i++) {
            post(c, Request.write(i, message(i, size), (long) (i - 8) * size, MemoryResponder.RKEY));
        }
        link.dropConnection(); // whatever was mid-body is given up and sent again
        for (int i = 11; i <= 12; i++) {
            post(c, Request.write(i, message(i, size), (long) (i - 8) * size, MemoryResponder.RKEY));
        }
        assertTrue(acks.awaitAcknowledged(12), "acknowledged through " + acks.acknowledged());
        assertEquals(List.of(), acks.refusals());
        for (int i = 1; i <= 4; i++) {
            byte[] got = new byte[size];
            responder.memory.get((i + 8 - 8) * size, got);
            assertArrayEquals(message(i + 8, size), got, "the WRITE of PSN " + (i + 8));
        }
        for (int i = 5; i <= 8; i++) {
            byte[] got = new byte[size];
            responder.memory.get(i * size, got);
            assertArrayEquals(message(i, size), got, "the WRITE of PSN " + i);
        }
        assertEquals(0, link.unansweredBytes());
    }

    @Test
    void largeReadAnswersAreReadFromTheSocketStraightIntoTheReadsMemoryOnceEachAcrossAReconnect()
            throws Exception {
        int size = 128 << 10;
        for (int i = 0; i < 8; i++) {
            responder.memory.put(i * size, message(i, size));
        }
        Connection c = connect(at(20));
        List<Request> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.add(Request.read(i, size, (long) i * size, MemoryResponder.RKEY));
            post(c, reads.get(i));
        }
        assertTrue(acks.awaitAcknowledged(3), "acknowledged through " + acks.acknowledged());
        for (int i = 0; i < 4; i++) {
            assertEquals(Boolean.TRUE, acks.placed(i), "READ " + i + " answered in place");
            assertNull(acks.fetched(i), "not handed over as data to copy");
            assertArrayEquals(message(i, size), reads.get(i).data().array(), "READ " + i);
        }

        PeerLink link = hosts.a.links().values().iterator().next();
        for (int i = 4; i < 8; i++) {
            reads.add(Request.read(i, size, (long) i * size, MemoryResponder.RKEY));
            post(c, reads.get(i));
            if (i == 5) {
                link.dropConnection(); // an answer may be cut off mid-body: another one takes its place
            }
        }
        assertTrue(acks.awaitAcknowledged(7), "acknowledged through " + acks.acknowledged());
        assertEquals(List.of(), acks.refusals());
        for (int i = 4; i < 8; i++) {
            byte[] got = acks.placed(i) != null ? reads.get(i).data().array() : acks.fetched(i);
            assertNotNull(got, "READ " + i + " answered");
            assertArrayEquals(message(i, size), got, "READ " + i);
        }
    }

    /** hb's requester, QP 20 at LID 2, to ha's responder QP 10 at LID 1 (the same QP pair, the other way). */
    private Connection connectBack(Recorder to) {
        return hosts.b.connect(new Destination(TwoHosts.LID_A, null, REQUESTER.qpn()), at(20), to).orElseThrow();
    }

    /** Sends {@code n} messages each way at once, then checks each side got them all. */
    private void sendBothWays(Connection there, Connection back, Recorder backAcks, MemoryResponder onA, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            post(there, Request.send(i, message(i, 100)));
            post(back, Request.send(i, message(i + 1000, 100)));
        }
        assertTrue(acks.awaitAcknowledged(n - 1), "ha -> hb through " + acks.acknowledged());
        assertTrue(backAcks.awaitAcknowledged(n - 1), "hb -> ha through " + backAcks.acknowledged());
        assertEquals(n, responder.received().size());
        assertEquals(n, onA.received().size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(message(i, 100), responder.received().get(i));
            assertArrayEquals(message(i + 1000, 100), onA.received().get(i));
        }
    }

    @Test
    void theRequestsOfBothRoutersAndTheirAnswersShareOneTcpConnection() throws Exception {
        responder.post(50);
        MemoryResponder onA = hosts.serveOnA(new MemoryResponder(TwoHosts.LID_A, REQUESTER.qpn()));
        onA.post(50);
        Connection there = connect(at(20));
        post(there, Request.send(0, message(0, 100)));
        assertTrue(acks.awaitAcknowledged(0));
        Recorder backAcks = new Recorder();
        Connection back = connectBack(backAcks);
        for (int i = 1; i < 50; i++) {
            post(there, Request.send(i, message(i, 100)));
        }
        for (int i = 0; i < 50; i++) {
            post(back, Request.send(i, message(i + 1000, 100)));
        }
        assertTrue(acks.awaitAcknowledged(49));
        assertTrue(backAcks.awaitAcknowledged(49), "hb -> ha through " + backAcks.acknowledged());
        assertEquals(50, onA.received().size());
        assertArrayEquals(message(1049, 100), onA.received().get(49));
        assertEquals(1, hosts.a.openConnections(), "ha dialed one connection and hb took it into use");
        assertEquals(1, hosts.b.openConnections(), "hb dialed none of its own");
    }

    @Test
    void twoRoutersDialingEachOtherAtOnceKeepOneConnectionAndLoseNothing() throws Exception {
        responder.post(400);
        MemoryResponder onA = hosts.serveOnA(new MemoryResponder(TwoHosts.LID_A, REQUESTER.qpn()));
        onA.post(400);
        Recorder backAcks = new Recorder();
        CountDownLatch go = new CountDownLatch(1);
        Connection[] back = new Connection[1];
        Thread other = new Thread(() -> {
            try {
                go.await();
                back[0] = connectBack(backAcks);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        go.countDown();
        Connection there = connect(at(20));
        other.join();
        sendBothWays(there, back[0], backAcks, onA, 200);
        long until = System.nanoTime() + 5_000_000_000L;
        while ((hosts.a.openConnections() != 1 || hosts.b.openConnections() != 1) && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, hosts.a.openConnections(), "both routers keep the same one");
        assertEquals(1, hosts.b.openConnections());
        for (int i = 200; i < 400; i++) {
            post(there, Request.send(i, message(i, 100)));
            post(back[0], Request.send(i, message(i + 1000, 100)));
        }
        assertTrue(acks.awaitAcknowledged(399));
        assertTrue(backAcks.awaitAcknowledged(399));
        assertEquals(400, responder.received().size(), "each once, in order, whichever connection it took");
        assertEquals(400, onA.received().size());
        for (int i = 0; i < 400; i++) {
            assertArrayEquals(message(i, 100), responder.received().get(i));
            assertArrayEquals(message(i + 1000, 100), onA.received().get(i));
        }
    }

    @Test
    void aDuplicatePostedAgainIsAcknowledgedWithoutBeingExecutedAgain() throws Exception {
        responder.post(10);
        Connection c = connect(at(20));
        post(c, Request.write(0, message(1, 64), 0, MemoryResponder.RKEY));
        post(c, Request.fetchAndAdd(1, 8, MemoryResponder.RKEY, 5));
        assertTrue(acks.awaitAcknowledged(1));
        post(c, Request.write(0, message(1, 64), 0, MemoryResponder.RKEY)); // as after a timeout: from 0 again
        post(c, Request.fetchAndAdd(1, 8, MemoryResponder.RKEY, 5));
        post(c, Request.send(2, message(2, 8)));
        assertTrue(acks.awaitAcknowledged(2));
        assertEquals(1, responder.writes, "the WRITE ran once");
        assertEquals(5, responder.memory.getLong(8) - readLong(message(1, 64), 8), "the add ran once");
        assertEquals(1, responder.received().size());
    }

    private static long readLong(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }

    @Test
    void aMessageLargerThanAFrameTakesIsRefusedAtPost() {
        Connection c = connect(at(20));
        assertEquals(Outcome.REMOTE_INVALID_REQUEST, post(c, Request.send(0, new byte[Wire.MAX_MESSAGE + 1])));
        assertEquals(Outcome.REMOTE_INVALID_REQUEST,
                post(c, Request.read(0, Wire.MAX_MESSAGE + 1, 0, MemoryResponder.RKEY)));
    }

    @Test
    void aPeerRouterAskingToReadMoreThanAFrameTakesIsRefusedBeforeAnyMemoryIsTaken() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", hosts.b.port()));
            Request huge = Request.read(0, 8, 0, MemoryResponder.RKEY);
            ByteBuffer frame = Requests.encode(77, huge, REQUESTER, at(20));
            frame.putInt(Wire.HEADER + Requests.LENGTH, Wire.MAX_MESSAGE + 1); // what a broken peer could say
            byte[] hello = Wire.hello(1, 0, "hx").array();
            OutputStream out = s.getOutputStream();
            out.write(hello);
            out.write(frame.array());
            out.flush();
            ByteBuffer helloBack = ByteBuffer.wrap(s.getInputStream().readNBytes(Wire.HEADER));
            assertEquals(Wire.HELLO, helloBack.get(5), "the accepting router says HELLO too");
            Wire.Hello b = Wire.Hello.of(ByteBuffer.wrap(s.getInputStream().readNBytes(helloBack.getInt(8))));
            assertEquals("hb", b.host());
            byte[] answer = s.getInputStream().readNBytes(Wire.HEADER + Wire.NAK_BODY);
            ByteBuffer a = ByteBuffer.wrap(answer);
            assertEquals(Wire.NAK, a.get(5));
            assertEquals(77, a.getLong(Wire.HEADER));
            assertEquals(Wire.code(Outcome.REMOTE_INVALID_REQUEST), a.get(Wire.HEADER + 16));
        }
    }

    @Test
    void aDestinationNoRouterServesIsNotReady() throws Exception {
        Connection c = hosts.a.connect(new Destination(9, null, 20), REQUESTER, acks).orElseThrow();
        if (post(c, Request.send(0, message(0, 10))) == Outcome.PENDING) { // posted before the lookup ended
            assertTrue(acks.awaitRefusals(1));
            assertEquals(new Recorder.Refusal(0, Outcome.NOT_READY), acks.refusals().get(0));
        }
        assertEquals(Outcome.NOT_READY, post(c, Request.send(0, message(0, 10))), "known by now: at once");
    }

    @Test
    void aQpTheOtherRouterDoesNotHaveIsNotReady() throws Exception {
        Connection c = connect(at(21));
        post(c, Request.send(0, message(0, 10)));
        assertTrue(acks.awaitRefusals(1));
        assertEquals(new Recorder.Refusal(0, Outcome.NOT_READY), acks.refusals().get(0));
    }

    /** Host a's router, with 1 MiB of unanswered frames per connection, sends to a router that never answers. */
    private void silentRouterLimitedTo1MiB() throws Exception {
        hosts.close();
        hosts = new TwoHosts(1L << 20);
        hosts.a.bindOrchestrator(new TwoHosts.Tables("ha", "127.0.0.3")); // nobody listens there
    }

    /** Posts {@code request} on {@code c} and flushes, as a requester whose visit posted one. */
    private static Outcome post(Connection c, WorkRequest request) {
        Outcome o = c.post(request);
        c.flush();
        return o;
    }

    /** {@code c} once its first SEND (PSN 0) made the transport look its destination up. */
    private static Connection resolved(Connection c) throws InterruptedException {
        post(c, Request.send(0, message(0, 10)));
        Thread.sleep(200); // resolved by now
        return c;
    }

    /** After PSN 0: 64 KiB SENDs on {@code c} until one is not taken (or 100 were); the PSN that was not. */
    private static int postUntilRefused(Connection c) {
        int psn = 1;
        while (psn < 100 && post(c, Request.send(psn, message(psn, 64 << 10))) == Outcome.PENDING) {
            psn++;
        }
        return psn;
    }

    @Test
    void anUnreachableRouterHoldsRequestersBackOnceTheLimitIsReached() throws Exception {
        silentRouterLimitedTo1MiB();
        Connection c = resolved(connect(at(20)));
        int accepted = postUntilRefused(c);
        assertTrue(accepted > 10 && accepted < 100, "posts taken before BUSY: " + accepted);
        assertEquals(Outcome.BUSY, post(c, Request.send(accepted, message(0, 10))));
    }

    @Test
    void postingAgainWhatTimedOutIsNeverHeldBackByTheLimitItFilled() throws Exception {
        silentRouterLimitedTo1MiB();
        Connection c = resolved(connect(at(20)));
        int posted = postUntilRefused(c);
        assertEquals(Outcome.BUSY, post(c, Request.send(posted, message(0, 10))), "the limit is reached");
        // the requester's timeout: everything from the head on is posted again, and replaces what it repeats
        for (int i = 0; i < posted; i++) {
            assertEquals(Outcome.PENDING, post(c, Request.send(i, message(i, i == 0 ? 10 : 64 << 10))), "again " + i);
        }
        assertEquals(Outcome.BUSY, post(c, Request.send(posted, message(0, 10))), "a new one is still held back");
    }

    @Test
    void aConnectionBelowItsShareOfTheLimitStillPostsWhenAnotherFilledIt() throws Exception {
        silentRouterLimitedTo1MiB();
        Connection greedy = connect(at(20));
        Connection other = hosts.a.connect(at(21), new Destination(1, null, 8), new Recorder()).orElseThrow();
        post(greedy, Request.send(0, message(0, 10)));
        post(other, Request.send(0, message(0, 10)));
        Thread.sleep(200); // both resolved by now
        int greedyPosts = postUntilRefused(greedy);
        assertEquals(Outcome.BUSY, post(greedy, Request.send(greedyPosts, message(0, 10))), "over the limit");
        int otherPosts = postUntilRefused(other);
        assertTrue(otherPosts > 4 && otherPosts <= 10, "the other one posts up to its half of 1 MiB: " + otherPosts);
        assertEquals(Outcome.BUSY, post(other, Request.send(otherPosts, message(0, 10))), "at its share");
    }

    @Test
    void garbageFromAnotherRouterClosesOnlyThatConnection() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", hosts.b.port()));
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
            out.flush();
            int end;
            try {
                end = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                end = -1; // closed with our bytes unread: a reset
            }
            assertEquals(-1, end, "the router closed it");
        }
        responder.post(1);
        Connection c = connect(at(20));
        post(c, Request.send(0, message(0, 10)));
        assertTrue(acks.awaitAcknowledged(0), "others are still served");
    }

    @Test
    void datagramsWaitForTheirRouterToBeKnownAndArriveInOrder() throws Exception {
        responder.post(20);
        var sink = hosts.a.datagrams(at(20)).orElseThrow();
        var datagram = DATAGRAM;
        for (int i = 0; i < 20; i++) { // at once: before the lookup and the connection are done
            assertEquals(Outcome.OK, sink.sendDatagram(Request.send(i, message(i, 100)), datagram, false, 0, false));
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (responder.received().size() < 20 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        List<byte[]> got = responder.received();
        assertEquals(20, got.size(), "none lost while the route was found");
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(message(i, 100), got.get(i));
        }
        assertEquals(0x1234, responder.datagramQkeys.get(0));
    }

    @Test
    void aDatagramWaitsBrieflyForItsReceiversNextReceive() throws Exception {
        responder.post(1);
        var sink = hosts.a.datagrams(at(20)).orElseThrow();
        sink.sendDatagram(Request.send(0, message(0, 100)), DATAGRAM, false, 0, false);
        long end = System.nanoTime() + 10_000_000_000L;
        while (responder.received().size() < 1 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        responder.postWhenADatagramFindsNone(3); // each finds no receive, and one is posted after it came
        for (int i = 1; i <= 3; i++) {
            sink.sendDatagram(Request.send(i, message(i, 100)), DATAGRAM, false, 0, false);
        }
        end = System.nanoTime() + 10_000_000_000L;
        while (responder.received().size() < 4 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        List<byte[]> got = responder.received();
        assertEquals(4, got.size(), "the receives posted within the hold took them");
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(message(i, 100), got.get(i), "in order");
        }
    }

    private static final Datagram DATAGRAM = new Datagram() {
        @Override
        public Destination source() {
            return REQUESTER;
        }

        @Override
        public int qkey() {
            return 0x1234;
        }

        @Override
        public int serviceLevel() {
            return 0;
        }

        @Override
        public ByteBuffer grh() {
            return null;
        }
    };

    @Test
    void datagramsToADestinationNoRouterServesAreDropped() throws Exception {
        var sink = hosts.a.datagrams(new Destination(9, null, 20)).orElseThrow();
        Thread.sleep(200); // looked up by now
        assertEquals(Outcome.DROPPED, sink.sendDatagram(Request.send(0, message(0, 10)), null, false, 0, false));
    }
}
