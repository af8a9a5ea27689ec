package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import org.freeflow.router.api.transport.Outcome;

/**
 * The transport service of a QP: what differs between RC and UC (IB spec,
 * chapter 9) once the QP runs.  The requester and the responder are the same
 * code for both and ask this policy at the three places where the services
 * part: which work requests exist, what the requester learns of the
 * responder, and whether a message the responder cannot take faults its QP.
 * UD, the one datagram service, has its own requester and responder
 * ({@link UdRequester}, {@link UdResponder}), which follow the same policy.
 * XRC splits an RC connection into an initiator that only sends and a
 * target that only responds.  (The modify-QP masks, which differ too, are
 * the IB table's business: {@link QpStateMachine}.)
 */
enum ConnectedService {

    /**
     * Reliable connected: every work request is acknowledged; RNR and an
     * unreachable responder are retried; a remote error completes the
     * requester in error and moves the responder QP to ERR.
     */
    RC(QPT_RC, true) {
        @Override
        boolean supports(int wrOpcode) {
            return RcRequester.completionOpcode(wrOpcode) >= 0;
        }
    },

    /**
     * Unreliable connected: SEND and RDMA WRITE (with or without immediate)
     * only; no acknowledgements, so no retries and no RNR: a message is done
     * for the requester once it left, whatever became of it.  The responder
     * drops a message it cannot take (no receive posted, bad rkey or
     * access, too long) and stays in its state; a receive that a message too
     * long for it consumed completes with IBV_WC_LOC_LEN_ERR.
     */
    UC(QPT_UC, false) {
        @Override
        boolean supports(int wrOpcode) {
            return wrOpcode == WR_SEND || wrOpcode == WR_SEND_WITH_IMM || wrOpcode == WR_RDMA_WRITE
                    || wrOpcode == WR_RDMA_WRITE_WITH_IMM;
        }
    },

    /**
     * Unreliable datagram: SEND (with or without immediate) to any UD QP
     * named per work request; no acknowledgements, so a datagram is done for
     * the requester once it left; the responder drops what it cannot take.
     */
    UD(QPT_UD, false) {
        @Override
        boolean supports(int wrOpcode) {
            return wrOpcode == WR_SEND || wrOpcode == WR_SEND_WITH_IMM;
        }
    },

    /**
     * XRC initiator (IBV_QPT_XRC_SEND): a reliable connected requester
     * without receives, whose every work request names an SRQ of its
     * target's XRC domain; otherwise as RC.
     */
    XRC_INI(QPT_XRC_SEND, true) {
        @Override
        boolean supports(int wrOpcode) {
            return RC.supports(wrOpcode);
        }
    },

    /**
     * XRC target (IBV_QPT_XRC_RECV): the reliable connected responder of one
     * initiator, delivering into the SRQs of its XRC domain; it sends
     * nothing.
     */
    XRC_TGT(QPT_XRC_RECV, true) {
        @Override
        boolean supports(int wrOpcode) {
            return false;
        }
    };

    /** enum ibv_qp_type. */
    final int qpType;
    /** Acknowledged: the requester learns what became of each message. */
    private final boolean reliable;

    ConnectedService(int qpType, boolean reliable) {
        this.qpType = qpType;
        this.reliable = reliable;
    }

    /** The service of {@code qpType}, or null when it is not a service FreeFlow runs. */
    static ConnectedService of(int qpType) {
        for (ConnectedService s : values()) {
            if (s.qpType == qpType) {
                return s;
            }
        }
        return null;
    }

    /** True when a QP of this service executes work requests with {@code wrOpcode}. */
    abstract boolean supports(int wrOpcode);

    /**
     * What the requester acts on when the responder answered {@code outcome}:
     * a reliable service sees it all; an unreliable one always
     * {@link Outcome#OK} (the message left; a receiver that could not take
     * it, its CQ full included, drops it, and no receiver holds up a sender).
     */
    Outcome seenByRequester(Outcome outcome) {
        return reliable ? outcome : Outcome.OK;
    }

    /** False for UC and UD: what the responder cannot take is dropped. */
    boolean reliable() {
        return reliable;
    }

    /**
     * True when a message the responder refuses (rkey, access, bounds,
     * length) moves the responder QP to ERR (reliable services); false when
     * it is dropped.  Faults of the responder's own making (a receive with a
     * bad lkey, a corrupt ring) move it to ERR under every service.
     */
    boolean faultsOnInvalidMessage() {
        return reliable;
    }
}
