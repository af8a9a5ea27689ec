package org.freeflow.router.internal.testing;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.LoopbackTransport;
import org.freeflow.router.api.transport.Transport;

/**
 * A transport that reaches nothing itself and offers a loopback ({@link Transport#loopback}) that carries
 * work requests as the local transport of the responders it is given does, counting its connections.
 */
public final class LoopbackOffer implements Transport {

    private final boolean offered;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param offered false: no loopback to offer */
    public LoopbackOffer(boolean offered) {
        this.offered = offered;
    }

    /** Connections made through the loopback. */
    public int connections() {
        return connections.get();
    }

    /** True once the loopback was closed. */
    public boolean closed() {
        return closed.get();
    }

    @Override
    public String name() {
        return "offer";
    }

    @Override
    public int priority() {
        return 5;
    }

    @Override
    public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
        return Optional.empty();
    }

    @Override
    public Optional<DatagramSink> datagrams(Destination destination) {
        return Optional.empty();
    }

    @Override
    public Optional<LoopbackTransport> loopback(LocalResponders responders) {
        // the router hands its fabric's local transport as the responders: it carries the work requests too
        return offered ? Optional.of(new Loopback((Transport) responders)) : Optional.empty();
    }

    private final class Loopback implements LoopbackTransport {
        private final Transport local;

        Loopback(Transport local) {
            this.local = local;
        }

        @Override
        public String name() {
            return LoopbackOffer.this.name();
        }

        @Override
        public int priority() {
            return LoopbackOffer.this.priority();
        }

        @Override
        public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
            Optional<Connection> c = local.connect(responder, requester, acks);
            c.ifPresent(made -> connections.incrementAndGet());
            return c;
        }

        @Override
        public Optional<DatagramSink> datagrams(Destination destination) {
            return local.datagrams(destination);
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
