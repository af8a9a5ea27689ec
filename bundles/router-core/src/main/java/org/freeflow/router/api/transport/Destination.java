package org.freeflow.router.api.transport;

/**
 * Where a requester's work requests go: the responder's port address and QP.
 *
 * @param lid the destination LID (0 when addressed by GID only)
 * @param gid the destination GID, 16 bytes, or null when the address vector had no GRH
 * @param qpn the destination queue-pair number
 */
public record Destination(int lid, byte[] gid, int qpn) {
}
