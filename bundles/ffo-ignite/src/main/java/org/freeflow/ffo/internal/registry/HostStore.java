package org.freeflow.ffo.internal.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where host rows live (the HOSTS table); no membership logic here. */
public interface HostStore {

    /** All rows, ordered by name. */
    List<HostRow> all();

    Optional<HostRow> byName(String name);

    /** Writes the row, replacing one of the same name. */
    void put(HostRow row);

    /** Sets the state of the host; false when there is no such row. */
    boolean setState(String name, String state);

    /**
     * Moves LAST_SEEN of the host forward to {@code now} while {@code nodeId} holds it (never back);
     * false when another node holds it or there is no row.
     */
    boolean heartbeat(String name, String nodeId, Instant now);
}
