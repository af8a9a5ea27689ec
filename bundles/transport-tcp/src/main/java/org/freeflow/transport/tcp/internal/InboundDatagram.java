package org.freeflow.transport.tcp.internal;

import static org.freeflow.transport.tcp.internal.Datagrams.*;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.Destination;

/** A DATAGRAM body as the receiving router reads it: the datagram's address and its data. */
final class InboundDatagram extends BodyView implements Datagram {

    InboundDatagram() {
        super(DATA);
    }

    /** Points this view at {@code body} (at least {@link Wire#DATAGRAM_FIXED} bytes). */
    InboundDatagram of(ByteBuffer checkedBody) {
        view(checkedBody);
        return this;
    }

    Destination destination() {
        return new Destination(body.getShort(base + DEST_LID) & 0xffff, null, body.getInt(base + DEST_QPN));
    }

    boolean withImm() {
        return (body.get(base + FLAGS) & Wire.FLAG_WITH_IMM) != 0;
    }

    boolean solicited() {
        return (body.get(base + FLAGS) & Wire.FLAG_SOLICITED) != 0;
    }

    int immediate() {
        return body.getInt(base + IMMEDIATE);
    }

    @Override
    public Destination source() {
        return new Destination(body.getShort(base + SRC_LID) & 0xffff, Wire.gid(body, base + SRC_GID),
                body.getInt(base + SRC_QPN));
    }

    @Override
    public int qkey() {
        return body.getInt(base + QKEY);
    }

    @Override
    public int serviceLevel() {
        return body.get(base + SL) & 0xf;
    }

    @Override
    public ByteBuffer grh() {
        if ((body.get(base + FLAGS) & Wire.FLAG_GRH) == 0) {
            return null;
        }
        return body.duplicate().position(base + GRH).limit(base + GRH + GRH_BYTES).slice();
    }
}
