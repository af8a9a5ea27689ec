package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Payload;

/**
 * DATAGRAM frames: one UD send, which nothing acknowledges.  Body layout:
 * destination LID 0 (u16), source LID 2 (u16), destination QPN 4, source QPN
 * 8, Q_Key 12, immediate 16, SL 20 (u8), flags 21 (u8: solicited, with
 * immediate, GRH), source GID 24 (16 bytes), GRH 40 (40 bytes, zero without
 * one), data 80.
 */
final class Datagrams {

    static final int DEST_LID = 0;
    static final int SRC_LID = 2;
    static final int DEST_QPN = 4;
    static final int SRC_QPN = 8;
    static final int QKEY = 12;
    static final int IMMEDIATE = 16;
    static final int SL = 20;
    static final int FLAGS = 21;
    static final int SRC_GID = 24;
    static final int GRH = 40;
    static final int DATA = Wire.DATAGRAM_FIXED;

    private Datagrams() {
    }

    /** The whole frame of a datagram to {@code destination}, its payload copied, flipped. */
    static ByteBuffer encode(Destination destination, Payload payload, Datagram d, boolean withImm, int imm,
            boolean solicited) {
        int length = (int) payload.length();
        ByteBuffer out = Wire.frame(Wire.DATAGRAM, Wire.DATAGRAM_FIXED + length);
        Destination source = d.source();
        ByteBuffer grh = d.grh();
        int flags = (solicited ? Wire.FLAG_SOLICITED : 0) | (withImm ? Wire.FLAG_WITH_IMM : 0)
                | (grh != null ? Wire.FLAG_GRH : 0);
        out.putShort((short) destination.lid()).putShort((short) source.lid()).putInt(destination.qpn())
                .putInt(source.qpn()).putInt(d.qkey()).putInt(imm).put((byte) d.serviceLevel()).put((byte) flags)
                .putShort((short) 0);
        Wire.putGid(out, source.gid());
        if (grh != null) {
            out.put(grh.duplicate().clear().limit(Datagram.GRH_BYTES));
        } else {
            out.put(new byte[Datagram.GRH_BYTES]);
        }
        for (int i = 0; i < payload.segments(); i++) {
            out.put(payload.segment(i).duplicate());
        }
        return out.flip();
    }
}
