package org.freeflow.ffo.api;

/**
 * A container as the cluster knows it (one row of the CONTAINERS table).
 *
 * @param name         unique container name (DNS-label-like)
 * @param tenant       owning tenant ("default" when none was given)
 * @param host         name of the host whose router serves the container
 * @param virtualIp    the container's virtual IPv4 address, dotted quad
 * @param prefixLength prefix length of the virtual network
 * @param lid          the container's InfiniBand LID (unicast, 1..0xBFFF)
 * @param gid          GID index 0, 16 bytes, printed as IPv6 (fe80::...)
 * @param state        {@link #RUNNING}; {@link #LOST} while its router's node is out of the cluster;
 *                     {@link #RESERVED} once detached, while its addresses wait for it
 */
public record ContainerRecord(String name, String tenant, String host, String virtualIp,
        int prefixLength, int lid, String gid, String state) {

    /**
     * Served by a router in the cluster.
     *
     * @since 1.1
     */
    public static final String RUNNING = "RUNNING";
    /**
     * Its router's node left the cluster; it keeps its addresses until that
     * router comes back and re-claims or removes it.
     *
     * @since 1.1
     */
    public static final String LOST = "LOST";
    /**
     * Detached; its virtual IP, LID and GID are held for it (on any host) until
     * its reservation ends, and {@code host} is where it ran last.
     *
     * @since 2.0
     */
    public static final String RESERVED = "RESERVED";

    /**
     * The same container in {@code newState}.
     *
     * @since 1.1
     */
    public ContainerRecord withState(String newState) {
        return new ContainerRecord(name, tenant, host, virtualIp, prefixLength, lid, gid, newState);
    }

    /**
     * The same container, with its addresses, served by {@code newHost}.
     *
     * @since 2.0
     */
    public ContainerRecord withHost(String newHost) {
        return new ContainerRecord(name, tenant, newHost, virtualIp, prefixLength, lid, gid, state);
    }
}
