package org.freeflow.router.api;

/** Write side of the router: attaching and detaching containers, taking their ports down and up. */
public interface VirtualNicAdminService {

    /**
     * Registers the container with the orchestrator, creates its virtual NIC
     * and opens its socket, which admits only the processes of
     * {@code identity} (every other connection is refused with EACCES and
     * logged).  Adding a container that is already attached with the same
     * identity returns it unchanged.
     *
     * @throws IllegalArgumentException for a malformed name
     * @throws IllegalStateException    when the orchestrator refuses it, or
     *                                  the container is attached with another identity
     * @since 2.0
     */
    ContainerView attach(String name, String tenant, ContainerIdentity identity);

    /**
     * Closes the container's socket and connections, frees everything its
     * virtual NIC held and unregisters it.  Returns false when it was not attached.
     */
    boolean detach(String name);

    /**
     * Takes the container's virtual port down ({@code active} false) or
     * brings it up again, e.g. around maintenance or a migration.  Down: every
     * open verbs context of the container gets IBV_EVENT_PORT_ERR,
     * ibv_query_port reports IBV_PORT_DOWN, and no message leaves or reaches
     * its queue pairs (RC requesters on either side retry, then fail with
     * IBV_WC_RETRY_EXC_ERR, as with a dead peer).  Up: IBV_EVENT_PORT_ACTIVE
     * and traffic again.  Setting the state the port already has changes
     * nothing.
     *
     * @return the container's view after the change
     * @throws java.util.NoSuchElementException when the container is not attached
     * @since 1.1
     */
    ContainerView setPortActive(String name, boolean active);
}
