package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.QPS_RESET;
import static org.freeflow.fastpath.api.Verbs.QPS_RTR;
import static org.freeflow.fastpath.api.Verbs.QPS_RTS;
import static org.freeflow.fastpath.api.Verbs.QPS_SQD;
import static org.freeflow.fastpath.api.Verbs.QP_AV;
import static org.freeflow.fastpath.api.Verbs.QP_CUR_STATE;
import static org.freeflow.fastpath.api.Verbs.QP_DEST_QPN;

import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.Errno;

/**
 * ibv_modify_qp: checks the transition and its attribute mask against the IB
 * table and the values against the device, then applies them.  Runs on the
 * poller thread, so the data path sees the QP change between two rounds.
 */
final class QpTransitions {

    private QpTransitions() {
    }

    static void modify(QueuePair qp, int mask, QpAttributes update, PollerService poller) {
        int current = qp.state();
        if ((mask & QP_CUR_STATE) != 0 && update.currentState != current) {
            throw new VerbsException(Errno.EINVAL, "cur_qp_state " + QpStateMachine.name(update.currentState)
                    + " but the QP is " + QpStateMachine.name(current));
        }
        int next = QpStateMachine.nextState(current, mask, update.requestedState);
        if (!QpStateMachine.allowed(qp.type, current, next, mask)) {
            throw new VerbsException(Errno.EINVAL, QpStateMachine.name(current) + " -> " + QpStateMachine.name(next)
                    + " with attr_mask 0x" + Integer.toHexString(mask) + " is not a valid transition");
        }
        QpAttributes candidate = qp.attrs().with(update, mask);
        String invalid = candidate.invalidValue(mask);
        if (invalid != null) {
            throw new VerbsException(Errno.EINVAL, "unsupported " + invalid);
        }
        if (next == QPS_RESET) {
            if (current != QPS_RESET && qp.polled()) {
                poller.unregister(qp);
            }
            qp.reset();
            return;
        }
        qp.configure(candidate, (mask & (QP_AV | QP_DEST_QPN)) != 0);
        if (current == QPS_RESET && qp.polled()) {
            poller.register(qp);
        }
        if (current == QPS_RTS && next == QPS_SQD) {
            qp.drain(update.notifySqDrained);
        } else if (next != current) {
            qp.setState(next);
            if (next == QPS_RTR || next == QPS_RTS) {
                poller.expectWork(); // its application posts as soon as its peer knows it
            }
        }
    }
}
