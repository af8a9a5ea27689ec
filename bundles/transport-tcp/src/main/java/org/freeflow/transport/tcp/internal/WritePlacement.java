package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ScatteringByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;

/**
 * An RDMA WRITE whose data the connection's I/O thread reads from the socket
 * straight into the target region ({@link Responder#writeInPlace}), with no
 * copy in between: the checks were made when its fixed fields arrived, and
 * its session is claimed for it ({@link ResponderSession#claim}) until all of
 * it is in ({@link #arrived}: then it counts as executed).  Each read into the
 * region passes its gate ({@link Responder.InPlaceWrite#beginWrite}); once the
 * region is deregistered the rest of the data is read and dropped, and the
 * WRITE answers REMOTE_ACCESS_ERROR, the session claimed until then.  It ends
 * once: in order on the connection's executor ({@link #finish}, which
 * acknowledges or refuses it), or given up when the connection ends first
 * ({@link #abandon}: the requester sends it again, a duplicate if all of it
 * was in, else written whole again).
 */
final class WritePlacement implements FrameDecoder.Placement {

    final ResponderSession session;
    final long psn;
    final Responder responder;
    private final Responder.InPlaceWrite write;
    /** The target's views, filled in order from {@link #next}. */
    private final ByteBuffer[] into;
    private int next;
    private long remaining;
    /** Every byte so far went into the target (false once its gate refused). */
    private boolean whole = true;
    private final AtomicBoolean ended = new AtomicBoolean();

    /** Under the session's lock, which this placement has just claimed. */
    WritePlacement(ResponderSession session, long psn, Responder responder, Responder.InPlaceWrite write) {
        this.session = session;
        this.psn = psn;
        this.responder = responder;
        this.write = write;
        into = new ByteBuffer[write.target().segments()];
        for (int i = 0; i < into.length; i++) {
            into[i] = write.target().segment(i).duplicate();
        }
        remaining = write.target().length();
    }

    @Override
    public int headBytes() {
        return Requests.DATA;
    }

    @Override
    public long remaining() {
        return remaining;
    }

    @Override
    public void take(ByteBuffer from) {
        int n = (int) Math.min(from.remaining(), remaining);
        if (n == 0) {
            return;
        }
        if (whole && write.beginWrite()) {
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
                write.endWrite();
            }
        } else {
            whole = false;
        }
        from.position(from.position() + n);
        remaining -= n;
    }

    @Override
    public int read(ScatteringByteChannel channel, ByteBuffer scratch) throws IOException {
        long n;
        if (whole && write.beginWrite()) {
            try {
                n = channel.read(into, next, into.length - next);
            } finally {
                write.endWrite();
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
        }
        return (int) n;
    }

    /**
     * On the I/O thread, all of the data read: when it all went into the target, the WRITE counts as
     * executed (the session's next PSN may be placed or executed) and its claim ends; otherwise the claim
     * lasts until {@link #finish} refused it.
     */
    void arrived() {
        session.lock();
        try {
            if (whole) {
                session.expected = psn + 1;
                session.endClaim(this);
            }
        } finally {
            session.unlock();
        }
    }

    /**
     * On the executor's poller, in order, under the session's lock: the WRITE's outcome (its QP's checks
     * again, with their side effects; REMOTE_ACCESS_ERROR when its region was deregistered under it), the
     * claim ended; null when it was given up already.
     */
    Outcome finish() {
        if (!ended.compareAndSet(false, true)) {
            return null;
        }
        try {
            return write.complete(whole);
        } finally {
            session.endClaim(this);
            write.release();
        }
    }

    @Override
    public void abandon() {
        if (ended.compareAndSet(false, true)) {
            session.lock();
            try {
                session.endClaim(this);
            } finally {
                session.unlock();
            }
            write.release();
        }
    }
}
