package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

/**
 * The modify-QP table of the IB specification, as Linux applies it to every
 * provider (ib_modify_qp_is_ok): which transitions exist for RC, UC and UD,
 * and which attributes each requires and allows.  Any state but RESET may go
 * to ERR, any state to RESET; nothing else is implied.  The two halves of
 * XRC follow RC's rows without the attributes of the half they lack: an
 * initiator has no responder attributes, a target no requester ones.
 */
final class QpStateMachine {

    private static final int NONE = 0;
    private static final int INVALID = -1;
    private static final int RESPONDER_ATTRIBUTES = QP_MIN_RNR_TIMER | QP_MAX_DEST_RD_ATOMIC;
    private static final int REQUESTER_ATTRIBUTES = QP_RETRY_CNT | QP_RNR_RETRY | QP_MAX_QP_RD_ATOMIC;

    private QpStateMachine() {
    }

    /** The state a modify with {@code mask} moves to: attr.qp_state, or the current one. */
    static int nextState(int current, int mask, int requested) {
        return (mask & QP_STATE) != 0 ? requested : current;
    }

    /** True when the IB table allows {@code current -> next} with exactly the attributes of {@code mask}. */
    static boolean allowed(int type, int current, int next, int mask) {
        if (current < QPS_RESET || current > QPS_ERR || next < QPS_RESET || next > QPS_ERR) {
            return false;
        }
        if ((mask & QP_CUR_STATE) != 0 && current != QPS_RTR && current != QPS_RTS && current != QPS_SQD
                && current != QPS_SQE) {
            return false;
        }
        int row = type == QPT_XRC_SEND || type == QPT_XRC_RECV ? QPT_RC : type;
        int required = required(row, current, next);
        if (required == INVALID) {
            return false;
        }
        int optional = optional(row, current, next);
        int lacking = type == QPT_XRC_SEND ? RESPONDER_ATTRIBUTES : type == QPT_XRC_RECV ? REQUESTER_ATTRIBUTES : NONE;
        required &= ~lacking;
        optional &= ~lacking;
        return (mask & required) == required && (mask & ~(required | optional | QP_STATE)) == 0;
    }

    private static int required(int type, int current, int next) {
        if (next == QPS_RESET) {
            return NONE;
        }
        if (next == QPS_ERR) {
            return current == QPS_RESET ? INVALID : NONE;
        }
        return switch (current) {
            case QPS_RESET -> next == QPS_INIT ? initAttributes(type) : INVALID;
            case QPS_INIT -> switch (next) {
                case QPS_INIT -> NONE;
                case QPS_RTR -> switch (type) {
                    case QPT_RC -> QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN | QP_MAX_DEST_RD_ATOMIC
                            | QP_MIN_RNR_TIMER;
                    case QPT_UC -> QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN;
                    default -> NONE;
                };
                default -> INVALID;
            };
            case QPS_RTR -> next != QPS_RTS ? INVALID
                    : type == QPT_RC ? QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_SQ_PSN | QP_MAX_QP_RD_ATOMIC
                    : QP_SQ_PSN;
            case QPS_RTS -> next == QPS_RTS || next == QPS_SQD ? NONE : INVALID;
            case QPS_SQD -> next == QPS_RTS || next == QPS_SQD ? NONE : INVALID;
            case QPS_SQE -> next == QPS_RTS && type != QPT_RC ? NONE : INVALID;
            default -> INVALID;
        };
    }

    private static int optional(int type, int current, int next) {
        if (next == QPS_RESET || next == QPS_ERR) {
            return NONE;
        }
        boolean rc = type == QPT_RC;
        boolean ud = type == QPT_UD;
        int connected = QP_ALT_PATH | QP_ACCESS_FLAGS | QP_PATH_MIG_STATE;
        return switch (current) {
            case QPS_INIT -> next == QPS_INIT ? initAttributes(type)
                    : ud ? QP_PKEY_INDEX | QP_QKEY : QP_ALT_PATH | QP_ACCESS_FLAGS | QP_PKEY_INDEX;
            case QPS_RTR -> ud ? QP_CUR_STATE | QP_QKEY
                    : QP_CUR_STATE | connected | (rc ? QP_MIN_RNR_TIMER : NONE);
            case QPS_RTS -> next == QPS_SQD ? QP_EN_SQD_ASYNC_NOTIFY
                    : ud ? QP_CUR_STATE | QP_QKEY : QP_CUR_STATE | connected | (rc ? QP_MIN_RNR_TIMER : NONE);
            case QPS_SQD -> next == QPS_RTS
                    ? (ud ? QP_CUR_STATE | QP_QKEY : QP_CUR_STATE | connected | (rc ? QP_MIN_RNR_TIMER : NONE))
                    : sqdToSqd(type);
            case QPS_SQE -> QP_CUR_STATE | (ud ? QP_QKEY : QP_ACCESS_FLAGS);
            default -> NONE;
        };
    }

    private static int initAttributes(int type) {
        return type == QPT_UD ? QP_PKEY_INDEX | QP_PORT | QP_QKEY : QP_PKEY_INDEX | QP_PORT | QP_ACCESS_FLAGS;
    }

    private static int sqdToSqd(int type) {
        return switch (type) {
            case QPT_RC -> QP_PORT | QP_AV | QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_MAX_QP_RD_ATOMIC
                    | QP_MAX_DEST_RD_ATOMIC | QP_ALT_PATH | QP_ACCESS_FLAGS | QP_PKEY_INDEX | QP_MIN_RNR_TIMER
                    | QP_PATH_MIG_STATE;
            case QPT_UC -> QP_AV | QP_ALT_PATH | QP_ACCESS_FLAGS | QP_PKEY_INDEX | QP_PATH_MIG_STATE;
            default -> QP_PKEY_INDEX | QP_QKEY;
        };
    }

    /** The IB name of a state. */
    static String name(int state) {
        return switch (state) {
            case QPS_RESET -> "RESET";
            case QPS_INIT -> "INIT";
            case QPS_RTR -> "RTR";
            case QPS_RTS -> "RTS";
            case QPS_SQD -> "SQD";
            case QPS_SQE -> "SQE";
            case QPS_ERR -> "ERR";
            default -> "UNKNOWN";
        };
    }
}
