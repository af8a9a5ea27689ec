package org.freeflow.router.api;

/** Write side of the router: attaching and detaching containers. */
public interface VirtualNicAdminService {

    /**
     * Registers the container with the orchestrator, creates its virtual NIC
     * and opens its socket.  Adding a container that is already attached
     * returns it unchanged.
     *
     * @throws IllegalArgumentException for a malformed name
     * @throws IllegalStateException    when the orchestrator refuses it
     */
    ContainerView attach(String name, String tenant);

    /**
     * Closes the container's socket and connections, frees everything its
     * virtual NIC held and unregisters it.  Returns false when it was not attached.
     */
    boolean detach(String name);
}
