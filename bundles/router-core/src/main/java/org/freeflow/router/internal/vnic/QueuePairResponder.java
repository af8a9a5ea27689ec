package org.freeflow.router.internal.vnic;

import org.freeflow.router.api.transport.Responder;

/** The responder side of one of this router's QPs: its address, which every service reports alike. */
abstract class QueuePairResponder implements Responder {

    final QueuePair qp;
    /** The QP's receive side: the lock every delivery holds, the QP's XRC SRQs. */
    final ReceiveSide receiveSide;
    /** The QP's state: whether it takes messages, and ERR on a fault of its side. */
    final QpState state;

    QueuePairResponder(QueuePair qp, ReceiveSide receiveSide, QpState state) {
        this.qp = qp;
        this.receiveSide = receiveSide;
        this.state = state;
    }

    @Override
    public final int qpn() {
        return qp.qpn;
    }

    @Override
    public final int lid() {
        return qp.vnic.lid();
    }
}
