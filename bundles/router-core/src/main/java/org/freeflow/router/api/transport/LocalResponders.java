package org.freeflow.router.api.transport;

import java.util.Optional;

/**
 * The responders of this router's queue pairs, for a transport that carries
 * work requests in from elsewhere (a service of router-core).  A transport
 * calls the responder it finds on a poller thread only (inside a
 * {@code PollTarget} of its own): the memory the responder reads and writes
 * changes between two poller rounds.
 * @since 2.0
 */
public interface LocalResponders {

    /**
     * The responder of this router's QP at {@code destination} (its LID, or
     * GID when the LID is 0, and QPN), whose container's port is up.
     */
    Optional<Responder> responder(Destination destination);
}
