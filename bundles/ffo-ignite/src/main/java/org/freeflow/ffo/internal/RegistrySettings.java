package org.freeflow.ffo.internal;

import java.time.Duration;

import org.freeflow.ffo.internal.alloc.Ipv4Network;

/**
 * How this router's orchestrator keeps the registry: the virtual network it
 * allocates from, how often it beats, how long a detached container's addresses
 * stay reserved for it.
 *
 * @param network           the IPAM pool of container virtual IPs
 * @param heartbeatMillis   period of LAST_SEEN writes and of the oldest server's reconciliation
 * @param reservationWindow how long a detached container's addresses are held; zero frees them at detach
 */
record RegistrySettings(Ipv4Network network, long heartbeatMillis, Duration reservationWindow) {

    RegistrySettings {
        if (heartbeatMillis <= 0) {
            throw new IllegalArgumentException("heartbeat period must be positive: " + heartbeatMillis);
        }
    }
}
