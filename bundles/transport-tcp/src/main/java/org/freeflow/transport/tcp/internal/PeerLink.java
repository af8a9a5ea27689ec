package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.freeflow.router.api.transport.Acknowledgements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link to another host's router (one of {@code connectionsPerHost}, by
 * index): one TCP connection at a time ({@link LinkChannel}), whichever of
 * the two routers dialed it, carries the requests of both and the answers to
 * them.  This router dials while one of its requester connections (or a
 * datagram route) uses the link and none is open: a thread of its own
 * connects and reconnects, backing off from {@link #MIN_BACKOFF_NANOS} to
 * {@link #MAX_BACKOFF_NANOS} (a connect that a router on the same fabric does
 * not answer within 250 ms, or a HELLO not answered within
 * {@link #HELLO_TIMEOUT_NANOS}, is tried again).  When both routers dialed at
 * once, both keep the connection the router with the lower id dialed and
 * close the other (one from a restarted peer, or dialed again by the same
 * side, replaces the one before).  A connection taken into use gets every
 * frame the requester connections still wait an answer for; the answers that
 * come back go to the connection they name.  A cut that TCP outlives is
 * invisible here; one that closes the socket costs a reconnect and the
 * frames sent again, not a QP's retry.  Flow control: once the frames
 * unanswered exceed the limit, posts of a connection that holds its fair
 * share of the limit (or more) are answered BUSY; one below it may still
 * post, so no QP waits for the others without end (and the link holds at
 * most twice the limit).
 */
final class PeerLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    static final long MIN_BACKOFF_NANOS = 20_000_000L;
    static final long MAX_BACKOFF_NANOS = 250_000_000L;
    static final long HELLO_TIMEOUT_NANOS = 1_000_000_000L;
    private static final int CONNECT_TIMEOUT_MILLIS = 250;
    /** Datagrams are lost rather than queued beyond this for the socket. */
    static final long MAX_QUEUED_DATAGRAM_BYTES = 16L << 20;

    private final String host;
    private final int index;
    private final String name;
    private final LocalRouter router;
    private final long maxUnansweredBytes;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong unansweredBytes = new AtomicLong();
    /** Where the peer router listens, once a lookup said (a link made for a connection in has none yet). */
    private volatile InetSocketAddress address;
    private Thread dialer;
    /** The connection in use (changed under this link's lock). */
    private volatile LinkChannel current;
    /** The connection dialed and not answered HELLO yet, and since when. */
    private LinkChannel dialing;
    private long dialingSince;
    private long backoff = MIN_BACKOFF_NANOS;
    private volatile boolean running = true;
    /** Datagrams go this way: stay connected even with no connection open. */
    private volatile boolean keptConnected;
    /** Datagrams that wait for the connection. */
    private final ArrayDeque<ByteBuffer> unreliable = new ArrayDeque<>();

    PeerLink(String host, int index, LocalRouter router, long maxUnansweredBytes) {
        this.host = host;
        this.index = index;
        this.name = host + "#" + index;
        this.router = router;
        this.maxUnansweredBytes = maxUnansweredBytes;
    }

    int index() {
        return index;
    }

    /** The peer router listens at {@code at} (the orchestrator's HOSTS table): where to dial. */
    void dialTo(InetSocketAddress at) {
        if (at != null && !at.equals(address)) {
            address = at;
            wakeDialer();
        }
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
    void transmit(OutFrame frame) {
        LinkChannel c = current;
        if (c != null) {
            c.frames().queue(frame);
        }
    }

    /** Writes the frames transmitted since the last flush. */
    void flush() {
        LinkChannel c = current;
        if (c != null) {
            c.frames().flush();
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
        LinkChannel c = current;
        if (c == null) {
            synchronized (unreliable) {
                c = current;
                if (c == null) {
                    return unreliable.size() < DatagramRoute.WAITING && unreliable.add(frame);
                }
            }
        }
        if (c.frames().queuedBytes() > MAX_QUEUED_DATAGRAM_BYTES) {
            return false;
        }
        c.frames().send(frame);
        return true;
    }

    void add(TcpConnection connection) {
        connections.put(connection.id, connection);
        LinkChannel c = current;
        if (c != null) {
            connection.resendTo(c.frames());
        }
        wakeDialer();
    }

    /** Datagrams use the link: it connects (and reconnects) even while no connection is open. */
    void keepConnected() {
        if (!keptConnected) {
            keptConnected = true;
            wakeDialer();
        }
    }

    /**
     * The connection is closed: the responder side may forget it.  One closed
     * with frames still unanswered gave up on this link (its QP's retries ran
     * out, or it was destroyed mid-transfer): the TCP connection may be stuck
     * in the exponential back-off of its retransmissions after an outage, so
     * it is made anew (what the other connections, of both routers, wait for
     * is sent again).
     */
    void remove(TcpConnection connection, boolean unanswered) {
        if (connections.remove(connection.id) != null) {
            LinkChannel c = current;
            if (c != null) {
                c.frames().send(Wire.close(connection.id));
                if (unanswered) {
                    LOG.info("TCP transport: {} gave up with work unanswered: connecting to {} anew", connection,
                            name);
                    c.close();
                }
            }
        }
    }

    /** Waits up to {@code nanos} for a connection in use (HELLO answered); true once there is one. */
    boolean awaitConnected(long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        while (!connected() && System.nanoTime() - end < 0) {
            Thread.sleep(1);
        }
        return connected();
    }

    private boolean connected() {
        LinkChannel c = current;
        return c != null && c.isOpen();
    }

    /** Closes the connection in use as a failure would (tests: the reconnect and resend). */
    void dropConnection() {
        LinkChannel c = current;
        if (c != null) {
            c.close();
        }
    }

    /**
     * A connection's peer said HELLO: it becomes the one in use, unless another is open that both routers
     * keep instead (then this one is closed).
     */
    void offer(LinkChannel offered) {
        LinkChannel closing;
        synchronized (this) {
            if (dialing == offered) {
                dialing = null;
            }
            LinkChannel now = current;
            if (!running || now != null && now.isOpen() && !replaces(offered, now)) {
                closing = offered;
            } else {
                closing = now;
                use(offered);
            }
        }
        if (closing != null) {
            closing.close();
        }
        wakeDialer();
    }

    /** True when {@code offered} is kept rather than {@code now}, as the other router decides too. */
    private boolean replaces(LinkChannel offered, LinkChannel now) {
        if (offered.dialedHere() == now.dialedHere() || offered.peer().router() != now.peer().router()) {
            return true; // dialed again by the same side, or the peer router started anew: the older is stale
        }
        long offeredBy = offered.dialedHere() ? router.id() : offered.peer().router();
        long nowBy = now.dialedHere() ? router.id() : now.peer().router();
        return offeredBy < nowBy;
    }

    /** Under the lock: {@code c} carries everything from now on; what waited for a connection goes first. */
    private void use(LinkChannel c) {
        synchronized (unreliable) {
            while (!unreliable.isEmpty()) {
                c.frames().send(unreliable.poll());
            }
            current = c; // only now: a datagram sent at once must not overtake those that waited
        }
        for (TcpConnection connection : connections.values()) {
            connection.resendTo(c.frames());
        }
        if (c.dialedHere()) {
            backoff = MIN_BACKOFF_NANOS;
        }
    }

    /** {@code c} closed: when it was the one in use (or being dialed), another is dialed if needed. */
    void lost(LinkChannel c, Exception cause) {
        boolean inUse;
        synchronized (this) {
            inUse = current == c;
            if (inUse) {
                current = null;
            }
            if (dialing == c) {
                dialing = null;
            }
        }
        if (inUse && running) {
            LOG.info("TCP transport: connection {} to {} closed{}", c, name, cause == null ? "" : ": " + cause);
        }
        wakeDialer();
    }

    /**
     * An answer that came back: to the requester connection it names, if still open; returns that
     * connection's requester (null when none).
     */
    Acknowledgements answer(int type, ByteBuffer body) throws Wire.ProtocolException {
        int at = body.position();
        boolean whole = switch (type) {
            case Wire.ACK -> body.remaining() == Wire.ACK_BODY;
            case Wire.NAK -> body.remaining() == Wire.NAK_BODY;
            case Wire.FETCHED -> body.remaining() >= Wire.FETCHED_FIXED
                    && Integer.toUnsignedLong(body.getInt(at + 16)) == body.remaining() - Wire.FETCHED_FIXED;
            default -> false;
        };
        if (!whole) {
            throw new Wire.ProtocolException("unexpected frame type " + type + " of " + body.remaining() + " bytes");
        }
        TcpConnection c = connections.get(body.getLong(at));
        if (c == null) {
            return null;
        }
        long psn = body.getLong(at + 8);
        switch (type) {
            case Wire.ACK -> c.acknowledged(psn);
            case Wire.NAK -> c.refused(psn, Wire.outcome(body.get(at + 16) & 0xff), body.get(at + 17) & 0x1f);
            default -> c.fetched(psn, body.position(at + Wire.FETCHED_FIXED).slice());
        }
        return c.reports();
    }

    /**
     * A FETCHED of {@code length} bytes whose first bytes {@code start} holds (at 0) is coming: its placement
     * into its READ's memory, or null for it to be read whole (and checked) as any answer.
     */
    FetchPlacement placeAnswer(ByteBuffer start, int length) {
        if (length - Wire.FETCHED_FIXED < Requests.PLACE_MIN // the decoder shows the fixed fields whole
                || Integer.toUnsignedLong(start.getInt(16)) != length - Wire.FETCHED_FIXED) {
            return null;
        }
        TcpConnection c = connections.get(start.getLong(0));
        return c == null ? null : c.placeFetched(start.getLong(8), length - Wire.FETCHED_FIXED);
    }

    /** Part of an answer came in, its first {@code soFar.position()} bytes: a large READ's data is coming. */
    void partial(int type, ByteBuffer soFar) {
        if (type == Wire.FETCHED && soFar.position() >= Wire.ANSWER_HEAD) {
            TcpConnection c = connections.get(soFar.getLong(0));
            if (c != null) {
                c.arriving(soFar.getLong(8));
            }
        }
    }

    private void wakeDialer() {
        if (!running || address == null || connections.isEmpty() && !keptConnected) {
            return;
        }
        synchronized (this) {
            if (dialer == null) {
                dialer = new Thread(this::dialLoop, "freeflow-tcp-dial-" + name);
                dialer.setDaemon(true);
                dialer.start();
                return;
            }
        }
        LockSupport.unpark(dialer);
    }

    private void dialLoop() {
        while (running) {
            long wait = dialOrWait(System.nanoTime());
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** Dials if a connection is needed and none is open or being dialed; how long to wait then. */
    private long dialOrWait(long now) {
        LinkChannel unanswered;
        synchronized (this) {
            unanswered = dialing;
            if (unanswered == null) {
                LinkChannel c = current;
                if (c != null && c.isOpen() || address == null || connections.isEmpty() && !keptConnected) {
                    return 1_000_000_000L;
                }
            } else if (now - dialingSince < HELLO_TIMEOUT_NANOS) {
                return HELLO_TIMEOUT_NANOS / 10;
            }
        }
        if (unanswered != null) {
            LOG.info("TCP transport: {} did not answer HELLO on {}", name, unanswered);
            unanswered.close(); // its lost() clears it
            return backoff;
        }
        try {
            connect(address);
            return 0;
        } catch (IOException e) {
            LOG.debug("TCP transport: cannot reach {} at {}: {}", name, address, e.toString());
            long waited = backoff;
            synchronized (this) {
                backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS);
            }
            return waited;
        }
    }

    private void connect(InetSocketAddress to) throws IOException {
        SocketChannel socket = SocketChannel.open();
        try {
            socket.socket().connect(to, CONNECT_TIMEOUT_MILLIS);
            LinkChannel c = new LinkChannel(router, socket, "to-" + name, this);
            synchronized (this) {
                dialing = c;
                dialingSince = System.nanoTime();
            }
            c.start();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void close() {
        running = false;
        LinkChannel c;
        LinkChannel d;
        synchronized (this) {
            c = current;
            d = dialing;
            if (dialer != null) {
                LockSupport.unpark(dialer);
            }
        }
        if (c != null) {
            c.close();
        }
        if (d != null) {
            d.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
