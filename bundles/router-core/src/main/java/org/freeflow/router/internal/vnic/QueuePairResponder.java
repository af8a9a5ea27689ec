package org.freeflow.router.internal.vnic;

import org.freeflow.router.api.transport.Responder;

/** The responder side of one of this router's QPs: its address, which every service reports alike. */
abstract class QueuePairResponder implements Responder {

    final QueuePair qp;

    QueuePairResponder(QueuePair qp) {
        this.qp = qp;
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
