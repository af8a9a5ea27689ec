package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.router.api.transport.LocalResponders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport's listening socket: every router that dials in gets an
 * {@link InboundExecutor} registered with the pollers, fed by the
 * connection's I/O thread, which stops reading that connection while the
 * executor has too much queued (its answers still go out meanwhile).  Only
 * the frame types a dialing router sends are accepted; anything else
 * closes that connection (and only that one).
 */
final class Acceptor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private final ServerSocketChannel server;
    private final LocalResponders responders;
    private final PollerService poller;
    private final Set<FrameChannel> accepted = ConcurrentHashMap.newKeySet();
    /** Every requester connection's session, whichever TCP connection its requests come on. */
    private final Map<Long, ResponderSession> sessions = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    Acceptor(InetSocketAddress bind, LocalResponders responders, PollerService poller) throws IOException {
        this.server = ServerSocketChannel.open();
        server.socket().setReuseAddress(true);
        server.bind(bind);
        this.responders = responders;
        this.poller = poller;
        this.thread = new Thread(this::acceptLoop, "freeflow-tcp-accept");
        thread.setDaemon(true);
        thread.start();
    }

    /** The port it listens on (the configured one, or the one the system chose for 0). */
    int port() {
        return server.socket().getLocalPort();
    }

    private void acceptLoop() {
        while (running) {
            try {
                SocketChannel socket = server.accept();
                serve(socket);
            } catch (IOException e) {
                if (running) {
                    LOG.warn("TCP transport: accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel socket) throws IOException {
        String peer = String.valueOf(socket.getRemoteAddress());
        Inbound in = new Inbound(peer);
        FrameChannel channel = new FrameChannel(socket, "from-" + peer, in);
        in.attach(channel);
        accepted.add(channel);
        poller.register(in.executor);
        channel.start();
    }

    /** One accepted connection: its frames into the executor, its answers back. */
    private final class Inbound implements FrameChannel.Handler {
        private final String peer;
        private FrameChannel channel;
        private InboundExecutor executor;
        private String peerHost = "?";

        Inbound(String peer) {
            this.peer = peer;
        }

        void attach(FrameChannel c) {
            channel = c;
            executor = new InboundExecutor(responders, sessions, c::queue, c::flush, c::queuedBytes, c::resumeReading);
        }

        @Override
        public void frame(int type, ByteBuffer body) throws Wire.ProtocolException {
            switch (type) {
                case Wire.HELLO -> hello(body);
                case Wire.REQUEST -> Requests.check(body);
                case Wire.DATAGRAM -> {
                    if (body.remaining() < Wire.DATAGRAM_FIXED) {
                        throw new Wire.ProtocolException("DATAGRAM of " + body.remaining() + " bytes");
                    }
                }
                case Wire.CLOSE -> {
                    if (body.remaining() != Wire.CLOSE_BODY) {
                        throw new Wire.ProtocolException("CLOSE of " + body.remaining() + " bytes");
                    }
                }
                default -> throw new Wire.ProtocolException("unexpected frame type " + type);
            }
            if (type == Wire.HELLO) {
                return;
            }
            boolean more = executor.accept(type, body);
            poller.wake(executor);
            if (!more) {
                channel.pauseReading(); // the responders are behind: let TCP hold the sender back
                if (executor.queuedBytes() <= InboundExecutor.MAX_QUEUED_BYTES) {
                    channel.resumeReading(); // drained meanwhile: its resume may have come before the pause
                }
            }
        }

        private void hello(ByteBuffer body) throws Wire.ProtocolException {
            int n = body.remaining() >= 2 ? body.getShort(body.position()) & 0xffff : -1;
            if (n < 0 || n != body.remaining() - 2) {
                throw new Wire.ProtocolException("bad HELLO");
            }
            peerHost = new String(body.array(), body.arrayOffset() + body.position() + 2, n, StandardCharsets.UTF_8);
            LOG.info("TCP transport: router of {} connected from {}", peerHost, peer);
        }

        @Override
        public void closed(Exception cause) {
            accepted.remove(channel);
            poller.unregister(executor);
            if (running) {
                LOG.info("TCP transport: connection from {} ({}) closed{}", peerHost, peer,
                        cause == null ? "" : ": " + cause);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket", e);
        }
        for (FrameChannel c : accepted) {
            c.close();
        }
    }
}
