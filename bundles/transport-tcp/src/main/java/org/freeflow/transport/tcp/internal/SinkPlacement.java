package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ScatteringByteChannel;
import org.freeflow.router.api.transport.InPlaceSink;

/**
 * A frame's data read from the socket straight into registered memory
 * ({@link InPlaceSink}) by the connection's I/O thread, with no copy in
 * between: a SEND's into its receive, an RDMA WRITE's into its target ({@link RequestPlacement}), a
 * READ's answer into the READ's local memory ({@link FetchPlacement}).  Each
 * write passes the memory's gate ({@link InPlaceSink#beginWrite}); once the
 * memory is deregistered, the rest of the data is read and dropped, and the
 * placement is not {@link #whole}.
 */
abstract class SinkPlacement implements FrameDecoder.Placement {

    private final InPlaceSink sink;
    /** The sink's views, filled in order from {@link #next}. */
    private final ByteBuffer[] into;
    private int next;
    private long remaining;
    /** Every byte so far went into the sink (false once its gate refused). */
    private boolean whole = true;

    SinkPlacement(InPlaceSink sink) {
        this.sink = sink;
        into = new ByteBuffer[sink.target().segments()];
        for (int i = 0; i < into.length; i++) {
            into[i] = sink.target().segment(i).duplicate();
        }
        remaining = sink.target().length();
    }

    /** True while every byte went into the sink (also at the end: all of them did). */
    final boolean whole() {
        return whole;
    }

    @Override
    public final long remaining() {
        return remaining;
    }

    @Override
    public final void take(ByteBuffer from) {
        int n = (int) Math.min(from.remaining(), remaining);
        if (n == 0) {
            return;
        }
        if (whole && sink.beginWrite()) {
            try {
                ByteBuffer part = from.slice(from.position(), n);
                while (part.hasRemaining()) {
                    ByteBuffer to = into[next];
                    int k = Math.min(part.remaining(), to.remaining());
                    to.put(part.slice(part.position(), k));
                    part.position(part.position() + k);
                    if (!to.hasRemaining()) {
                        next++;
                    }
                }
            } finally {
                sink.endWrite();
            }
        } else {
            whole = false;
        }
        from.position(from.position() + n);
        remaining -= n;
    }

    @Override
    public final int read(ScatteringByteChannel channel, ByteBuffer scratch) throws IOException {
        long n;
        if (whole && sink.beginWrite()) {
            try {
                n = channel.read(into, next, into.length - next);
            } finally {
                sink.endWrite();
            }
            while (next < into.length && !into[next].hasRemaining()) {
                next++;
            }
        } else {
            whole = false; // deregistered: the rest is read and dropped
            n = channel.read(scratch.clear().limit((int) Math.min(scratch.capacity(), remaining)));
        }
        if (n > 0) {
            remaining -= n;
            arriving();
        }
        return (int) n;
    }

    /** Part of the data came in (the default: nothing). */
    void arriving() {
    }

    /** Ends the hold on the sink's memory. */
    final void releaseSink() {
        sink.release();
    }
}
