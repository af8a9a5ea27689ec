package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.WR_ATOMIC_CMP_AND_SWP;
import static org.freeflow.fastpath.api.Verbs.WR_ATOMIC_FETCH_AND_ADD;
import static org.freeflow.fastpath.api.Verbs.WR_RDMA_READ;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * REQUEST frames: one work request of a connection, its data along for
 * SEND and WRITE.  Body layout (offsets in bytes): connection 0 (u64), PSN 8
 * (u64), opcode 16 (u8), flags 17 (u8), requester LID 20 (u16), responder
 * LID 22 (u16), requester QPN 24, responder QPN 28, remote address 32 (u64),
 * rkey 40, immediate 44, compare/add 48 (u64), swap 56 (u64), XRC SRQ 64
 * (i32, -1: none), length 68 (u32: the data's, or what a READ or atomic
 * fetches), requester GID 72 (16 bytes, zero: none), responder GID 88, data
 * 104.
 */
final class Requests {

    static final int CONNECTION = 0;
    static final int PSN = 8;
    static final int OPCODE = 16;
    static final int FLAGS = 17;
    static final int REQUESTER_LID = 20;
    static final int RESPONDER_LID = 22;
    static final int REQUESTER_QPN = 24;
    static final int RESPONDER_QPN = 28;
    static final int REMOTE_ADDRESS = 32;
    static final int RKEY = 40;
    static final int IMMEDIATE = 44;
    static final int COMPARE_ADD = 48;
    static final int SWAP = 56;
    static final int XRC_SRQ = 64;
    static final int LENGTH = 68;
    static final int REQUESTER_GID = 72;
    static final int RESPONDER_GID = 88;
    static final int DATA = Wire.REQUEST_FIXED;
    /**
     * The least SEND or WRITE data a frame reads from registered memory at the write rather than copies
     * at the post: below it the copy costs less than holding the memory.
     */
    static final int ZERO_COPY_MIN = 1024;
    /**
     * The least SEND or RDMA WRITE data the responder's router reads from the socket straight into the receive
     * or target region ({@link RequestPlacement}), and READ answer data the requester's router reads into the
     * READ's memory ({@link FetchPlacement}); less is read with the frame and copied on a poller.
     */
    static final int PLACE_MIN = 64 << 10;

    private Requests() {
    }

    /** True for the opcodes whose answer carries data back (FETCHED). */
    static boolean fetches(int opcode) {
        return opcode == WR_RDMA_READ || opcode == WR_ATOMIC_CMP_AND_SWP || opcode == WR_ATOMIC_FETCH_AND_ADD;
    }

    /**
     * The frame of {@code wr} on connection {@code connection}.  Data of
     * {@link #ZERO_COPY_MIN} bytes or more whose memory the payload can hold is
     * not copied: the frame's parts after its fixed fields are views of the
     * registered memory; otherwise, and for less, as {@link #encode}.
     */
    static OutFrame frame(long connection, WorkRequest wr, Destination requester, Destination responder) {
        Payload payload = wr.payload();
        long length = payload.length();
        Payload.Hold hold = fetches(wr.opcode()) || length < ZERO_COPY_MIN ? null : payload.hold();
        if (hold == null) {
            return OutFrame.of(encode(connection, wr, requester, responder));
        }
        return OutFrame.withData(head(connection, wr, requester, responder, (int) length, 0).flip(), payload, hold);
    }

    /**
     * The whole frame of {@code wr} on connection {@code connection}, its
     * data copied out of the payload (read at once: the payload's views are
     * valid during the post only), flipped for writing.
     */
    static ByteBuffer encode(long connection, WorkRequest wr, Destination requester, Destination responder) {
        Payload payload = wr.payload();
        boolean carries = !fetches(wr.opcode());
        int dataBytes = carries ? (int) payload.length() : 0;
        ByteBuffer out = head(connection, wr, requester, responder, dataBytes, dataBytes);
        for (int i = 0; carries && i < payload.segments(); i++) {
            out.put(payload.segment(i).duplicate());
        }
        return out.flip();
    }

    /**
     * A buffer with the header and fixed fields of {@code wr}'s frame written, for {@code dataBytes} of data
     * in the frame, {@code room} of them to follow in this buffer.
     */
    private static ByteBuffer head(long connection, WorkRequest wr, Destination requester, Destination responder,
            int dataBytes, int room) {
        long length = wr.payload().length();
        ByteBuffer out = Wire.frame(Wire.REQUEST, Wire.REQUEST_FIXED + dataBytes, dataBytes - room);
        out.putLong(connection).putLong(wr.psn()).put((byte) wr.opcode())
                .put((byte) (wr.solicited() ? Wire.FLAG_SOLICITED : 0)).putShort((short) 0)
                .putShort((short) requester.lid()).putShort((short) responder.lid())
                .putInt(requester.qpn()).putInt(responder.qpn()).putLong(wr.remoteAddress()).putInt(wr.rkey())
                .putInt(wr.immediate()).putLong(wr.compareAdd()).putLong(wr.swap()).putInt(wr.xrcSrq())
                .putInt((int) length);
        Wire.putGid(out, requester.gid());
        Wire.putGid(out, responder.gid());
        return out;
    }

    /**
     * Checks a REQUEST body's lengths: its fixed part is whole, and its data
     * is as long as it says (SEND, WRITE) or absent (READ, atomics).
     */
    static void check(ByteBuffer body) throws Wire.ProtocolException {
        if (body.remaining() < Wire.REQUEST_FIXED) {
            throw new Wire.ProtocolException("REQUEST of " + body.remaining() + " bytes");
        }
        long length = Integer.toUnsignedLong(body.getInt(body.position() + LENGTH));
        int opcode = body.get(body.position() + OPCODE) & 0xff;
        long data = body.remaining() - Wire.REQUEST_FIXED;
        if (fetches(opcode) ? data != 0 : data != length) {
            throw new Wire.ProtocolException("REQUEST says " + length + " bytes, carries " + data);
        }
    }
}
