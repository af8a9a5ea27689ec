package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between two routers, framed, on a non-blocking
 * socket.  {@link #send} never blocks: it queues the frame and, unless
 * another thread is writing at that moment, writes what is queued itself,
 * on the caller's thread ({@link Outbox}: frames leave whole, once each,
 * in the order they were sent; frames {@link #queue queued} wait for
 * the next flush, to leave together).  One I/O thread per connection reads (many
 * frames per read: {@link FrameDecoder}) and hands each frame to the
 * {@link Handler}; it also finishes the writes a full socket left over,
 * once the socket is writable again.  Reading stops while
 * {@link #pauseReading paused} (the frames already read wait too); the
 * writes go on.  Any I/O error or protocol violation closes the
 * connection; {@link Handler#closed} is then called once (a write error on
 * a sender's thread is reported by the I/O thread, never on the sender's).
 */
final class FrameChannel {

    private static final Logger LOG = LoggerFactory.getLogger(FrameChannel.class);
    /**
     * What the I/O thread reads, and writes, at most in one turn before it looks at the other: a peer
     * that sends without pause must not keep it from writing (answers and requests of this router wait
     * for it once the socket was full), nor a queue that never empties from reading.
     */
    static final int TURN_BYTES = 4 << 20;

    /** What the I/O thread hands on. */
    interface Handler {
        /**
         * A frame's body (position..limit, a buffer of its own that the handler may keep) of {@code type};
         * on the I/O thread, which must not block: it also writes what the socket could not take at once.
         */
        void frame(int type, ByteBuffer body) throws Wire.ProtocolException;

        /**
         * Part of a body of {@code type} arrived, its bytes so far in [0, position) of {@code soFar}, the rest
         * to come (then {@link #frame}); on the I/O thread, which must not block.  The handler reads the part
         * only (absolute reads), neither keeps nor changes it.  The default: nothing.
         */
        default void partial(int type, ByteBuffer soFar) {
        }

        /**
         * A body of {@code type} and {@code length} bytes (at least {@link FrameDecoder#PLACEABLE}) whose
         * first bytes {@code start} holds (at 0..limit, at least {@link FrameDecoder#PLACEMENT_HEAD}; a view the
         * handler reads and does not keep) is coming: where its rest goes, or null (the default) for a buffer of
         * its own and {@link #frame}.  On the I/O thread, which must not block.
         */
        default FrameDecoder.Placement placement(int type, ByteBuffer start, int length) throws Wire.ProtocolException {
            return null;
        }

        /** All of {@code placement}'s body arrived (in place of {@link #frame}); on the I/O thread. */
        default void placed(FrameDecoder.Placement placement) {
        }

        /** The connection is closed ({@code cause} null when closed on purpose or by the peer). */
        void closed(Exception cause);
    }

    private final SocketChannel channel;
    private final String name;
    private final Handler handler;
    private final Outbox outbox = new Outbox();
    private final FrameDecoder decoder = new FrameDecoder();
    private final Thread io;
    /** The I/O thread's, once it runs. */
    private volatile Selector selector;
    /** A write error on a sender's thread, for the I/O thread to close the connection with. */
    private final AtomicReference<IOException> writeFailure = new AtomicReference<>();
    private volatile boolean paused;
    private volatile boolean closed;

    FrameChannel(SocketChannel channel, String name, Handler handler) throws IOException {
        this.channel = channel;
        this.name = name;
        this.handler = handler;
        channel.configureBlocking(false);
        channel.socket().setTcpNoDelay(true);
        this.io = new Thread(this::run, "freeflow-tcp-io-" + name);
        io.setDaemon(true);
    }

    /** Starts the I/O thread (frames may be sent before). */
    void start() {
        io.start();
    }

    /** Sends a whole frame (flipped); never blocks.  Frames go out in the order they were sent. */
    void send(ByteBuffer frame) {
        queue(frame);
        flush();
    }

    /**
     * Queues a whole frame (flipped) to be written with the next {@link #flush} (or {@link #send}, from
     * any thread): frames queued together leave in one gathering write.
     */
    void queue(ByteBuffer frame) {
        if (!closed) {
            outbox.add(frame);
        }
    }

    /**
     * Queues a copy of {@code frame} to be written with the next {@link #flush}, as {@link #queue(ByteBuffer)};
     * the copy's reference to it ends once written, or when the connection closes.
     */
    void queue(OutFrame frame) {
        outbox.add(frame);
    }

    /**
     * Queues an answer frame (flipped) to be written with the next {@link #flush}, ahead of the frames
     * {@link #queue queued} before it that are not being written yet.
     */
    void queueAnswer(ByteBuffer frame) {
        if (!closed) {
            outbox.addAnswer(frame);
        }
    }

    /** Queues a copy of the answer {@code frame}, as {@link #queueAnswer(ByteBuffer)} and {@link #queue(OutFrame)}. */
    void queueAnswer(OutFrame frame) {
        outbox.addAnswer(frame);
    }

    /** Writes what is queued, on this thread unless another one writes at the moment; never blocks. */
    void flush() {
        if (closed || outbox.blocked()) {
            return; // the I/O thread writes what is queued once the socket takes more
        }
        try {
            if (outbox.drain(channel, false) == Outbox.Drained.BLOCKED) {
                wakeUp();
            }
        } catch (IOException e) {
            writeFailure.compareAndSet(null, e);
            wakeUp();
        }
    }

    /** Bytes queued and not written yet (what a datagram sender checks before it adds more). */
    long queuedBytes() {
        return outbox.queuedBytes();
    }

    /**
     * Stops handing frames on (from any thread; from {@link Handler#frame}: after that frame) and reading
     * the socket, until {@link #resumeReading}: TCP then holds the sender back.
     */
    void pauseReading() {
        paused = true;
    }

    /** Reads and hands frames on again (from any thread). */
    void resumeReading() {
        paused = false;
        if (Thread.currentThread() != io) {
            wakeUp();
        }
    }

    boolean isOpen() {
        return !closed;
    }

    /** Closes the connection (from any thread, any number of times); the handler hears of it once. */
    void close() {
        fail(null);
    }

    private void fail(Exception cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        outbox.discard();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}", name, e);
        }
        wakeUp();
        handler.closed(cause);
    }

    private void wakeUp() {
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    private boolean reading() {
        return !paused && !closed;
    }

    private void run() {
        try (Selector s = Selector.open()) {
            selector = s; // before the first look at closed: a close from now on wakes this thread
            SelectionKey key = channel.register(s, 0);
            int interest = 0;
            while (!closed) {
                IOException failed = writeFailure.get();
                if (failed != null) {
                    throw failed;
                }
                if (reading()) {
                    decoder.decode(handler, this::reading); // what was read before a pause
                }
                int wanted = (paused ? 0 : SelectionKey.OP_READ) | (outbox.blocked() ? SelectionKey.OP_WRITE : 0);
                if (wanted != interest) {
                    key.interestOps(wanted);
                    interest = wanted;
                }
                s.select();
                int ready = s.selectedKeys().remove(key) ? key.readyOps() : 0;
                if ((ready & SelectionKey.OP_WRITE) != 0 && !closed) {
                    outbox.drain(channel, true, TURN_BYTES);
                }
                if ((ready & SelectionKey.OP_READ) != 0 && reading() && !readAvailable()) {
                    fail(null); // the peer closed the connection between two frames
                }
            }
        } catch (IOException | Wire.ProtocolException | RuntimeException e) {
            if (!closed) {
                LOG.warn("TCP transport connection {} closed: {}", name, e.toString());
            }
            fail(e);
        } finally {
            decoder.abandon(); // a body cut off mid-way: its placement ends here, on the thread that read it
        }
    }

    /**
     * Reads and hands on what the socket has (again while a read fills the buffer, up to
     * {@link #TURN_BYTES}); false at its end.
     */
    private boolean readAvailable() throws IOException, Wire.ProtocolException {
        boolean more = true;
        for (long total = 0; more && reading() && decoder.hasRoom() && total < TURN_BYTES; ) {
            int n = decoder.read(channel);
            if (n < 0) {
                return false;
            }
            total += n;
            more = decoder.mayHaveMore(); // a full read: there may be more in the socket
            decoder.decode(handler, this::reading);
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}
