package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.freeflow.router.api.transport.Outcome;

/**
 * The frames routers exchange (docs/transport-tcp.md): a 12-byte header
 * (magic, version, type, body length; network byte order) and a body of the
 * type's layout.  A connection carries both directions: the requests of
 * either router, and the answers (ACK, NAK, FETCHED) to the other's
 * requests, each answer on the connection its request came on.  Each end
 * sends HELLO first; the dialing router's comes first.
 */
final class Wire {

    /** "FFTR". */
    static final int MAGIC = 0x46465452;
    static final int VERSION = 2;
    static final int HEADER = 12;

    static final int HELLO = 1;
    static final int REQUEST = 2;
    static final int ACK = 3;
    static final int NAK = 4;
    static final int FETCHED = 5;
    static final int DATAGRAM = 6;
    static final int CLOSE = 7;

    /** HELLO's fixed part, before the host name. */
    static final int HELLO_FIXED = 14;
    /** The longest host name a HELLO carries. */
    static final int MAX_HOST_NAME = 255;
    /** REQUEST's fixed part, before its data. */
    static final int REQUEST_FIXED = 104;
    /** Every answer's body (ACK, NAK, FETCHED) starts with its u64 connection and u64 PSN. */
    static final int ANSWER_HEAD = 16;
    static final int ACK_BODY = 16;
    static final int NAK_BODY = 20;
    static final int FETCHED_FIXED = 20;
    static final int DATAGRAM_FIXED = 80;
    static final int CLOSE_BODY = 8;
    /**
     * The largest message that crosses (SEND and WRITE data, what a READ
     * fetches): the receiving router reads each frame into a heap buffer
     * (and a READ's answer is one when it leaves), and a router's heap must
     * not be a container's to fill; a larger work request is answered
     * IBV_WC_REM_INV_REQ_ERR.
     */
    static final int MAX_MESSAGE = 16 << 20;
    /** The largest body a router accepts; a larger one breaks the protocol. */
    static final int MAX_BODY = MAX_MESSAGE + REQUEST_FIXED;

    static final int FLAG_SOLICITED = 1;
    static final int FLAG_WITH_IMM = 2;
    static final int FLAG_GRH = 4;

    private Wire() {
    }

    /**
     * The PSN a checked answer (ACK, NAK, FETCHED) whose body starts at
     * {@code at} acknowledges through: its own, or, for a NAK, the one
     * before (a refusal acknowledges what came before it).
     */
    static long answeredThrough(int type, ByteBuffer body, int at) {
        long psn = body.getLong(at + Long.BYTES);
        return type == NAK ? psn - 1 : psn;
    }

    /** Writes a header for a body of {@code bodyLength} bytes of {@code type} at the buffer's position. */
    static ByteBuffer header(ByteBuffer out, int type, int bodyLength) {
        return out.putInt(MAGIC).put((byte) VERSION).put((byte) type).putShort((short) 0).putInt(bodyLength);
    }

    /** A whole frame with room for its body, the header written. */
    static ByteBuffer frame(int type, int bodyLength) {
        return frame(type, bodyLength, 0);
    }

    /**
     * A frame's first part, the header written: room for a body of {@code bodyLength} bytes but the last
     * {@code dataElsewhere}, which follow in parts of their own.
     */
    static ByteBuffer frame(int type, int bodyLength, int dataElsewhere) {
        return header(ByteBuffer.allocate(HEADER + bodyLength - dataElsewhere), type, bodyLength);
    }

    /** HELLO: the sending router's id (random per start), the link's index, its host name. */
    static ByteBuffer hello(long router, int index, String host) {
        byte[] name = host.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(name.length, MAX_HOST_NAME);
        return frame(HELLO, HELLO_FIXED + n).putLong(router).putInt(index).putShort((short) n).put(name, 0, n).flip();
    }

    /** What a HELLO says. */
    record Hello(long router, int index, String host) {

        /** Reads a HELLO's body; a malformed one breaks the protocol. */
        static Hello of(ByteBuffer body) throws ProtocolException {
            int at = body.position();
            int n = body.remaining() >= HELLO_FIXED ? body.getShort(at + 12) & 0xffff : -1;
            int index = n < 0 ? -1 : body.getInt(at + 8);
            if (n < 0 || n > MAX_HOST_NAME || n != body.remaining() - HELLO_FIXED || index < 0) {
                throw new ProtocolException("bad HELLO of " + body.remaining() + " bytes");
            }
            byte[] name = new byte[n];
            body.get(at + HELLO_FIXED, name);
            return new Hello(body.getLong(at), index, new String(name, StandardCharsets.UTF_8));
        }
    }

    static ByteBuffer ack(long connection, long psn) {
        return frame(ACK, ACK_BODY).putLong(connection).putLong(psn).flip();
    }

    static ByteBuffer nak(long connection, long psn, Outcome outcome, int rnrTimer) {
        return frame(NAK, NAK_BODY).putLong(connection).putLong(psn).put((byte) code(outcome))
                .put((byte) rnrTimer).putShort((short) 0).flip();
    }

    static ByteBuffer close(long connection) {
        return frame(CLOSE, CLOSE_BODY).putLong(connection).flip();
    }

    /** The wire code of a refusal (never OK, PENDING or DROPPED). */
    static int code(Outcome outcome) {
        return switch (outcome) {
            case RNR -> 1;
            case NOT_READY -> 2;
            case REMOTE_ACCESS_ERROR -> 3;
            case REMOTE_INVALID_REQUEST -> 4;
            case REMOTE_OPERATION_ERROR -> 5;
            case BUSY -> 6;
            default -> throw new IllegalArgumentException("not a refusal: " + outcome);
        };
    }

    /** The refusal a wire code stands for; an unknown code is a remote operation error. */
    static Outcome outcome(int code) {
        return switch (code) {
            case 1 -> Outcome.RNR;
            case 2 -> Outcome.NOT_READY;
            case 3 -> Outcome.REMOTE_ACCESS_ERROR;
            case 4 -> Outcome.REMOTE_INVALID_REQUEST;
            case 6 -> Outcome.BUSY;
            default -> Outcome.REMOTE_OPERATION_ERROR;
        };
    }

    /** Reads 16 bytes of GID at {@code at}; null when all zero (none). */
    static byte[] gid(ByteBuffer in, int at) {
        byte[] gid = new byte[16];
        in.get(at, gid);
        for (byte b : gid) {
            if (b != 0) {
                return gid;
            }
        }
        return null;
    }

    /** Puts {@code gid} (or 16 zero bytes for none) at the position. */
    static void putGid(ByteBuffer out, byte[] gid) {
        if (gid == null || gid.length != 16) {
            out.put(new byte[16]);
        } else {
            out.put(gid);
        }
    }

    /** Thrown for a frame that breaks the protocol: the connection is closed. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
