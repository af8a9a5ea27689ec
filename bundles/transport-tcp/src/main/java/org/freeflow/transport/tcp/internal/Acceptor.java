package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport's listening socket: every connection another router
 * dials becomes a {@link LinkChannel} of this router, which serves the link
 * its HELLO names.
 */
final class Acceptor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private final ServerSocketChannel server;
    private final LocalRouter router;
    private final Thread thread;
    private volatile boolean running = true;

    Acceptor(InetSocketAddress bind, LocalRouter router) throws IOException {
        this.server = ServerSocketChannel.open();
        server.socket().setReuseAddress(true);
        server.bind(bind);
        this.router = router;
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
                try {
                    new LinkChannel(router, socket, "from-" + socket.getRemoteAddress(), null).start();
                } catch (IOException | RuntimeException e) {
                    socket.close();
                    LOG.warn("TCP transport: cannot serve a connection: {}", e.toString());
                }
            } catch (IOException e) {
                if (running) {
                    LOG.warn("TCP transport: accept failed: {}", e.toString());
                }
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
    }
}
