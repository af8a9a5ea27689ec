package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The IB modify-QP table: transitions, required and optional attribute masks. */
class QpStateMachineTest {

    /** The masks perftest uses (verbs-abi.md): INIT 0x39, RTR 0x129181, RTS. */
    @Test
    void perftestConnectionSequenceIsAllowed() {
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RESET, QPS_INIT, 0x39));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_RTR, 0x129181));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RTR, QPS_RTS, VnicFixture.RTS_MASK));
    }

    @Test
    void missingRequiredAttributeIsRefused() {
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RESET, QPS_INIT, QP_STATE | QP_PKEY_INDEX | QP_PORT));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_RTR, 0x129181 & ~QP_MIN_RNR_TIMER));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RTR, QPS_RTS, VnicFixture.RTS_MASK & ~QP_RNR_RETRY));
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_INIT, QPS_RTR, 0x129181 & ~QP_MIN_RNR_TIMER
                & ~QP_MAX_DEST_RD_ATOMIC), "UC needs neither");
    }

    @Test
    void attributeOutsideRequiredAndOptionalIsRefused() {
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RESET, QPS_INIT, 0x39 | QP_QKEY));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_RTR, 0x129181 | QP_SQ_PSN));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RTS, QPS_ERR, QP_STATE | QP_ACCESS_FLAGS));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RTR, QPS_RTS, VnicFixture.RTS_MASK | QP_MIN_RNR_TIMER),
                "optional attributes are fine");
        assertTrue(QpStateMachine.allowed(QPT_UD, QPS_RESET, QPS_INIT, QP_STATE | QP_PKEY_INDEX | QP_PORT
                | QP_QKEY));
        assertFalse(QpStateMachine.allowed(QPT_UD, QPS_RESET, QPS_INIT, 0x39), "UD takes a qkey, not access");
    }

    @Test
    void transitionsThatDoNotExist() {
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RESET, QPS_RTR, 0x129181));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_RTS, VnicFixture.RTS_MASK));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RTR, QPS_RTR, QP_STATE));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_ERR, QPS_RTS, QP_STATE));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RESET, QPS_ERR, QP_STATE), "as in Linux");
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_SQE, QPS_RTS, QP_STATE), "RC never has SQE");
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_SQE, QPS_RTS, QP_STATE | QP_ACCESS_FLAGS));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RTS, 9, QP_STATE), "no such state");
    }

    /** UC: the IB table's required and optional attributes, nothing of RC's acknowledgement machinery. */
    @Test
    void ucTakesExactlyItsAttributes() {
        int rtr = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN;
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_RESET, QPS_INIT, 0x39));
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_INIT, QPS_RTR, rtr));
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_INIT, QPS_RTR, rtr | QP_ALT_PATH | QP_ACCESS_FLAGS
                | QP_PKEY_INDEX));
        for (int rcOnly : new int[] {QP_MIN_RNR_TIMER, QP_MAX_DEST_RD_ATOMIC}) {
            assertFalse(QpStateMachine.allowed(QPT_UC, QPS_INIT, QPS_RTR, rtr | rcOnly), "RTR with " + rcOnly);
        }
        for (int missing : new int[] {QP_AV, QP_PATH_MTU, QP_DEST_QPN, QP_RQ_PSN}) {
            assertFalse(QpStateMachine.allowed(QPT_UC, QPS_INIT, QPS_RTR, rtr & ~missing), "RTR without " + missing);
        }
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_RTR, QPS_RTS, QP_STATE | QP_SQ_PSN));
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_RTR, QPS_RTS, QP_STATE | QP_SQ_PSN | QP_CUR_STATE
                | QP_ACCESS_FLAGS | QP_ALT_PATH | QP_PATH_MIG_STATE));
        assertFalse(QpStateMachine.allowed(QPT_UC, QPS_RTR, QPS_RTS, QP_STATE));
        for (int rcOnly : new int[] {QP_TIMEOUT, QP_RETRY_CNT, QP_RNR_RETRY, QP_MAX_QP_RD_ATOMIC,
                QP_MIN_RNR_TIMER}) {
            assertFalse(QpStateMachine.allowed(QPT_UC, QPS_RTR, QPS_RTS, QP_STATE | QP_SQ_PSN | rcOnly),
                    "RTS with " + rcOnly);
            assertFalse(QpStateMachine.allowed(QPT_UC, QPS_RTS, QPS_RTS, rcOnly), "RTS->RTS with " + rcOnly);
        }
        assertTrue(QpStateMachine.allowed(QPT_UC, QPS_SQD, QPS_SQD, QP_AV | QP_ACCESS_FLAGS));
        assertFalse(QpStateMachine.allowed(QPT_UC, QPS_SQD, QPS_SQD, QP_TIMEOUT));
    }

    @Test
    void anyStateGoesToResetAndAllButResetToError() {
        for (int s = QPS_RESET; s <= QPS_ERR; s++) {
            assertTrue(QpStateMachine.allowed(QPT_RC, s, QPS_RESET, QP_STATE), "to RESET from " + s);
            assertEquals(s != QPS_RESET, QpStateMachine.allowed(QPT_RC, s, QPS_ERR, QP_STATE), "to ERR from " + s);
        }
    }

    @Test
    void drainAndResume() {
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RTS, QPS_SQD, QP_STATE | QP_EN_SQD_ASYNC_NOTIFY));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_SQD, QPS_SQD, QP_TIMEOUT | QP_AV));
        assertFalse(QpStateMachine.allowed(QPT_UD, QPS_SQD, QPS_SQD, QP_AV));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_SQD, QPS_RTS, QP_STATE | QP_MIN_RNR_TIMER));
    }

    @Test
    void currentStateIsOnlyAllowedWhereTheTableSaysSo() {
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RTS, QPS_RTS, QP_CUR_STATE | QP_ACCESS_FLAGS));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_INIT, QP_CUR_STATE));
        assertFalse(QpStateMachine.allowed(QPT_RC, QPS_RTS, QPS_ERR, QP_STATE | QP_CUR_STATE));
    }

    @Test
    void withoutTheStateBitTheQpStaysWhereItIs() {
        assertEquals(QPS_RTS, QpStateMachine.nextState(QPS_RTS, QP_ACCESS_FLAGS, QPS_ERR));
        assertEquals(QPS_ERR, QpStateMachine.nextState(QPS_RTS, QP_STATE, QPS_ERR));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_RTS, QPS_RTS, QP_ACCESS_FLAGS | QP_MIN_RNR_TIMER));
        assertTrue(QpStateMachine.allowed(QPT_RC, QPS_INIT, QPS_INIT, QP_PORT | QP_ACCESS_FLAGS));
    }

    @Test
    void xrcHalvesTakeRcRowsWithoutTheOtherHalfsAttributes() {
        int iniRtr = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN;
        int tgtRts = QP_STATE | QP_TIMEOUT | QP_SQ_PSN;
        for (int type : new int[] {QPT_XRC_SEND, QPT_XRC_RECV}) {
            assertTrue(QpStateMachine.allowed(type, QPS_RESET, QPS_INIT, 0x39), "INIT as RC");
            assertFalse(QpStateMachine.allowed(type, QPS_SQE, QPS_RTS, QP_STATE), "no SQE, as RC");
        }
        assertTrue(QpStateMachine.allowed(QPT_XRC_SEND, QPS_INIT, QPS_RTR, iniRtr), "ibv_xsrq_pingpong's mask");
        assertFalse(QpStateMachine.allowed(QPT_XRC_SEND, QPS_INIT, QPS_RTR, iniRtr | QP_MIN_RNR_TIMER),
                "an initiator has no responder attributes");
        assertTrue(QpStateMachine.allowed(QPT_XRC_SEND, QPS_RTR, QPS_RTS, VnicFixture.RTS_MASK));
        assertFalse(QpStateMachine.allowed(QPT_XRC_SEND, QPS_RTR, QPS_RTS, tgtRts));
        assertTrue(QpStateMachine.allowed(QPT_XRC_RECV, QPS_INIT, QPS_RTR, 0x129181), "as RC");
        assertFalse(QpStateMachine.allowed(QPT_XRC_RECV, QPS_INIT, QPS_RTR, iniRtr));
        assertTrue(QpStateMachine.allowed(QPT_XRC_RECV, QPS_RTR, QPS_RTS, tgtRts), "ibv_xsrq_pingpong's mask");
        assertFalse(QpStateMachine.allowed(QPT_XRC_RECV, QPS_RTR, QPS_RTS, tgtRts | QP_RETRY_CNT),
                "a target has no requester attributes");
    }
}
