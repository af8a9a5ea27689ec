package org.freeflow.router.internal.control;

import org.freeflow.router.api.ContainerIdentity;

import org.freeflow.router.internal.vnic.VirtualNic;

/** What the admin socket may do: attach and detach containers, set their ports (on the control thread). */
public interface ContainerRegistry {

    /**
     * Attaches the container (or returns it when attached already).
     *
     * @throws IllegalArgumentException for a malformed name or tenant
     * @throws IllegalStateException    when the orchestrator refuses it
     */
    VirtualNic attachContainer(String name, String tenant, ContainerIdentity identity);

    /** Detaches it; false when it was not attached. */
    boolean detach(String name);

    /** Takes the container's port down or up; false when it is not attached. */
    boolean setPort(String name, boolean active);
}
