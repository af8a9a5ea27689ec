package org.freeflow.router.internal.loopback;

import static org.freeflow.fastpath.api.Verbs.*;

import org.freeflow.router.internal.vnic.VerbsContext;

/**
 * Takes a QP from RESET to RTS through ibv_modify_qp as applications do:
 * the attribute masks and values of perftest (RC, UC) and ibv_ud_pingpong
 * (UD).
 */
public final class QpBringUp {

    /** Every remote and local access flag. */
    public static final int ALL_ACCESS = ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ
            | ACCESS_REMOTE_ATOMIC;
    public static final int INIT_MASK = QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_ACCESS_FLAGS;
    public static final int RTR_MASK = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN
            | QP_MAX_DEST_RD_ATOMIC | QP_MIN_RNR_TIMER;
    public static final int RTS_MASK = QP_STATE | QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_SQ_PSN
            | QP_MAX_QP_RD_ATOMIC;
    /** What ibv_uc_pingpong and perftest -c UC pass: no RNR, retry or rd_atomic attributes. */
    public static final int UC_RTR_MASK = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN;
    public static final int UC_RTS_MASK = QP_STATE | QP_SQ_PSN;
    public static final int UD_INIT_MASK = QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_QKEY;

    private QpBringUp() {
    }

    /** RESET to INIT on port 1 granting {@code access}. */
    public static void toInit(VerbsContext ctx, int qpHandle, int access) {
        ctx.modifyQp(qpHandle, INIT_MASK, new AttrBuilder().state(QPS_INIT).port(1).access(access).build(INIT_MASK));
    }

    /** INIT to RTR towards QP {@code peerQpn} at {@code peerLid}, MTU 4096, 16 incoming reads. */
    public static void toRtr(VerbsContext ctx, int qpHandle, int peerLid, int peerQpn, int minRnrTimer) {
        ctx.modifyQp(qpHandle, RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096).dest(peerLid, peerQpn)
                .minRnrTimer(minRnrTimer).rdAtomic(0, 16).build(RTR_MASK));
    }

    /** RTR to RTS, 16 outstanding reads. */
    public static void toRts(VerbsContext ctx, int qpHandle, int timeout, int retryCnt, int rnrRetry) {
        ctx.modifyQp(qpHandle, RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(timeout).retry(retryCnt, rnrRetry)
                .rdAtomic(16, 0).build(RTS_MASK));
    }

    /** A UC QP from INIT to RTR towards {@code peerQpn} at {@code peerLid}, with the UC mask. */
    public static void toUcRtr(VerbsContext ctx, int qpHandle, int peerLid, int peerQpn) {
        ctx.modifyQp(qpHandle, UC_RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(peerLid, peerQpn).build(UC_RTR_MASK));
    }

    /** A UC QP from RTR to RTS, with the UC mask. */
    public static void toUcRts(VerbsContext ctx, int qpHandle) {
        ctx.modifyQp(qpHandle, UC_RTS_MASK, new AttrBuilder().state(QPS_RTS).build(UC_RTS_MASK));
    }

    /** A UD QP to RTS as ibv_ud_pingpong takes it: INIT with its qkey, RTR, RTS with an SQ PSN. */
    public static void toUdRts(VerbsContext ctx, int qpHandle, int qkey) {
        ctx.modifyQp(qpHandle, UD_INIT_MASK, new AttrBuilder().state(QPS_INIT).port(1).qkey(qkey).build(UD_INIT_MASK));
        ctx.modifyQp(qpHandle, QP_STATE, new AttrBuilder().state(QPS_RTR).build(QP_STATE));
        ctx.modifyQp(qpHandle, UC_RTS_MASK, new AttrBuilder().state(QPS_RTS).build(UC_RTS_MASK));
    }
}
