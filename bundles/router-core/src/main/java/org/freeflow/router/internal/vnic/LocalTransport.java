package org.freeflow.router.internal.vnic;

import java.util.Arrays;
import java.util.Optional;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.DatagramSink;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Responder;
import org.freeflow.router.api.transport.Transport;

/**
 * Responders on this router: the destination QPN is one of ours, its
 * container has the destination LID (or, addressed by GID only, that GID)
 * and its port is up (a container whose port is down is unreachable; its
 * responders also refuse requesters that resolved them before).
 * Work requests then run synchronously on the poller thread
 * ({@link LocalConnection}); datagrams go straight to the UD QP's responder.
 */
public final class LocalTransport implements Transport, LocalResponders {

    private final QpDirectory directory;

    public LocalTransport(QpDirectory directory) {
        this.directory = directory;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<Connection> connect(Destination responder, Destination requester, Acknowledgements acks) {
        return find(responder).map(found -> new LocalConnection(found, requester));
    }

    @Override
    public Optional<DatagramSink> datagrams(Destination destination) {
        return find(destination).map(found -> found);
    }

    @Override
    public Optional<Responder> responder(Destination destination) {
        return find(destination);
    }

    private Optional<Responder> find(Destination destination) {
        QueuePair qp = directory.get(destination.qpn());
        if (qp == null || qp.destroyed() || !qp.vnic.portActive()) {
            return Optional.empty();
        }
        boolean addressed = destination.lid() != 0 ? qp.vnic.lid() == destination.lid()
                : destination.gid() != null && Arrays.equals(destination.gid(), qp.vnic.gid());
        return addressed ? Optional.ofNullable(qp.receive().responder()) : Optional.empty();
    }
}
