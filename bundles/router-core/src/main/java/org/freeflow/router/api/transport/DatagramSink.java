package org.freeflow.router.api.transport;

/**
 * Where UD datagrams to one destination QP go.  Thread-safe: requesters on
 * several pollers may send at once.
 * @since 2.0
 */
public interface DatagramSink {

    /**
     * UD SEND (with the immediate when {@code withImm}): delivers one datagram
     * into the responder's next receive, its first 40 bytes the GRH area (the
     * GRH itself when {@link Datagram#grh()} has one), then {@code payload}.
     * Returns {@link Outcome#OK}, {@link Outcome#BUSY} (receive CQ full,
     * nothing happened) or {@link Outcome#DROPPED}; a transport that
     * forwards it returns OK once it took the datagram over (its payload
     * copied out).
     */
    Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData, boolean solicited);
}
