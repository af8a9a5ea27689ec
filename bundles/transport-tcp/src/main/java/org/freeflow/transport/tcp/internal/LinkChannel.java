package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.freeflow.router.api.transport.Acknowledgements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between this router and another, dialed by either:
 * both routers' requests travel on it, and the answers to them, so that the
 * acknowledgement of a request and the other router's next request (the
 * reply to it) arrive in the order they were sent, as on one wire.  The
 * requests (and datagrams, CLOSEs) that come in go to the connection's own
 * {@link InboundExecutor}, on a poller; the answers go to this router's
 * requester connections through the {@link PeerLink} the connection serves.
 * A request that comes in behind answers is executed once the requesters
 * those answers went to have written the completions they owe for them
 * (for at most {@link InboundExecutor#SETTLE_NANOS}): an application sees
 * its send complete before the receive of the message sent in reply.
 * Each end sends HELLO first; a connection serves its link from the peer's
 * HELLO on ({@link PeerLink#offer}).  Anything but the frames of the
 * protocol closes the connection (and only it).
 */
final class LinkChannel implements FrameChannel.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(LinkChannel.class);

    private final LocalRouter router;
    private final boolean dialedHere;
    private final FrameChannel channel;
    private final InboundExecutor executor;
    private final RequestPlacements placements;
    /** The link served: the one dialed for, or the one the peer's HELLO names. */
    private volatile PeerLink link;
    private volatile Wire.Hello peer;
    /** Requesters given answers since the last request came in (I/O thread only). */
    private final AnswersSettled answered = new AnswersSettled();

    /**
     * @param dialedFor the link this router dialed the connection for; null for one accepted
     */
    LinkChannel(LocalRouter router, SocketChannel socket, String name, PeerLink dialedFor) throws IOException {
        this.router = router;
        this.dialedHere = dialedFor != null;
        this.link = dialedFor;
        this.channel = new FrameChannel(socket, name, this);
        FrameChannel c = channel;
        this.executor = new InboundExecutor(router.responders(), router.sessions(), c::queueAnswer, c::queueAnswer,
                c::flush, c::queuedBytes, c::resumeReading);
        this.placements = new RequestPlacements(router.responders(), router.sessions());
    }

    /** Sends this router's HELLO (a dialed connection: at once; an accepted one: after the peer's). */
    void start() {
        router.opened(this);
        router.poller().register(executor);
        if (dialedHere) {
            channel.send(Wire.hello(router.id(), link.index(), router.host()));
        }
        channel.start();
    }

    boolean dialedHere() {
        return dialedHere;
    }

    /** The router at the other end, once its HELLO came (else null). */
    Wire.Hello peer() {
        return peer;
    }

    FrameChannel frames() {
        return channel;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() {
        channel.close();
    }

    @Override
    public void frame(int type, ByteBuffer body) throws Wire.ProtocolException {
        if (type == Wire.HELLO) {
            hello(Wire.Hello.of(body));
            return;
        }
        PeerLink l = link;
        if (peer == null || l == null) {
            throw new Wire.ProtocolException("frame type " + type + " before HELLO");
        }
        switch (type) {
            case Wire.ACK, Wire.NAK, Wire.FETCHED -> {
                int at = body.position();
                Acknowledgements to = l.answer(type, body); // checks the answer
                if (to != null) {
                    answered.answered(to, Wire.answeredThrough(type, body, at));
                }
            }
            case Wire.REQUEST -> {
                Requests.check(body);
                execute(type, body, answered.take());
            }
            case Wire.DATAGRAM -> {
                if (body.remaining() < Wire.DATAGRAM_FIXED) {
                    throw new Wire.ProtocolException("DATAGRAM of " + body.remaining() + " bytes");
                }
                execute(type, body, null);
            }
            case Wire.CLOSE -> {
                if (body.remaining() != Wire.CLOSE_BODY) {
                    throw new Wire.ProtocolException("CLOSE of " + body.remaining() + " bytes");
                }
                execute(type, body, null);
            }
            default -> throw new Wire.ProtocolException("unexpected frame type " + type);
        }
    }

    private void hello(Wire.Hello hello) throws Wire.ProtocolException {
        if (peer != null) {
            throw new Wire.ProtocolException("a second HELLO");
        }
        if (hello.router() == router.id()) {
            throw new Wire.ProtocolException("a connection to this router itself");
        }
        PeerLink l = link;
        if (l == null && hello.host().isEmpty()) {
            throw new Wire.ProtocolException("a HELLO without the dialing router's host name");
        }
        if (l == null) {
            l = router.linkFor(hello.host(), hello.index());
            link = l;
            channel.send(Wire.hello(router.id(), hello.index(), router.host()));
        } else if (hello.index() != l.index()) {
            throw new Wire.ProtocolException("HELLO for link " + hello.index() + " on link " + l.index());
        }
        peer = hello;
        LOG.info("TCP transport: {} the router of {} ({})", dialedHere ? "connected to" : "connection from",
                hello.host(), channel);
        l.offer(this);
    }

    private void execute(int type, ByteBuffer body, AnswersSettled.Owed settleFirst) {
        boolean more = executor.accept(type, body, settleFirst);
        router.poller().wake(executor);
        if (!more) {
            channel.pauseReading(); // the responders are behind: let TCP hold the sender back
            if (executor.queuedBytes() <= InboundExecutor.MAX_QUEUED_BYTES) {
                channel.resumeReading(); // drained meanwhile: its resume may have come before the pause
            }
        }
    }

    /**
     * A large SEND or RDMA WRITE that comes in with nothing owed to this router's requesters (a WRITE's
     * effect may be seen at once, before any completion) may be read straight into its receive or target, a
     * large READ answer straight into its READ's memory.  A request is placed only when no request waits in this
     * connection's executor: its marker, which ends its session's claim, never queues behind a request that
     * waits for that claim to end.
     */
    @Override
    public FrameDecoder.Placement placement(int type, ByteBuffer start, int length) {
        PeerLink l = link;
        if (peer == null || l == null) {
            return null;
        }
        if (type == Wire.FETCHED) {
            return l.placeAnswer(start, length);
        }
        return type == Wire.REQUEST && answered.none() && executor.noRequestQueued()
                ? placements.placement(start, length) : null;
    }

    @Override
    public void placed(FrameDecoder.Placement placement) {
        if (placement instanceof FetchPlacement answer) {
            answer.connection.placed(answer);
            answered.answered(answer.connection.reports(), answer.psn);
            return;
        }
        executor.placed((RequestPlacement) placement);
        router.poller().wake(executor);
    }

    @Override
    public void partial(int type, ByteBuffer soFar) {
        PeerLink l = link;
        if (l != null && peer != null) {
            l.partial(type, soFar);
        }
    }

    @Override
    public void closed(Exception cause) {
        router.poller().unregister(executor);
        executor.close();
        router.closed(this);
        PeerLink l = link;
        if (l != null) {
            l.lost(this, cause);
        }
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
