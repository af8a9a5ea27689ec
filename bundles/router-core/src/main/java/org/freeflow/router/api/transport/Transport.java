package org.freeflow.router.api.transport;

import java.util.Optional;

/**
 * A way to reach responder queue pairs.  The router asks its transports in
 * order of {@link #priority()} (lowest first) and uses the first that reaches
 * the destination.  Implementations must be thread-safe.
 */
public interface Transport {

    /** Short name, e.g. "local" or "tcp". */
    String name();

    /** Lower is asked first; "local" is 0. */
    int priority();

    /**
     * A connection from the connected (RC, UC, XRC) QP {@code requester} to
     * the responder at {@code responder}, if this transport reaches it;
     * {@code acks} is where it reports outcomes it answered
     * {@link Outcome#PENDING} (a transport that answers every work request at
     * once never calls it).
     * @since 2.0
     */
    Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks);

    /**
     * Where UD datagrams to {@code destination} go, if this transport reaches it.
     * @since 2.0
     */
    Optional<DatagramSink> datagrams(Destination destination);

    /**
     * A second pair of endpoints of this transport in this process, which reaches {@code responders} along
     * the path work requests take between routers (for tcp: a connection over the loopback interface, its
     * frames, flow control and the router's pollers): the router runs its data-path self-test through it, so
     * that the path is compiled and checked before containers use it.  Empty (the default) when this
     * transport has none to offer.
     * @since 2.7
     */
    default Optional<LoopbackTransport> loopback(LocalResponders responders) {
        return Optional.empty();
    }
}
