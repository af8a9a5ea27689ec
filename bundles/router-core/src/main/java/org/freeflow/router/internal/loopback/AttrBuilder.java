package org.freeflow.router.internal.loopback;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.freeflow.fastpath.api.Abi.QpAttr;
import org.freeflow.router.internal.vnic.QpAttributes;

/** Builds a {@code struct ff_qp_attr} the way an application fills ibv_qp_attr. */
public final class AttrBuilder {

    private final ByteBuffer attr = ByteBuffer.allocate(QpAttr.SIZE).order(ByteOrder.LITTLE_ENDIAN);

    public AttrBuilder state(int state) {
        attr.putInt(QpAttr.QP_STATE, state);
        return this;
    }

    public AttrBuilder qkey(int qkey) {
        attr.putInt(QpAttr.QKEY, qkey);
        return this;
    }

    public AttrBuilder currentState(int state) {
        attr.putInt(QpAttr.CUR_QP_STATE, state);
        return this;
    }

    public AttrBuilder access(int flags) {
        attr.putInt(QpAttr.QP_ACCESS_FLAGS, flags);
        return this;
    }

    public AttrBuilder port(int port) {
        attr.put(QpAttr.PORT_NUM, (byte) port);
        return this;
    }

    public AttrBuilder pkeyIndex(int index) {
        attr.putShort(QpAttr.PKEY_INDEX, (short) index);
        return this;
    }

    public AttrBuilder pathMtu(int mtu) {
        attr.putInt(QpAttr.PATH_MTU, mtu);
        return this;
    }

    public AttrBuilder dest(int dlid, int qpn) {
        attr.putShort(QpAttr.AH_ATTR_DLID, (short) dlid);
        attr.put(QpAttr.AH_ATTR_PORT_NUM, (byte) 1);
        attr.putInt(QpAttr.DEST_QP_NUM, qpn);
        return this;
    }

    public AttrBuilder minRnrTimer(int code) {
        attr.put(QpAttr.MIN_RNR_TIMER, (byte) code);
        return this;
    }

    public AttrBuilder timeout(int timeout) {
        attr.put(QpAttr.TIMEOUT, (byte) timeout);
        return this;
    }

    public AttrBuilder retry(int retryCnt, int rnrRetry) {
        attr.put(QpAttr.RETRY_CNT, (byte) retryCnt);
        attr.put(QpAttr.RNR_RETRY, (byte) rnrRetry);
        return this;
    }

    public AttrBuilder rdAtomic(int initiator, int responder) {
        attr.put(QpAttr.MAX_RD_ATOMIC, (byte) initiator);
        attr.put(QpAttr.MAX_DEST_RD_ATOMIC, (byte) responder);
        return this;
    }

    public AttrBuilder psn(int rq, int sq) {
        attr.putInt(QpAttr.RQ_PSN, rq);
        attr.putInt(QpAttr.SQ_PSN, sq);
        return this;
    }

    /** attr.en_sqd_async_notify (with IBV_QP_EN_SQD_ASYNC_NOTIFY in the mask). */
    public AttrBuilder notifySqDrained(boolean notify) {
        attr.put(QpAttr.EN_SQD_ASYNC_NOTIFY, (byte) (notify ? 1 : 0));
        return this;
    }

    /** The raw struct, for protocol tests. */
    public ByteBuffer bytes() {
        return attr.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public QpAttributes build(int mask) {
        return QpAttributes.read(attr, 0, mask);
    }
}
