package org.freeflow.router.internal.vnic;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Transport;

/**
 * The transports a requester may use: the local one first, then those other
 * bundles register, by priority.  Read on the poller thread without locks.
 */
public final class TransportRegistry {

    private final Transport local;
    private volatile Transport[] others = new Transport[0];

    public TransportRegistry(Transport local) {
        this.local = local;
    }

    public synchronized void add(Transport transport) {
        Transport[] more = Arrays.copyOf(others, others.length + 1);
        more[others.length] = transport;
        Arrays.sort(more, Comparator.comparingInt(Transport::priority));
        others = more;
    }

    public synchronized void remove(Transport transport) {
        others = Arrays.stream(others).filter(t -> t != transport).toArray(Transport[]::new);
    }

    /**
     * A connection from {@code requester} to {@code responder} through the
     * first transport that reaches it, or null.
     */
    Connection connect(Destination responder, Destination requester, Acknowledgements acks) {
        Optional<Connection> found = local.connect(responder, requester, acks);
        Transport[] more = others;
        for (int i = 0; found.isEmpty() && i < more.length; i++) {
            found = more[i].connect(responder, requester, acks);
        }
        return found.orElse(null);
    }

    /** Where datagrams to {@code destination} go, through the first transport that reaches it, or null. */
    DatagramSink datagrams(Destination destination) {
        Optional<DatagramSink> found = local.datagrams(destination);
        Transport[] more = others;
        for (int i = 0; found.isEmpty() && i < more.length; i++) {
            found = more[i].datagrams(destination);
        }
        return found.orElse(null);
    }
}
