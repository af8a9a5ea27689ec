package org.freeflow.router.api;

/**
 * A container attached to this router, with its virtual NIC.
 *
 * @param name        container name
 * @param tenant      tenant
 * @param virtualIp   virtual IPv4 address
 * @param lid         LID of the virtual port
 * @param gid         GID index 0 (IPv6 text form)
 * @param device      verbs device name the container sees
 * @param socketPath  the Unix socket the container's FFL talks to
 * @param connections open verbs contexts (FFL connections)
 * @param pds         protection domains
 * @param mrs         memory regions
 * @param cqs         completion queues
 * @param qps         queue pairs
 * @param port        the virtual port's state, {@link #PORT_ACTIVE} or {@link #PORT_DOWN}
 *                    (since 1.1)
 * @param admits      who the container's socket admits ({@link ContainerIdentity}), "" when
 *                    unknown (since 2.0)
 * @param refused     connections its socket refused: their peer was not of the container
 *                    (since 2.0)
 */
public record ContainerView(String name, String tenant, String virtualIp, int lid, String gid,
        String device, String socketPath, int connections, int pds, int mrs, int cqs, int qps, String port,
        String admits, long refused) {

    /** The port passes traffic. @since 1.1 */
    public static final String PORT_ACTIVE = "ACTIVE";
    /** An operator took the port down. @since 1.1 */
    public static final String PORT_DOWN = "DOWN";

    /** A container whose port is active (the 1.0 constructor). */
    public ContainerView(String name, String tenant, String virtualIp, int lid, String gid, String device,
            String socketPath, int connections, int pds, int mrs, int cqs, int qps) {
        this(name, tenant, virtualIp, lid, gid, device, socketPath, connections, pds, mrs, cqs, qps, PORT_ACTIVE);
    }

    /** The 1.1 constructor: who the socket admits unknown, nothing refused. */
    public ContainerView(String name, String tenant, String virtualIp, int lid, String gid, String device,
            String socketPath, int connections, int pds, int mrs, int cqs, int qps, String port) {
        this(name, tenant, virtualIp, lid, gid, device, socketPath, connections, pds, mrs, cqs, qps, port, "", 0);
    }

    /** This view with who the socket admits and how many connections it refused. */
    public ContainerView withAccess(String admitted, long refusedConnections) {
        return new ContainerView(name, tenant, virtualIp, lid, gid, device, socketPath, connections, pds, mrs, cqs,
                qps, port, admitted, refusedConnections);
    }
}
