package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;

/**
 * Queue-pair capacities ({@code struct ff_qp_cap}).
 *
 * @param maxSendWr     send work requests
 * @param maxRecvWr     receive work requests
 * @param maxSendSge    SGEs per send work request
 * @param maxRecvSge    SGEs per receive work request
 * @param maxInlineData inline bytes per send work request
 */
public record QpCaps(int maxSendWr, int maxRecvWr, int maxSendSge, int maxRecvSge, int maxInlineData) {

    /** Reads a {@code struct ff_qp_cap} at {@code base}. */
    public static QpCaps read(ByteBuffer buf, int base) {
        return new QpCaps(buf.getInt(base + Abi.QpCap.MAX_SEND_WR), buf.getInt(base + Abi.QpCap.MAX_RECV_WR),
                buf.getInt(base + Abi.QpCap.MAX_SEND_SGE), buf.getInt(base + Abi.QpCap.MAX_RECV_SGE),
                buf.getInt(base + Abi.QpCap.MAX_INLINE_DATA));
    }

    /** Writes a {@code struct ff_qp_cap} at {@code base}. */
    public void write(ByteBuffer buf, int base) {
        buf.putInt(base + Abi.QpCap.MAX_SEND_WR, maxSendWr);
        buf.putInt(base + Abi.QpCap.MAX_RECV_WR, maxRecvWr);
        buf.putInt(base + Abi.QpCap.MAX_SEND_SGE, maxSendSge);
        buf.putInt(base + Abi.QpCap.MAX_RECV_SGE, maxRecvSge);
        buf.putInt(base + Abi.QpCap.MAX_INLINE_DATA, maxInlineData);
        buf.putInt(base + Abi.QpCap.RESERVED, 0);
    }
}
