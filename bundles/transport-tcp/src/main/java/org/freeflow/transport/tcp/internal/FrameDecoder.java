package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ScatteringByteChannel;
import java.util.function.BooleanSupplier;

/**
 * Cuts one connection's byte stream into frames: each read fills one large
 * buffer ({@link #BUFFER} bytes), so that a single read takes in as many
 * small frames as have arrived, and every complete frame in it is handed
 * on.  Each body handed on is a heap buffer of its own (the handler may
 * keep it); a body the buffer does not hold whole (up to
 * {@link Wire#MAX_BODY}) is filled across reads, and the handler hears of
 * each part.  Or the handler places it: a body of {@link #PLACEABLE} bytes or
 * more may go, after the bytes the handler reads from its start (at least
 * {@link #PLACEMENT_HEAD}), straight to
 * where the handler says ({@link Placement}: a SEND's receive, an RDMA WRITE's target region, a READ's memory),
 * from the read buffer and then from the socket, with no buffer of its own.
 * A header that breaks the
 * protocol (magic, version, body length) is a {@link Wire.ProtocolException}.
 * Used by one thread at a time (the connection's I/O thread).
 */
final class FrameDecoder {

    /** Where the rest of a body goes instead of a buffer of its own ({@link FrameChannel.Handler#placement}). */
    interface Placement {

        /** The bytes at the body's start that the handler took (the decoder skips them). */
        int headBytes();

        /** Bytes of the body still to come. */
        long remaining();

        /** Takes up to {@link #remaining} bytes of {@code from} (advancing it). */
        void take(ByteBuffer from);

        /**
         * Reads once from {@code channel} (non-blocking), at most {@link #remaining} bytes: how many, or -1
         * at the end of stream.  {@code scratch}: an empty buffer it may read into and drop.
         */
        int read(ScatteringByteChannel channel, ByteBuffer scratch) throws IOException;

        /** The connection ended before the body did: nothing more comes. */
        void abandon();
    }

    /** The read buffer's size. */
    static final int BUFFER = 256 << 10;
    /** The least body the handler is asked to place ({@link FrameChannel.Handler#placement}). */
    static final int PLACEABLE = 64 << 10;
    /**
     * The bytes of a placeable body that have come before the handler is asked: at least every frame type's
     * fixed fields, which say where the rest goes (a head cut by the sender's write or the socket's read waits
     * for its end instead of sending the body to a buffer of its own).
     */
    static final int PLACEMENT_HEAD = 128;

    /**
     * Bytes read and not decoded yet, in [0, position): always fewer than a header, or than a placeable body's
     * header and head, unless decoding paused.
     */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    /** The body being filled (its header decoded), or null. */
    private ByteBuffer body;
    private int bodyType;
    /** The body being placed (its head taken), or null. */
    private Placement placing;
    /** The last read took all it could: the socket may hold more. */
    private boolean filled;

    /** True when the read buffer (or the body being placed) has room for another read. */
    boolean hasRoom() {
        return placing != null || in.hasRemaining();
    }

    /** True when the last read took as much as it had room for: there may be more in the socket. */
    boolean mayHaveMore() {
        return filled;
    }

    /**
     * Reads once from {@code channel} (non-blocking): the bytes read, 0 when none were there, -1 at a
     * clean end of stream (between two frames).
     *
     * @throws IOException an end of stream inside a frame, or the channel's error
     */
    int read(ScatteringByteChannel channel) throws IOException {
        int n;
        if (placing != null) {
            long wanted = placing.remaining(); // the read buffer is empty while a body is placed
            n = placing.read(channel, in);
            in.clear();
            filled = n > 0 && (n == wanted || n == BUFFER);
        } else {
            n = channel.read(in);
            filled = !in.hasRemaining();
        }
        if (n < 0 && (in.position() > 0 || body != null || placing != null)) {
            throw new IOException("end of stream inside a frame");
        }
        return n;
    }

    /** The connection ended (on the thread that read it): a body being placed is given up. */
    void abandon() {
        if (placing != null) {
            placing.abandon();
            placing = null;
        }
    }

    /**
     * Hands every complete frame read so far to {@code handler}, in order, while {@code go} says so
     * (checked before each): what is left waits for the next call.
     */
    void decode(FrameChannel.Handler handler, BooleanSupplier go) throws Wire.ProtocolException {
        in.flip();
        try {
            while (go.getAsBoolean()) {
                if (placing != null) {
                    placing.take(in);
                    if (placing.remaining() > 0) {
                        return;
                    }
                    Placement done = placing;
                    placing = null;
                    handler.placed(done);
                } else if (body != null) {
                    int n = Math.min(in.remaining(), body.remaining());
                    body.put(in.slice(in.position(), n));
                    in.position(in.position() + n);
                    if (body.hasRemaining()) {
                        if (n > 0) {
                            handler.partial(bodyType, body);
                        }
                        return;
                    }
                    ByteBuffer whole = body.flip();
                    body = null;
                    handler.frame(bodyType, whole);
                } else if (in.remaining() >= Wire.HEADER) {
                    int length = header(in, in.position());
                    if (length >= PLACEABLE && in.remaining() < Wire.HEADER + PLACEMENT_HEAD) {
                        return; // its head first
                    }
                    int type = in.get(in.position() + 5) & 0xff;
                    in.position(in.position() + Wire.HEADER);
                    if (length >= PLACEABLE) { // it may go straight to its place
                        int start = Math.min(in.remaining(), length);
                        placing = handler.placement(type, in.slice(in.position(), start), length);
                    }
                    if (placing != null) {
                        in.position(in.position() + placing.headBytes());
                    } else {
                        body = ByteBuffer.allocate(length);
                        bodyType = type;
                    }
                } else {
                    return;
                }
            }
        } finally {
            in.compact();
        }
    }

    /** Checks the header at {@code at}: its body's length. */
    private static int header(ByteBuffer in, int at) throws Wire.ProtocolException {
        int magic = in.getInt(at);
        int version = in.get(at + 4) & 0xff;
        int length = in.getInt(at + 8);
        if (magic != Wire.MAGIC || version != Wire.VERSION) {
            throw new Wire.ProtocolException(String.format("bad header (magic 0x%08x, version %d)", magic, version));
        }
        if (length < 0 || length > Wire.MAX_BODY) {
            throw new Wire.ProtocolException("frame body of " + Integer.toUnsignedString(length) + " bytes");
        }
        return length;
    }
}
