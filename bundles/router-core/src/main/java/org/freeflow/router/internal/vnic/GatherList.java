package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Payload;

/**
 * A reusable {@link Payload}: the checked SGEs (or inline data) of the work
 * request being executed, as views over shared memory.  One per QP (so one
 * poller at a time), rebuilt for every attempt.  The views are duplicates of
 * mapped chunks that each segment slot keeps for the last {@link #WAYS}
 * chunks it saw: a QP that sends from the same few buffers allocates nothing.
 */
final class GatherList implements Payload {

    /** Segments a work request can need: 32 SGEs plus the chunk crossings of 2 GiB. */
    static final int CAPACITY = 64;
    /** Views a segment slot keeps. */
    static final int WAYS = 4;

    private final ByteBuffer[] segments = new ByteBuffer[CAPACITY];
    private final ByteBuffer[] viewedChunks = new ByteBuffer[CAPACITY * WAYS];
    private final ByteBuffer[] views = new ByteBuffer[CAPACITY * WAYS];
    private final int[] nextWay = new int[CAPACITY];
    private int count;
    private long length;

    void clear() {
        for (int i = 0; i < count; i++) {
            segments[i] = null;
        }
        count = 0;
        length = 0;
    }

    /**
     * A view of {@code chunk} (a mapped chunk, shared: never moved) this list
     * may set position and limit of, for its next segment.
     */
    ByteBuffer viewOf(ByteBuffer chunk) {
        int base = count * WAYS;
        for (int w = 0; w < WAYS; w++) {
            if (viewedChunks[base + w] == chunk) {
                return views[base + w];
            }
        }
        int w = nextWay[count];
        nextWay[count] = (w + 1) % WAYS;
        viewedChunks[base + w] = chunk;
        views[base + w] = chunk.duplicate();
        return views[base + w];
    }

    void add(ByteBuffer view, int bytes) {
        segments[count++] = view;
        length += bytes;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int segments() {
        return count;
    }

    @Override
    public ByteBuffer segment(int i) {
        return segments[i];
    }
}
