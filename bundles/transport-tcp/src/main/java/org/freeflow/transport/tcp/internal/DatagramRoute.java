package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;

/**
 * Where a UD requester's datagrams to one remote destination go.  Until
 * the destination's router is known, up to {@link #WAITING} datagrams wait
 * here (a datagram beyond that, or to a destination no router serves, is
 * lost, as UD allows); then they go, in order, on the link to that router.
 * The destination is looked up again every {@link #REFRESH_NANOS} while
 * datagrams go to it (a container that moved, one that appeared), in the
 * background: no datagram waits for that.
 */
final class DatagramRoute implements DatagramSink {

    static final int WAITING = 4096;
    static final long REFRESH_NANOS = 1_000_000_000L;

    private final Destination destination;
    private final Function<Destination, CompletableFuture<Destinations.Place>> lookup;
    private final Function<Destinations.Place, PeerLink> links;
    private volatile long refreshAt;
    private final ArrayDeque<ByteBuffer> waiting = new ArrayDeque<>();
    private volatile PeerLink link;
    private volatile boolean nowhere;

    /**
     * @param lookup where a destination lives (at once when known)
     * @param links  the link to a place's router
     */
    DatagramRoute(Destination destination, Function<Destination, CompletableFuture<Destinations.Place>> lookup,
            Function<Destinations.Place, PeerLink> links) {
        this.destination = destination;
        this.lookup = lookup;
        this.links = links;
        refresh(System.nanoTime());
    }

    private void refresh(long now) {
        refreshAt = now + REFRESH_NANOS;
        lookup.apply(destination).whenComplete((place, error) -> resolved(place));
    }

    /** A lookup ended: {@code place}'s router, or nowhere. */
    private void resolved(Destinations.Place place) {
        synchronized (this) {
            if (place == null || !place.remote()) {
                nowhere = true;
                link = null;
                waiting.clear();
                return;
            }
            PeerLink l = links.apply(place);
            l.keepConnected();
            while (!waiting.isEmpty()) {
                l.transmitUnreliable(waiting.poll());
            }
            nowhere = false;
            link = l;
        }
    }

    /** True once the lookup found no router for the destination. */
    boolean nowhere() {
        return nowhere;
    }

    @Override
    public Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData,
            boolean solicited) {
        long now = System.nanoTime();
        if (now - refreshAt > 0) {
            refresh(now);
        }
        if (nowhere) {
            return Outcome.DROPPED;
        }
        ByteBuffer frame = Datagrams.encode(destination, payload, datagram, withImm, immData, solicited);
        PeerLink l = link;
        if (l == null) {
            synchronized (this) {
                l = link;
                if (l == null) {
                    if (nowhere || waiting.size() >= WAITING) {
                        return Outcome.DROPPED;
                    }
                    waiting.add(frame);
                    return Outcome.OK;
                }
            }
        }
        return l.transmitUnreliable(frame) ? Outcome.OK : Outcome.DROPPED; // lost later if the link goes down
    }
}
