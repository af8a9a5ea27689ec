package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.freeflow.fastpath.api.Abi.QpAttr;

/**
 * The attributes of a queue pair that ibv_modify_qp sets and ibv_query_qp
 * reports ({@code struct ff_qp_attr} without state and caps).  Mutable; the
 * QP's own copy is changed on the poller thread only.
 */
public final class QpAttributes {

    private static final int KNOWN_ACCESS = ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ
            | ACCESS_REMOTE_ATOMIC | ACCESS_MW_BIND;
    private static final int PSN_MASK = 0xffffff;

    int requestedState;
    int currentState;
    /** A modify's IBV_QP_EN_SQD_ASYNC_NOTIFY with a nonzero flag (not an attribute the QP keeps). */
    boolean notifySqDrained;
    int pathMtu = MTU_4096;
    int accessFlags;
    int qkey;
    int rqPsn;
    int sqPsn;
    int destQpn;
    int pkeyIndex;
    int portNum = 1;
    int maxRdAtomic;
    int maxDestRdAtomic;
    int minRnrTimer;
    int timeout;
    int retryCnt;
    int rnrRetry;
    final byte[] dgid = new byte[16];
    int flowLabel;
    int sgidIndex;
    int hopLimit;
    int trafficClass;
    boolean isGlobal;
    int dlid;
    int sl;
    int srcPathBits;
    int staticRate;
    int ahPortNum;

    /** Reads the fields of the {@code struct ff_qp_attr} at {@code base} that {@code mask} selects. */
    public static QpAttributes read(ByteBuffer buf, int base, int mask) {
        QpAttributes a = new QpAttributes();
        a.requestedState = buf.getInt(base + QpAttr.QP_STATE);
        a.currentState = buf.getInt(base + QpAttr.CUR_QP_STATE);
        a.notifySqDrained = (mask & QP_EN_SQD_ASYNC_NOTIFY) != 0 && buf.get(base + QpAttr.EN_SQD_ASYNC_NOTIFY) != 0;
        a.merge(buf, base, mask);
        return a;
    }

    private void merge(ByteBuffer buf, int base, int mask) {
        if ((mask & QP_PATH_MTU) != 0) {
            pathMtu = buf.getInt(base + QpAttr.PATH_MTU);
        }
        if ((mask & QP_ACCESS_FLAGS) != 0) {
            accessFlags = buf.getInt(base + QpAttr.QP_ACCESS_FLAGS);
        }
        if ((mask & QP_QKEY) != 0) {
            qkey = buf.getInt(base + QpAttr.QKEY);
        }
        if ((mask & QP_RQ_PSN) != 0) {
            rqPsn = buf.getInt(base + QpAttr.RQ_PSN) & PSN_MASK;
        }
        if ((mask & QP_SQ_PSN) != 0) {
            sqPsn = buf.getInt(base + QpAttr.SQ_PSN) & PSN_MASK;
        }
        if ((mask & QP_DEST_QPN) != 0) {
            destQpn = buf.getInt(base + QpAttr.DEST_QP_NUM);
        }
        if ((mask & QP_PKEY_INDEX) != 0) {
            pkeyIndex = Short.toUnsignedInt(buf.getShort(base + QpAttr.PKEY_INDEX));
        }
        if ((mask & QP_PORT) != 0) {
            portNum = u8(buf, base + QpAttr.PORT_NUM);
        }
        if ((mask & QP_MAX_QP_RD_ATOMIC) != 0) {
            maxRdAtomic = u8(buf, base + QpAttr.MAX_RD_ATOMIC);
        }
        if ((mask & QP_MAX_DEST_RD_ATOMIC) != 0) {
            maxDestRdAtomic = u8(buf, base + QpAttr.MAX_DEST_RD_ATOMIC);
        }
        if ((mask & QP_MIN_RNR_TIMER) != 0) {
            minRnrTimer = u8(buf, base + QpAttr.MIN_RNR_TIMER);
        }
        if ((mask & QP_TIMEOUT) != 0) {
            timeout = u8(buf, base + QpAttr.TIMEOUT);
        }
        if ((mask & QP_RETRY_CNT) != 0) {
            retryCnt = u8(buf, base + QpAttr.RETRY_CNT);
        }
        if ((mask & QP_RNR_RETRY) != 0) {
            rnrRetry = u8(buf, base + QpAttr.RNR_RETRY);
        }
        if ((mask & QP_AV) != 0) {
            readAddressVector(buf, base);
        }
    }

    private void readAddressVector(ByteBuffer buf, int base) {
        buf.get(base + QpAttr.AH_ATTR_DGID, dgid);
        flowLabel = buf.getInt(base + QpAttr.AH_ATTR_FLOW_LABEL);
        sgidIndex = u8(buf, base + QpAttr.AH_ATTR_SGID_INDEX);
        hopLimit = u8(buf, base + QpAttr.AH_ATTR_HOP_LIMIT);
        trafficClass = u8(buf, base + QpAttr.AH_ATTR_TRAFFIC_CLASS);
        isGlobal = buf.get(base + QpAttr.AH_ATTR_IS_GLOBAL) != 0;
        dlid = Short.toUnsignedInt(buf.getShort(base + QpAttr.AH_ATTR_DLID));
        sl = u8(buf, base + QpAttr.AH_ATTR_SL);
        srcPathBits = u8(buf, base + QpAttr.AH_ATTR_SRC_PATH_BITS);
        staticRate = u8(buf, base + QpAttr.AH_ATTR_STATIC_RATE);
        ahPortNum = u8(buf, base + QpAttr.AH_ATTR_PORT_NUM);
    }

    /**
     * Checks the values {@code mask} selects against what the device supports;
     * returns null when they are acceptable, else what is wrong.
     */
    String invalidValue(int mask) {
        if ((mask & QP_PATH_MTU) != 0 && (pathMtu < MTU_256 || pathMtu > MTU_4096)) {
            return "path_mtu " + pathMtu;
        }
        if ((mask & QP_ACCESS_FLAGS) != 0 && (accessFlags & ~KNOWN_ACCESS) != 0) {
            return "qp_access_flags 0x" + Integer.toHexString(accessFlags);
        }
        if ((mask & QP_PKEY_INDEX) != 0 && pkeyIndex != 0) {
            return "pkey_index " + pkeyIndex;
        }
        if ((mask & QP_PORT) != 0 && portNum != 1) {
            return "port_num " + portNum;
        }
        if ((mask & QP_DEST_QPN) != 0 && (destQpn & ~0xffffff) != 0) {
            return "dest_qp_num " + destQpn;
        }
        if ((mask & QP_AV) != 0 && (ahPortNum > 1 || (isGlobal && sgidIndex != 0))) {
            return "address vector (port " + ahPortNum + ", sgid_index " + sgidIndex + ")";
        }
        if (maxRdAtomic > 16 || maxDestRdAtomic > 16) {
            return "rd_atomic " + maxRdAtomic + "/" + maxDestRdAtomic;
        }
        if (minRnrTimer > 31 || timeout > 31 || retryCnt > 7 || rnrRetry > 7) {
            return "timers (min_rnr_timer " + minRnrTimer + ", timeout " + timeout + ", retry_cnt " + retryCnt
                    + ", rnr_retry " + rnrRetry + ")";
        }
        return null;
    }

    /** A copy with the fields of {@code update} that {@code mask} selects applied. */
    QpAttributes with(QpAttributes update, int mask) {
        ByteBuffer scratch = scratch();
        update.write(scratch, 0, update.requestedState, update.currentState, null);
        QpAttributes a = copy();
        a.merge(scratch, 0, mask);
        return a;
    }

    QpAttributes copy() {
        ByteBuffer scratch = scratch();
        write(scratch, 0, requestedState, currentState, null);
        return read(scratch, 0, ~0);
    }

    private static ByteBuffer scratch() {
        return ByteBuffer.allocate(QpAttr.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes a full {@code struct ff_qp_attr} at {@code base}. */
    void write(ByteBuffer buf, int base, int state, int curState, QpCaps caps) {
        buf.putInt(base + QpAttr.QP_STATE, state);
        buf.putInt(base + QpAttr.CUR_QP_STATE, curState);
        buf.putInt(base + QpAttr.PATH_MTU, pathMtu);
        buf.putInt(base + QpAttr.QP_ACCESS_FLAGS, accessFlags);
        buf.putInt(base + QpAttr.QKEY, qkey);
        buf.putInt(base + QpAttr.RQ_PSN, rqPsn);
        buf.putInt(base + QpAttr.SQ_PSN, sqPsn);
        buf.putInt(base + QpAttr.DEST_QP_NUM, destQpn);
        if (caps != null) {
            caps.write(buf, base + QpAttr.CAP);
        }
        buf.put(base + QpAttr.AH_ATTR_DGID, dgid);
        buf.putInt(base + QpAttr.AH_ATTR_FLOW_LABEL, flowLabel);
        buf.put(base + QpAttr.AH_ATTR_SGID_INDEX, (byte) sgidIndex);
        buf.put(base + QpAttr.AH_ATTR_HOP_LIMIT, (byte) hopLimit);
        buf.put(base + QpAttr.AH_ATTR_TRAFFIC_CLASS, (byte) trafficClass);
        buf.put(base + QpAttr.AH_ATTR_IS_GLOBAL, (byte) (isGlobal ? 1 : 0));
        buf.putShort(base + QpAttr.AH_ATTR_DLID, (short) dlid);
        buf.put(base + QpAttr.AH_ATTR_SL, (byte) sl);
        buf.put(base + QpAttr.AH_ATTR_SRC_PATH_BITS, (byte) srcPathBits);
        buf.put(base + QpAttr.AH_ATTR_STATIC_RATE, (byte) staticRate);
        buf.put(base + QpAttr.AH_ATTR_PORT_NUM, (byte) ahPortNum);
        buf.putShort(base + QpAttr.PKEY_INDEX, (short) pkeyIndex);
        buf.put(base + QpAttr.PORT_NUM, (byte) portNum);
        buf.put(base + QpAttr.MAX_RD_ATOMIC, (byte) maxRdAtomic);
        buf.put(base + QpAttr.MAX_DEST_RD_ATOMIC, (byte) maxDestRdAtomic);
        buf.put(base + QpAttr.MIN_RNR_TIMER, (byte) minRnrTimer);
        buf.put(base + QpAttr.TIMEOUT, (byte) timeout);
        buf.put(base + QpAttr.RETRY_CNT, (byte) retryCnt);
        buf.put(base + QpAttr.RNR_RETRY, (byte) rnrRetry);
    }

    private static int u8(ByteBuffer buf, int offset) {
        return Byte.toUnsignedInt(buf.get(offset));
    }
}
