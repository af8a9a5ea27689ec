package org.freeflow.transport.tcp.internal;

import static org.freeflow.transport.tcp.internal.Requests.*;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Destination;

/**
 * A REQUEST body as the responder's router reads it: its fields by absolute
 * reads, and its data (SEND, WRITE) as a one-segment {@link Payload}.  A view
 * the execution reuses, pointed at one checked body after another.
 */
final class InboundRequest extends BodyView {

    InboundRequest() {
        super(DATA);
    }

    /** Points this view at {@code checkedBody} (see {@link Requests#check}). */
    InboundRequest of(ByteBuffer checkedBody) {
        view(checkedBody);
        return this;
    }

    long connection() {
        return body.getLong(base + CONNECTION);
    }

    long psn() {
        return body.getLong(base + PSN);
    }

    int opcode() {
        return body.get(base + OPCODE) & 0xff;
    }

    boolean solicited() {
        return (body.get(base + FLAGS) & Wire.FLAG_SOLICITED) != 0;
    }

    Destination requester() {
        return new Destination(body.getShort(base + REQUESTER_LID) & 0xffff, Wire.gid(body, base + REQUESTER_GID),
                body.getInt(base + REQUESTER_QPN));
    }

    Destination responder() {
        return new Destination(body.getShort(base + RESPONDER_LID) & 0xffff, Wire.gid(body, base + RESPONDER_GID),
                body.getInt(base + RESPONDER_QPN));
    }

    long remoteAddress() {
        return body.getLong(base + REMOTE_ADDRESS);
    }

    int rkey() {
        return body.getInt(base + RKEY);
    }

    int immediate() {
        return body.getInt(base + IMMEDIATE);
    }

    long compareAdd() {
        return body.getLong(base + COMPARE_ADD);
    }

    long swap() {
        return body.getLong(base + SWAP);
    }

    int xrcSrq() {
        return body.getInt(base + XRC_SRQ);
    }

    /** SEND, WRITE: the data's bytes; READ, atomics: how many bytes it fetches. */
    long requestedLength() {
        return Integer.toUnsignedLong(body.getInt(base + LENGTH));
    }
}
