package org.freeflow.transport.tcp.internal;

import java.util.concurrent.CompletableFuture;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.transport.tcp.internal.Destinations.Place;

/**
 * Where the router of a destination is: found in the orchestrator's tables ({@link Destinations}), or the one
 * peer of a loopback endpoint ({@link #only}).
 */
interface Places extends AutoCloseable {

    /** Where {@code destination} lives: at once when known, else once looked up (never on the caller). */
    CompletableFuture<Place> resolve(Destination destination);

    /** The place known now, or null (never blocks). */
    Place cached(Destination destination);

    @Override
    void close();

    /** Every destination at {@code place}. */
    static Places only(Place place) {
        CompletableFuture<Place> found = CompletableFuture.completedFuture(place);
        return new Places() {
            @Override
            public CompletableFuture<Place> resolve(Destination destination) {
                return found;
            }

            @Override
            public Place cached(Destination destination) {
                return place;
            }

            @Override
            public void close() {
            }
        };
    }
}
