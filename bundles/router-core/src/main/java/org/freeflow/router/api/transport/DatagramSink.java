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
     * Returns {@link Outcome#OK}; {@link Outcome#RNR} when no receive was
     * posted and {@link Outcome#BUSY} when the receive CQ is full (nothing
     * happened either way: the datagram is lost, unless the transport that
     * carried it from another router holds it a moment and offers it again
     * once {@link Responder#receivesPosted()} moved); or
     * {@link Outcome#DROPPED} (Q_Key, length, state).  A transport that
     * forwards it returns OK once it took the datagram over (its payload
     * copied out), DROPPED when it cannot.
     */
    Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData, boolean solicited);
}
