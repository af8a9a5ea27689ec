package org.freeflow.router.api.transport;

import java.util.Optional;

/**
 * A way to reach responder queue pairs.  The router asks its transports in
 * order of {@link #priority()} (lowest first) and uses the first that resolves
 * the destination.  Implementations must be thread-safe.
 */
public interface Transport {

    /** Short name, e.g. "local" or "tcp". */
    String name();

    /** Lower is asked first; "local" is 0. */
    int priority();

    /** The responder at {@code destination}, if this transport reaches it. */
    Optional<Responder> resolve(Destination destination);
}
