package org.freeflow.router.api.transport;

import java.nio.ByteBuffer;

/**
 * What a UD datagram carries besides its payload: the sender's address, the
 * Q_Key it was sent with, its service level and its global route header.  A
 * view the requester reuses: transports read it during
 * {@link Responder#sendDatagram} and never keep it.
 * @since 1.4
 */
public interface Datagram {

    /** Bytes of the GRH area at the start of every UD receive buffer. */
    int GRH_BYTES = 40;

    /** The sending QP: its LID, GID and QPN. */
    Destination source();

    /** The Q_Key of the datagram (the sender's QP's own when its work request asked for that). */
    int qkey();

    /** Service level, 0..15. */
    int serviceLevel();

    /**
     * The GRH (IBA 8.3, the layout of an IPv6 header: version, traffic class,
     * flow label, payload length, next header 0x1B, hop limit, source and
     * destination GID) in positions 0..39, or null when the sender's address
     * handle was not global.
     */
    ByteBuffer grh();
}
