package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between two routers, framed: a writer thread sends the
 * queued frames (as many as are queued, in one gathering write: small
 * messages travel in batches), a reader thread reads whole frames and hands
 * each to the {@link Handler}.  {@link #send} never blocks.  Any I/O error or
 * protocol violation closes the connection; {@link Handler#closed} is then
 * called once.
 */
final class FrameChannel {

    private static final Logger LOG = LoggerFactory.getLogger(FrameChannel.class);
    private static final int BATCH = 64;
    private static final ByteBuffer STOP = ByteBuffer.allocate(0);

    /** What the reader hands on. */
    interface Handler {
        /** A frame's body (position..limit) of {@code type}; on the reader thread. */
        void frame(int type, ByteBuffer body) throws Wire.ProtocolException;

        /** The connection is closed ({@code cause} null when closed on purpose). */
        void closed(Exception cause);
    }

    private final SocketChannel channel;
    private final String name;
    private final Handler handler;
    private final LinkedBlockingQueue<ByteBuffer> outbound = new LinkedBlockingQueue<>();
    /** Bytes queued for the writer and not written yet. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean closed;
    private final Thread reader;
    private final Thread writer;

    FrameChannel(SocketChannel channel, String name, Handler handler) throws IOException {
        this.channel = channel;
        this.name = name;
        this.handler = handler;
        channel.configureBlocking(true);
        channel.socket().setTcpNoDelay(true);
        this.reader = new Thread(this::readLoop, "freeflow-tcp-in-" + name);
        this.writer = new Thread(this::writeLoop, "freeflow-tcp-out-" + name);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
        reader.start();
    }

    /** Queues a whole frame (flipped) for the writer; frames go out in the order they were queued. */
    void send(ByteBuffer frame) {
        if (!closed) {
            queuedBytes.addAndGet(frame.remaining());
            outbound.add(frame);
        }
    }

    /** Bytes waiting for the writer (what a datagram sender checks before it adds more). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    boolean isOpen() {
        return !closed;
    }

    /** Closes the connection; the handler hears of it once. */
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
        outbound.clear();
        outbound.add(STOP);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}", name, e);
        }
        handler.closed(cause);
    }

    private void writeLoop() {
        ByteBuffer[] batch = new ByteBuffer[BATCH];
        try {
            while (!closed) {
                ByteBuffer first = outbound.poll(1, TimeUnit.SECONDS);
                if (first == null || first == STOP) {
                    continue;
                }
                batch[0] = first;
                int n = 1;
                while (n < BATCH) {
                    ByteBuffer next = outbound.poll();
                    if (next == null || next == STOP) {
                        break;
                    }
                    batch[n++] = next;
                }
                long bytes = 0;
                for (int i = 0; i < n; i++) {
                    bytes += batch[i].remaining();
                }
                writeAll(batch, n);
                queuedBytes.addAndGet(-bytes);
                java.util.Arrays.fill(batch, 0, n, null);
            }
        } catch (IOException e) {
            fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        }
    }

    private void writeAll(ByteBuffer[] batch, int n) throws IOException {
        int from = 0;
        while (from < n) {
            channel.write(batch, from, n - from);
            while (from < n && !batch[from].hasRemaining()) {
                from++;
            }
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(Wire.HEADER);
        try {
            while (!closed) {
                header.clear();
                if (!readFully(header)) {
                    fail(null);
                    return;
                }
                int magic = header.getInt(0);
                int version = header.get(4) & 0xff;
                int type = header.get(5) & 0xff;
                int length = header.getInt(8);
                if (magic != Wire.MAGIC || version != Wire.VERSION) {
                    throw new Wire.ProtocolException(String.format("bad header (magic 0x%08x, version %d)", magic,
                            version));
                }
                if (length < 0 || length > Wire.MAX_BODY) {
                    throw new Wire.ProtocolException("frame body of " + Integer.toUnsignedString(length) + " bytes");
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                if (!readFully(body)) {
                    throw new Wire.ProtocolException("connection closed inside a frame");
                }
                handler.frame(type, body.flip());
            }
        } catch (IOException | Wire.ProtocolException | RuntimeException e) {
            if (!closed) {
                LOG.warn("TCP transport connection {} closed: {}", name, e.toString());
            }
            fail(e);
        }
    }

    /** Fills {@code buffer}; false on a clean end of stream before its first byte. */
    private boolean readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (buffer.position() == 0) {
                    return false;
                }
                throw new IOException("end of stream inside a frame");
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}
