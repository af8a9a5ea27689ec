package org.freeflow.transport.tcp.internal;

import java.util.Optional;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LoopbackTransport;

/**
 * Two endpoints of the tcp transport in this process ({@link TcpTransport#loopback}): one that requests,
 * whose every destination is the other, which listens on an ephemeral port of the loopback interface and
 * executes on the responders it was given.  Work requests take the whole path between two routers: frames,
 * the socket, flow control, placement, the pollers.
 */
final class TcpLoopback implements LoopbackTransport {

    private final TcpTransport requesting;
    private final TcpTransport responding;

    TcpLoopback(TcpTransport requesting, TcpTransport responding) {
        this.requesting = requesting;
        this.responding = responding;
    }

    @Override
    public String name() {
        return requesting.name();
    }

    @Override
    public int priority() {
        return requesting.priority();
    }

    @Override
    public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
        return requesting.connect(responder, requester, acks);
    }

    @Override
    public Optional<DatagramSink> datagrams(Destination destination) {
        return requesting.datagrams(destination);
    }

    /** The port the responding endpoint listens on (tests). */
    int respondingPort() {
        return responding.port();
    }

    @Override
    public void close() {
        requesting.close();
        responding.close();
    }
}
