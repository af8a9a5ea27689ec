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
 */
public record ContainerView(String name, String tenant, String virtualIp, int lid, String gid,
        String device, String socketPath, int connections, int pds, int mrs, int cqs, int qps) {
}
