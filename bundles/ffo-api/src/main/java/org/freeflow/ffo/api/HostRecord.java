package org.freeflow.ffo.api;

import java.time.Instant;

/**
 * A router of the cluster (one row of the HOSTS table).
 *
 * @param name          the host's name, as its router is configured ({@code hostName})
 * @param address       the router's management address (its orchestrator node's)
 * @param routerVersion the router's version
 * @param state         {@link #RUNNING}, or {@link #LOST} once its node left the cluster
 * @param joined        when this router last registered (its start)
 * @param lastSeen      the router's last heartbeat into the table
 * @since 1.1
 */
public record HostRecord(String name, String address, String routerVersion, String state, Instant joined,
        Instant lastSeen) {

    /** A router whose node is in the cluster. */
    public static final String RUNNING = "RUNNING";
    /** A router whose node left the cluster (stopped, crashed or cut off). */
    public static final String LOST = "LOST";
}
