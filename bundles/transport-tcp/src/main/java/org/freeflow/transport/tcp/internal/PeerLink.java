package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP connection this router dials to a peer router, for the requester
 * connections it carries there.  A thread of its own connects (and
 * reconnects, backing off from {@link #MIN_BACKOFF_NANOS} to
 * {@link #MAX_BACKOFF_NANOS}, while any connection uses it; a connect that
 * a router on the same fabric does not answer within 250 ms is tried again), sends HELLO,
 * then every frame its connections still wait an answer for; the answers
 * (ACK, NAK, FETCHED) that come back go to the connection they name.  A cut
 * that TCP outlives is invisible here; one that closes the socket costs a
 * reconnect and the frames sent again, not a QP's retry.  Flow control: once
 * the frames unanswered exceed the limit, posts of a connection that holds
 * its fair share of the limit (or more) are answered BUSY; one below it may
 * still post, so no QP waits for the others without end (and the link holds
 * at most twice the limit).
 */
final class PeerLink implements FrameChannel.Handler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    static final long MIN_BACKOFF_NANOS = 20_000_000L;
    static final long MAX_BACKOFF_NANOS = 250_000_000L;
    private static final int CONNECT_TIMEOUT_MILLIS = 250;
    /** Datagrams are lost rather than queued beyond this for the socket. */
    static final long MAX_QUEUED_DATAGRAM_BYTES = 16L << 20;

    private final InetSocketAddress address;
    private final String name;
    private final byte[] hello;
    private final long maxUnansweredBytes;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong unansweredBytes = new AtomicLong();
    private final Thread dialer;
    private volatile FrameChannel channel;
    private volatile boolean running = true;
    /** Datagrams go this way: stay connected even with no connection open. */
    private volatile boolean keptConnected;
    /** Datagrams that wait for the connection. */
    private final ArrayDeque<ByteBuffer> unreliable = new ArrayDeque<>();

    PeerLink(InetSocketAddress address, int index, String localHost, long maxUnansweredBytes) {
        this.address = address;
        this.name = address.getHostString() + ":" + address.getPort() + "#" + index;
        this.hello = localHost.getBytes(StandardCharsets.UTF_8);
        this.maxUnansweredBytes = maxUnansweredBytes;
        this.dialer = new Thread(this::dialLoop, "freeflow-tcp-dial-" + name);
        dialer.setDaemon(true);
        dialer.start();
    }

    /**
     * True when the next post of a connection that has {@code mine} bytes unanswered is answered BUSY:
     * the link is over its limit and that connection holds its share of it.
     */
    boolean full(long mine) {
        return unansweredBytes.get() > maxUnansweredBytes
                && mine >= maxUnansweredBytes / Math.max(1, connections.size());
    }

    void retainedBytes(long delta) {
        unansweredBytes.addAndGet(delta);
    }

    /** Bytes of frames sent and not answered yet. */
    long unansweredBytes() {
        return unansweredBytes.get();
    }

    /**
     * Queues {@code frame} for the next {@link #flush} if connected; otherwise the reconnect sends it
     * (its connection keeps it).
     */
    void transmit(ByteBuffer frame) {
        FrameChannel c = channel;
        if (c != null) {
            c.queue(frame.duplicate());
        }
    }

    /** Writes the frames transmitted since the last flush. */
    void flush() {
        FrameChannel c = channel;
        if (c != null) {
            c.flush();
        }
    }

    /**
     * Sends a datagram frame now if connected; while connecting, up to
     * {@link DatagramRoute#WAITING} wait for the connection.  False when it
     * is lost instead (as datagrams may be): more wait than that, or more
     * than {@link #MAX_QUEUED_DATAGRAM_BYTES} are queued for the socket
     * already (a sender faster than the link does not fill the router).
     */
    boolean transmitUnreliable(ByteBuffer frame) {
        FrameChannel c = channel;
        if (c == null) {
            synchronized (unreliable) {
                c = channel;
                if (c == null) {
                    return unreliable.size() < DatagramRoute.WAITING && unreliable.add(frame);
                }
            }
        }
        if (c.queuedBytes() > MAX_QUEUED_DATAGRAM_BYTES) {
            return false;
        }
        c.send(frame);
        return true;
    }

    void add(TcpConnection connection) {
        connections.put(connection.id, connection);
        FrameChannel c = channel;
        if (c != null) {
            connection.resendTo(c);
        }
        LockSupport.unpark(dialer);
    }

    /** Datagrams use the link: it connects (and reconnects) even while no connection is open. */
    void keepConnected() {
        if (!keptConnected) {
            keptConnected = true;
            LockSupport.unpark(dialer);
        }
    }

    /**
     * The connection is closed: the responder side may forget it.  One closed
     * with frames still unanswered gave up on this link (its QP's retries ran
     * out, or it was destroyed mid-transfer): the TCP connection may be stuck
     * in the exponential back-off of its retransmissions after an outage, so
     * it is made anew (what other connections wait for is sent again).
     */
    void remove(TcpConnection connection, boolean unanswered) {
        if (connections.remove(connection.id) != null) {
            FrameChannel c = channel;
            if (c != null) {
                c.send(Wire.close(connection.id));
                if (unanswered) {
                    LOG.info("TCP transport: {} gave up with work unanswered: connecting to {} anew", connection,
                            name);
                    c.close();
                }
            }
        }
    }

    /** True while connected. */
    boolean connected() {
        FrameChannel c = channel;
        return c != null && c.isOpen();
    }

    /** Closes the socket as a failure would (tests: the reconnect and resend). */
    void dropConnection() {
        FrameChannel c = channel;
        if (c != null) {
            c.close();
        }
    }

    private void dialLoop() {
        long backoff = MIN_BACKOFF_NANOS;
        while (running) {
            if (channel != null || connections.isEmpty() && !keptConnected) {
                LockSupport.parkNanos(this, 1_000_000_000L);
                continue;
            }
            try {
                connect();
                backoff = MIN_BACKOFF_NANOS;
            } catch (IOException e) {
                LOG.debug("TCP transport: cannot reach {}: {}", name, e.toString());
                LockSupport.parkNanos(this, backoff);
                backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS);
            }
        }
    }

    private void connect() throws IOException {
        SocketChannel socket = SocketChannel.open();
        try {
            socket.socket().connect(address, CONNECT_TIMEOUT_MILLIS);
            FrameChannel c = new FrameChannel(socket, name, this);
            ByteBuffer helloFrame = Wire.frame(Wire.HELLO, 2 + hello.length);
            c.send(helloFrame.putShort((short) hello.length).put(hello).flip());
            synchronized (unreliable) {
                while (!unreliable.isEmpty()) {
                    c.send(unreliable.poll());
                }
                channel = c; // only now: a datagram sent at once must not overtake those that waited
            }
            for (TcpConnection connection : connections.values()) {
                connection.resendTo(c);
            }
            c.start();
            LOG.info("TCP transport: connected to {}", name);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void partial(int type, ByteBuffer soFar) {
        if (type == Wire.FETCHED && soFar.position() >= 16) { // a large READ's data is coming in
            TcpConnection c = connections.get(soFar.getLong(0));
            if (c != null) {
                c.arriving(soFar.getLong(8));
            }
        }
    }

    @Override
    public void frame(int type, ByteBuffer body) throws Wire.ProtocolException {
        int at = body.position();
        if (type == Wire.ACK && body.remaining() == Wire.ACK_BODY) {
            TcpConnection c = connections.get(body.getLong(at));
            if (c != null) {
                c.acknowledged(body.getLong(at + 8));
            }
        } else if (type == Wire.NAK && body.remaining() == Wire.NAK_BODY) {
            TcpConnection c = connections.get(body.getLong(at));
            if (c != null) {
                c.refused(body.getLong(at + 8), Wire.outcome(body.get(at + 16) & 0xff), body.get(at + 17) & 0x1f);
            }
        } else if (type == Wire.FETCHED && body.remaining() >= Wire.FETCHED_FIXED
                && Integer.toUnsignedLong(body.getInt(at + 16)) == body.remaining() - Wire.FETCHED_FIXED) {
            TcpConnection c = connections.get(body.getLong(at));
            if (c != null) {
                c.fetched(body.getLong(at + 8), body.position(at + Wire.FETCHED_FIXED).slice());
            }
        } else {
            throw new Wire.ProtocolException("unexpected frame type " + type + " of " + body.remaining() + " bytes");
        }
    }

    @Override
    public void closed(Exception cause) {
        channel = null;
        if (running) {
            LOG.info("TCP transport: connection to {} closed{}", name, cause == null ? "" : ": " + cause);
            LockSupport.unpark(dialer);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(dialer);
        FrameChannel c = channel;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
