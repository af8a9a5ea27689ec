package org.freeflow.router.internal.vnic;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Responder;
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

    /** The first responder a transport finds at {@code destination}, or null. */
    Responder resolve(Destination destination) {
        Optional<Responder> found = local.resolve(destination);
        if (found.isPresent()) {
            return found.get();
        }
        for (Transport transport : others) {
            found = transport.resolve(destination);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return null;
    }
}
