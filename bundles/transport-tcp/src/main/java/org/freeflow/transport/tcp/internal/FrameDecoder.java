package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.BooleanSupplier;

/**
 * Cuts one connection's byte stream into frames: each read fills one large
 * buffer ({@link #BUFFER} bytes), so that a single read takes in as many
 * small frames as have arrived, and every complete frame in it is handed
 * on.  Each body handed on is a heap buffer of its own (the handler may
 * keep it); a body the buffer does not hold whole (up to
 * {@link Wire#MAX_BODY}) is filled across reads, and the handler hears of
 * each part.  A header that breaks the
 * protocol (magic, version, body length) is a {@link Wire.ProtocolException}.
 * Used by one thread at a time (the connection's I/O thread).
 */
final class FrameDecoder {

    /** The read buffer's size. */
    static final int BUFFER = 256 << 10;

    /** Bytes read and not decoded yet, in [0, position): always fewer than a header unless decoding paused. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    /** The body being filled (its header decoded), or null. */
    private ByteBuffer body;
    private int bodyType;

    /** True when the read buffer has room for another read. */
    boolean hasRoom() {
        return in.hasRemaining();
    }

    /**
     * Reads once from {@code channel} (non-blocking): the bytes read, 0 when none were there, -1 at a
     * clean end of stream (between two frames).
     *
     * @throws IOException an end of stream inside a frame, or the channel's error
     */
    int read(ReadableByteChannel channel) throws IOException {
        int n = channel.read(in);
        if (n < 0 && (in.position() > 0 || body != null)) {
            throw new IOException("end of stream inside a frame");
        }
        return n;
    }

    /**
     * Hands every complete frame read so far to {@code handler}, in order, while {@code go} says so
     * (checked before each): what is left waits for the next call.
     */
    void decode(FrameChannel.Handler handler, BooleanSupplier go) throws Wire.ProtocolException {
        in.flip();
        try {
            while (go.getAsBoolean()) {
                if (body != null) {
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
                    body = ByteBuffer.allocate(header(in, in.position()));
                    bodyType = in.get(in.position() + 5) & 0xff;
                    in.position(in.position() + Wire.HEADER);
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
