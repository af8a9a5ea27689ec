package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Payload;

/**
 * A reusable {@link Payload}: the checked SGEs (or inline data) of the work
 * request being executed, as views over shared memory.  One per QP, rebuilt
 * for every attempt, never allocating.
 */
final class GatherList implements Payload {

    /** Segments a work request can need: 32 SGEs plus the chunk crossings of 2 GiB. */
    static final int CAPACITY = 64;

    private final ByteBuffer[] segments = new ByteBuffer[CAPACITY];
    private int count;
    private long length;

    void clear() {
        for (int i = 0; i < count; i++) {
            segments[i] = null;
        }
        count = 0;
        length = 0;
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
