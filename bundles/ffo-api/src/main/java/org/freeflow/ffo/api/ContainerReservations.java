package org.freeflow.ffo.api;

import java.time.Instant;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The addresses of detached containers, held so that a container started again
 * under its name, on any host, keeps its virtual IP, LID and GID (offline
 * migration).  A detach reserves them for the orchestrator's configured window;
 * an operator can hold them longer, until released, or free them at once.
 *
 * @since 2.0
 */
@ProviderType
public interface ContainerReservations {

    /**
     * A detached container and until when its addresses are held.
     *
     * @param container its row, state {@link ContainerRecord#RESERVED}, host where it ran last
     * @param until     when the reservation ends; null while it lasts until released
     */
    record Reservation(ContainerRecord container, Instant until) {
    }

    /** Every reservation, ordered by container name. */
    List<Reservation> reservations();

    /**
     * Holds the addresses of the detached container {@code name} until
     * {@code until}, or until released when it is null.
     *
     * @throws IllegalArgumentException for a malformed name or an {@code until} in the past
     * @throws IllegalStateException    when the container is not reserved (unknown, or attached)
     */
    Reservation reserve(String name, Instant until);

    /**
     * Frees the addresses of the detached container {@code name} now.
     *
     * @return false when it had no reservation (unknown, or attached: nothing changes)
     */
    boolean release(String name);
}
