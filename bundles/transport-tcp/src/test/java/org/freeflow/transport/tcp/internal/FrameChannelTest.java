package org.freeflow.transport.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Frame channels over real sockets on 127.0.0.1: order, a stalled peer, large frames, broken headers. */
class FrameChannelTest {

    private static final long WAIT_SECONDS = 60;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void framesSentOrQueuedAndFlushedFromSeveralThreadsArriveWholeOnceEachAndInEachSendersOrder() throws Exception {
        int threads = 4;
        int each = 3000;
        SocketChannel[] ends = connect(0);
        Collector received = new Collector(threads * each);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        sender.start();
        receiver.start();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread s = new Thread(() -> {
                Random random = new Random(id);
                awaitQuietly(go);
                for (int i = 0; i < each; i++) {
                    if (id % 2 == 0) {
                        sender.send(numbered(id, i, random.nextInt(400)));
                        continue;
                    }
                    sender.queue(numbered(id, i, random.nextInt(400))); // as a requester: flushed after a few
                    if (i % 7 == 6 || i == each - 1) {
                        sender.flush();
                    }
                }
            });
            s.start();
            senders.add(s);
        }
        go.countDown();
        joinAll(senders);
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        int[] next = new int[threads];
        for (byte[] body : received.frames()) {
            ByteBuffer b = ByteBuffer.wrap(body);
            int id = b.getInt(0);
            assertEquals(next[id]++, b.getInt(4), "sender " + id + " in order, once each");
            checkPattern(body, 8);
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(each, next[t]);
        }
        assertEquals(0, received.closedCalls());
    }

    @Test
    void aPeerThatStopsReadingNeverBlocksTheSenderAndGetsEverythingInOrderOnceItReadsAgain() throws Exception {
        int count = 400;
        int size = 32 << 10;
        SocketChannel[] ends = connect(64 << 10);
        Collector received = new Collector(count);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.pauseReading(); // it reads nothing: what the kernel holds fills, then the sender's queue
        sender.start();
        receiver.start();
        Thread s = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                sender.send(numbered(0, i, size));
            }
        });
        s.start();
        s.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(s.isAlive(), "send blocked");
        long queued = sender.queuedBytes();
        assertTrue(queued > 8L << 20, "queued for the stalled peer: " + queued);
        assertEquals(0, received.frames().size());
        receiver.resumeReading();
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        List<byte[]> got = received.frames();
        for (int i = 0; i < count; i++) {
            assertEquals(i, ByteBuffer.wrap(got.get(i)).getInt(4), "in order");
            assertEquals(size + 8, got.get(i).length);
            checkPattern(got.get(i), 8);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (sender.queuedBytes() > 0 && System.nanoTime() < end) {
            Thread.onSpinWait(); // the sender counts what it wrote just after the write returned
        }
        assertEquals(0, sender.queuedBytes());
    }

    @Test
    void anAnswerGoesAheadOfTheFramesQueuedBeforeItThatAreNotBeingWrittenYet() throws Exception {
        int count = 300;
        SocketChannel[] ends = connect(64 << 10);
        Collector received = new Collector(count + 1);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.pauseReading();
        sender.start();
        receiver.start();
        for (int i = 0; i < count; i++) {
            sender.send(numbered(0, i, 32 << 10)); // 9.6 MB: the sockets fill, the rest waits in the queue
        }
        sender.queueAnswer(numbered(1, 0, 8));
        sender.flush();
        receiver.resumeReading();
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        List<byte[]> got = received.frames();
        int answerAt = -1;
        int next = 0;
        for (int i = 0; i < got.size(); i++) {
            ByteBuffer b = ByteBuffer.wrap(got.get(i));
            if (b.getInt(0) == 1) {
                answerAt = i;
            } else {
                assertEquals(next++, b.getInt(4), "the other frames in order");
            }
        }
        assertEquals(count, next);
        // behind it at most what the sockets held and one write's batch (Outbox.MAX_WRITE: 32 of these)
        assertTrue(answerAt >= 0 && answerAt < 100, "the answer arrived as frame " + answerAt + " of " + got.size());
    }

    /**
     * Frames in parts (a header, then views of memory the frame holds, as a zero-copy REQUEST) leave whole:
     * no answer queued meanwhile comes between two parts of one, though the sockets fill and the writes are
     * spread over many turns; each frame's memory is released once, after its copy was written and its owner
     * let go.
     */
    @Test
    void framesInPartsLeaveWholeWithNoAnswerBetweenTheirPartsAndTheirMemoryIsReleasedOnceWritten() throws Exception {
        int count = 200;
        SocketChannel[] ends = connect(64 << 10);
        Collector received = new Collector(2 * count);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.pauseReading();
        sender.start();
        receiver.start();
        AtomicInteger released = new AtomicInteger();
        List<OutFrame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OutFrame f = parted(0, i, 48 << 10, 1 + i % 64, released);
            frames.add(f);
            sender.queue(f);
            sender.queueAnswer(numbered(1, i, 8));
            sender.flush();
        }
        for (OutFrame f : frames) {
            f.release(); // the owner's reference: as an answer ends it
        }
        receiver.resumeReading();
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        int[] next = new int[2];
        for (byte[] body : received.frames()) {
            int id = ByteBuffer.wrap(body).getInt(0);
            assertEquals(next[id]++, ByteBuffer.wrap(body).getInt(4), "sender " + id + " in order, once each");
            assertEquals(id == 0 ? (48 << 10) + 8 : 16, body.length);
            checkPattern(body, 8);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (released.get() < count && System.nanoTime() < end) {
            Thread.onSpinWait(); // the last write's release follows the write the peer read
        }
        assertEquals(count, released.get(), "each frame's memory released once");
        assertEquals(0, received.closedCalls());
    }

    /** A closed channel releases the copies it still had queued, and those queued after the close at once. */
    @Test
    void aClosedChannelReleasesWhatItHadQueuedAndWhatIsQueuedAfter() throws Exception {
        SocketChannel[] ends = connect(64 << 10);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", new Collector(0));
        receiver.pauseReading();
        sender.start();
        receiver.start();
        AtomicInteger released = new AtomicInteger();
        int count = 100;
        for (int i = 0; i < count; i++) {
            OutFrame f = parted(0, i, 64 << 10, 3, released);
            send(sender, f); // 6.4 MB: most of it stays queued
            f.release();
        }
        assertTrue(sender.queuedBytes() > 4L << 20, "queued: " + sender.queuedBytes());
        sender.close();
        OutFrame late = parted(0, count, 64 << 10, 3, released);
        sender.queue(late);
        late.release();
        assertEquals(count + 1, released.get(), "every frame's memory released");
    }

    @Test
    void aPeerThatSendsWithoutPauseDoesNotKeepTheIoThreadFromWriting() throws Exception {
        int answers = 600;
        SocketChannel[] ends = connect(0); // buffers as the kernel sizes them: a read fills the read buffer
        Collector atA = new Collector(answers);
        Collector atB = new Collector(0) {
            @Override
            public void frame(int type, ByteBuffer body) {
                long until = System.nanoTime() + 200_000; // a busy handler: b reads slower than a sends
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        };
        FrameChannel a = channel(ends[0], "a", atA);
        FrameChannel b = channel(ends[1], "b", atB);
        a.start();
        b.start();
        for (int i = 0; i < answers; i++) {
            b.queue(numbered(1, i, 32 << 10)); // more than the socket takes: b's I/O thread writes the rest
        }
        b.flush();
        long sent = 0;
        long limit = 1L << 30; // a flood far longer than what b owes takes to write
        while (atA.frames().size() < answers && sent < limit) {
            if (a.queuedBytes() < 4 << 20) {
                a.send(numbered(0, 0, 64 << 10));
                sent += 64 << 10;
            } else {
                Thread.onSpinWait();
            }
        }
        assertTrue(atA.awaitFrames(), "b's frames that reached a: " + atA.frames().size());
        assertTrue(sent < limit, "b's frames reached a only once a stopped sending (" + sent + " bytes sent)");
    }

    @Test
    void aHandlerThatPausesGetsNoFurtherFrameUntilResumedEvenOfThoseReadAlready() throws Exception {
        int count = 50;
        SocketChannel[] ends = connect(0);
        Semaphore paused = new Semaphore(0);
        AtomicInteger delivered = new AtomicInteger();
        FrameChannel[] receiver = new FrameChannel[1];
        Collector received = new Collector(count) {
            @Override
            public void frame(int type, ByteBuffer body) {
                super.frame(type, body);
                delivered.incrementAndGet();
                receiver[0].pauseReading();
                paused.release();
            }
        };
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        receiver[0] = channel(ends[1], "b", received);
        for (int i = 0; i < count; i++) {
            sender.send(numbered(0, i, 16)); // before the receiver starts: most come in one read
        }
        sender.start();
        receiver[0].start();
        for (int i = 1; i <= count; i++) {
            assertTrue(paused.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "frame " + i);
            assertEquals(i, delivered.get(), "none handed on while paused");
            receiver[0].resumeReading();
        }
        assertTrue(received.awaitFrames());
        for (int i = 0; i < count; i++) {
            assertEquals(i, ByteBuffer.wrap(received.frames().get(i)).getInt(4));
        }
    }

    @Test
    void framesLargerThanTheReadBufferArriveIntactBetweenSmallOnes() throws Exception {
        int[] sizes = {100, 5 << 20, 0, FrameDecoder.BUFFER + 1, 100, FrameDecoder.BUFFER - Wire.HEADER, 7};
        SocketChannel[] ends = connect(0);
        Collector received = new Collector(sizes.length);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        sender.start();
        receiver.start();
        List<byte[]> sent = new ArrayList<>();
        Random random = new Random(5);
        for (int size : sizes) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            sent.add(body);
            sender.send(Wire.frame(Wire.FETCHED, size).put(body).flip());
        }
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(sent.get(i), received.frames().get(i), "frame " + i);
            assertEquals(Wire.FETCHED, received.types().get(i));
        }
        List<long[]> ofLarge = received.partials().stream().filter(p -> p[0] == 1).toList();
        assertTrue(ofLarge.size() >= 5, "the 5 MiB body was reported in parts as it came: " + ofLarge.size());
        long before = 0;
        for (long[] p : ofLarge) {
            assertTrue(p[1] > before && p[1] < sizes[1], "growing, never whole: " + p[1]);
            before = p[1];
            assertEquals(ByteBuffer.wrap(sent.get(1)).getLong(0), p[2], "the part holds the body's first bytes");
        }
    }

    @Test
    void aBodyTheHandlerPlacesGoesStraightToItsPlaceAndTheFramesAroundItArriveAsAny() throws Exception {
        int[] sizes = {100, 3 << 20, 7, FrameDecoder.BUFFER + 1, 100};
        SocketChannel[] ends = connect(0);
        Placing received = new Placing(3, 2);
        FrameChannel sender = channel(ends[0], "a", new Collector(0));
        FrameChannel receiver = channel(ends[1], "b", received);
        sender.start();
        receiver.start();
        List<byte[]> sent = new ArrayList<>();
        Random random = new Random(9);
        for (int size : sizes) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            sent.add(body);
            sender.send(Wire.frame(size > 1000 ? Wire.REQUEST : Wire.FETCHED, size).put(body).flip());
        }
        assertTrue(received.awaitFrames(), "frames received: " + received.frames().size());
        assertTrue(received.awaitPlaced(), "bodies placed: " + received.placed().size());
        assertEquals(List.of("frame", "placed", "frame", "placed", "frame"), received.events());
        assertArrayEquals(sent.get(0), received.frames().get(0));
        assertArrayEquals(sent.get(2), received.frames().get(1));
        assertArrayEquals(sent.get(4), received.frames().get(2));
        for (int i = 0; i < 2; i++) {
            byte[] body = sent.get(2 * i + 1);
            assertEquals(ByteBuffer.wrap(body).getLong(0), received.heads().get(i), "the head, read from the buffer");
            assertArrayEquals(Arrays.copyOfRange(body, Placing.HEAD, body.length), received.placed().get(i),
                    "the rest, in place");
        }
        assertEquals(0, received.abandoned.get());
    }

    @Test
    void theHeadAPlacementIsShownHoldsTheFixedFieldsOfEveryPlaceableFrame() {
        // RequestPlacements and PeerLink.placeAnswer read them without checking the length shown
        assertTrue(FrameDecoder.PLACEMENT_HEAD >= Requests.DATA);
        assertTrue(FrameDecoder.PLACEMENT_HEAD >= Wire.FETCHED_FIXED);
    }

    @Test
    void aPlaceableBodyWhoseHeadComesInPiecesIsStillPlaced() throws Exception {
        SocketChannel[] ends = connect(0);
        ends[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        Placing received = new Placing(0, 1);
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.start();
        byte[] body = new byte[FrameDecoder.PLACEABLE];
        new Random(3).nextBytes(body);
        ByteBuffer frame = Wire.frame(Wire.REQUEST, body.length).put(body).flip();
        int[] cuts = {Wire.HEADER + Placing.HEAD / 2, Wire.HEADER + FrameDecoder.PLACEMENT_HEAD - 1, frame.limit()};
        for (int cut : cuts) { // each piece sent on its own, read on its own unless the reader is late
            ends[0].write(frame.limit(cut));
            Thread.sleep(50);
        }
        assertTrue(received.awaitPlaced(), "events: " + received.events());
        assertEquals(List.of("placed"), received.events());
        assertEquals(ByteBuffer.wrap(body).getLong(0), received.heads().get(0));
        assertArrayEquals(Arrays.copyOfRange(body, Placing.HEAD, body.length), received.placed().get(0));
    }

    @Test
    void aBodyCutOffWhilePlacedIsGivenUpOnceAndNeverReportedPlaced() throws Exception {
        SocketChannel[] ends = connect(0);
        Placing received = new Placing(0, 1);
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.start();
        ByteBuffer frame = Wire.frame(Wire.REQUEST, 1 << 20).put(new byte[1 << 20]).flip();
        ends[0].write(frame.limit(frame.limit() / 2));
        ends[0].close();
        assertTrue(received.awaitClosed());
        assertInstanceOf(IOException.class, received.cause());
        awaitIoThreadEnd("b");
        assertEquals(1, received.abandoned.get());
        assertEquals(List.of(), received.placed());
        assertEquals(List.of("abandoned"), received.events());
    }

    @Test
    void aBadHeaderClosesTheConnectionAndTheHandlerHearsOfItOnce() throws Exception {
        SocketChannel[] ends = connect(0);
        Collector received = new Collector(1);
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.start();
        ByteBuffer good = numbered(0, 0, 10);
        ByteBuffer bad = ByteBuffer.allocate(Wire.HEADER).putInt(0x12345678).put((byte) 1).put((byte) 6)
                .putShort((short) 0).putInt(4).flip();
        ends[0].write(new ByteBuffer[] {good, bad});
        assertTrue(received.awaitClosed());
        assertInstanceOf(Wire.ProtocolException.class, received.cause());
        assertEquals(1, received.frames().size(), "the good frame before it was handed on");
        assertFalse(receiver.isOpen());
        receiver.close();
        assertEquals(-1, readQuietly(ends[0]), "the peer sees the connection closed");
        awaitIoThreadEnd("b");
        assertEquals(1, received.closedCalls());
    }

    @Test
    void aBodyLengthBeyondTheLimitClosesTheConnection() throws Exception {
        SocketChannel[] ends = connect(0);
        Collector received = new Collector(0);
        FrameChannel receiver = channel(ends[1], "b", received);
        receiver.start();
        ends[0].write(Wire.header(ByteBuffer.allocate(Wire.HEADER), Wire.REQUEST, Wire.MAX_BODY + 1).flip());
        assertTrue(received.awaitClosed());
        assertInstanceOf(Wire.ProtocolException.class, received.cause());
        assertEquals(1, received.closedCalls());
    }

    @Test
    void theEndOfStreamBetweenFramesIsACleanCloseInsideOneAnError() throws Exception {
        SocketChannel[] ends = connect(0);
        Collector clean = new Collector(1);
        FrameChannel a = channel(ends[1], "clean", clean);
        a.start();
        ends[0].write(numbered(0, 0, 10));
        ends[0].close();
        assertTrue(clean.awaitClosed());
        assertNull(clean.cause());
        assertEquals(1, clean.frames().size());

        SocketChannel[] more = connect(0);
        Collector cut = new Collector(0);
        FrameChannel b = channel(more[1], "cut", cut);
        b.start();
        ByteBuffer half = numbered(0, 0, 100);
        more[0].write(half.limit(half.limit() - 50));
        more[0].close();
        assertTrue(cut.awaitClosed());
        assertInstanceOf(IOException.class, cut.cause());
        assertEquals(0, cut.frames().size());
    }

    @Test
    void closeFromAnyThreadEndsTheIoThreadAndIsHeardOfOnce() throws Exception {
        SocketChannel[] ends = connect(0);
        Collector received = new Collector(0);
        FrameChannel channel = channel(ends[1], "c", received);
        channel.start();
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(channel::close);
            t.start();
            closers.add(t);
        }
        joinAll(closers);
        awaitIoThreadEnd("c");
        assertEquals(1, received.closedCalls());
        assertNull(received.cause());
        channel.send(numbered(0, 0, 10)); // closed: dropped, not thrown
        assertEquals(-1, readQuietly(ends[0]));
    }

    /** A connected pair of sockets: [0] dialed, [1] accepted; {@code buffers} > 0: that send and receive buffer. */
    private SocketChannel[] connect(int buffers) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            if (buffers > 0) {
                server.setOption(StandardSocketOptions.SO_RCVBUF, buffers);
            }
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel dialed = SocketChannel.open();
            open.add(dialed);
            if (buffers > 0) {
                dialed.setOption(StandardSocketOptions.SO_SNDBUF, buffers);
                dialed.setOption(StandardSocketOptions.SO_RCVBUF, buffers);
            }
            dialed.connect(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            open.add(accepted);
            if (buffers > 0) {
                accepted.setOption(StandardSocketOptions.SO_SNDBUF, buffers);
            }
            return new SocketChannel[] {dialed, accepted};
        }
    }

    private FrameChannel channel(SocketChannel socket, String name, FrameChannel.Handler handler)
            throws IOException {
        FrameChannel c = new FrameChannel(socket, name, handler);
        open.add(c::close);
        return c;
    }

    /** A frame whose body is the sender's id, its number and {@code extra} bytes of a pattern. */
    private static ByteBuffer numbered(int sender, int number, int extra) {
        ByteBuffer frame = Wire.frame(Wire.DATAGRAM, 8 + extra).putInt(sender).putInt(number);
        for (int k = 0; k < extra; k++) {
            frame.put((byte) (k * 7 + 3));
        }
        return frame.flip();
    }

    /**
     * The frame {@link #numbered} makes, in {@code dataParts} parts after the header and the 8 numbering
     * bytes, views of a direct buffer held until the frame is released ({@code released} counts it).  The
     * release overwrites the buffer, as memory unmapped or used again would read: a part written after it
     * breaks the pattern.
     */
    private static OutFrame parted(int sender, int number, int extra, int dataParts, AtomicInteger released) {
        ByteBuffer whole = numbered(sender, number, extra);
        ByteBuffer memory = ByteBuffer.allocateDirect(extra).put(whole.duplicate().position(Wire.HEADER + 8)).flip();
        ByteBuffer[] parts = new ByteBuffer[1 + dataParts];
        parts[0] = whole.duplicate().limit(Wire.HEADER + 8);
        int step = extra / dataParts;
        for (int i = 0; i < dataParts; i++) {
            int at = i * step;
            parts[1 + i] = memory.duplicate().position(at).limit(i == dataParts - 1 ? extra : at + step);
        }
        AtomicBoolean once = new AtomicBoolean();
        return new OutFrame(parts, () -> {
            if (!once.compareAndSet(false, true)) {
                throw new AssertionError("released twice");
            }
            for (int i = 0; i < extra; i++) {
                memory.put(i, (byte) 0x55);
            }
            released.incrementAndGet();
        });
    }

    /** {@link FrameChannel#queue(OutFrame)} and {@link FrameChannel#flush}. */
    private static void send(FrameChannel channel, OutFrame frame) {
        channel.queue(frame);
        channel.flush();
    }

    private static void checkPattern(byte[] body, int from) {
        for (int k = from; k < body.length; k++) {
            if (body[k] != (byte) ((k - from) * 7 + 3)) {
                throw new AssertionError("byte " + k + " of " + body.length);
            }
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(t.isAlive(), t.getName() + " still runs");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a blocking read from the peer gives: -1 at the end of stream (a reset counts as one). */
    private static int readQuietly(SocketChannel peer) {
        try {
            return peer.read(ByteBuffer.allocate(1));
        } catch (IOException reset) {
            return -1;
        }
    }

    private static void awaitIoThreadEnd(String name) throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("freeflow-tcp-io-" + name)) {
                t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertFalse(t.isAlive(), "the I/O thread ended");
            }
        }
    }

    /**
     * A collector that places every REQUEST body not all in yet: its first {@link #HEAD} bytes read from the
     * decoder's buffer, the rest into a direct buffer of its own.
     */
    private static final class Placing extends Collector {
        static final int HEAD = 8;
        private final List<String> events = new ArrayList<>();
        private final List<Long> heads = new ArrayList<>();
        private final List<byte[]> placed = new ArrayList<>();
        private final CountDownLatch allPlaced;
        final AtomicInteger abandoned = new AtomicInteger();

        Placing(int frames, int placements) {
            super(frames);
            allPlaced = new CountDownLatch(placements);
        }

        @Override
        public void frame(int type, ByteBuffer body) {
            synchronized (this) {
                events.add("frame");
            }
            super.frame(type, body);
        }

        @Override
        public synchronized FrameDecoder.Placement placement(int type, ByteBuffer start, int length) {
            if (type != Wire.REQUEST || start.remaining() < HEAD) {
                return null;
            }
            heads.add(start.getLong(0));
            return new Target(ByteBuffer.allocateDirect(length - HEAD));
        }

        /** Where one placed body's rest goes. */
        private final class Target implements FrameDecoder.Placement {
            private final ByteBuffer buffer;

            Target(ByteBuffer buffer) {
                this.buffer = buffer;
            }

            @Override
            public int headBytes() {
                return HEAD;
            }

            @Override
            public long remaining() {
                return buffer.remaining();
            }

            @Override
            public void take(ByteBuffer from) {
                int n = Math.min(from.remaining(), buffer.remaining());
                buffer.put(from.slice(from.position(), n));
                from.position(from.position() + n);
            }

            @Override
            public int read(java.nio.channels.ScatteringByteChannel channel, ByteBuffer scratch) throws IOException {
                return channel.read(buffer);
            }

            @Override
            public void abandon() {
                abandoned.incrementAndGet();
                synchronized (Placing.this) {
                    events.add("abandoned");
                }
            }
        }

        @Override
        public void placed(FrameDecoder.Placement placement) {
            assertEquals(0, placement.remaining());
            ByteBuffer buffer = ((Target) placement).buffer;
            byte[] copy = new byte[buffer.capacity()];
            buffer.flip().get(copy);
            synchronized (this) {
                events.add("placed");
                placed.add(copy);
            }
            allPlaced.countDown();
        }

        boolean awaitPlaced() throws InterruptedException {
            return allPlaced.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        synchronized List<Long> heads() {
            return List.copyOf(heads);
        }

        synchronized List<byte[]> placed() {
            return List.copyOf(placed);
        }
    }

    /** Records what a channel hands on; latches for the frames expected and for the close. */
    private static class Collector implements FrameChannel.Handler {
        private final List<byte[]> frames = new ArrayList<>();
        private final List<Integer> types = new ArrayList<>();
        /** Per partial report: the frames complete before it, the bytes so far, the first 8 of them (or 0). */
        private final List<long[]> partials = new ArrayList<>();
        private final CountDownLatch all;
        private final CountDownLatch closed = new CountDownLatch(1);
        private final AtomicInteger closedCalls = new AtomicInteger();
        private volatile Exception cause;

        Collector(int expected) {
            this.all = new CountDownLatch(expected);
        }

        @Override
        public void frame(int type, ByteBuffer body) {
            byte[] copy = new byte[body.remaining()];
            body.get(copy);
            synchronized (this) {
                frames.add(copy);
                types.add(type);
            }
            all.countDown();
        }

        @Override
        public synchronized void partial(int type, ByteBuffer soFar) {
            partials.add(new long[] {frames.size(), soFar.position(), soFar.position() >= 8 ? soFar.getLong(0) : 0});
        }

        synchronized List<long[]> partials() {
            return List.copyOf(partials);
        }

        @Override
        public void closed(Exception cause) {
            this.cause = cause;
            closedCalls.incrementAndGet();
            closed.countDown();
        }

        boolean awaitFrames() throws InterruptedException {
            return all.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        boolean awaitClosed() throws InterruptedException {
            return closed.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        synchronized List<byte[]> frames() {
            return new ArrayList<>(frames);
        }

        synchronized List<Integer> types() {
            return new ArrayList<>(types);
        }

        Exception cause() {
            return cause;
        }

        int closedCalls() {
            return closedCalls.get();
        }
    }
}
