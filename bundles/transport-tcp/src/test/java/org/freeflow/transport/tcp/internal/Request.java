package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * A work request of a test, its payload one heap buffer.  Its payload can be held, and a hold's release
 * overwrites the data, as the application's next use of its buffer would once the completion came: what a
 * transport sent after releasing it arrives broken.  Every hold and release is counted.
 */
record Request(long psn, int opcode, ByteBuffer data, long remoteAddress, int rkey, long compareAdd)
        implements WorkRequest, Payload {

    private static final AtomicInteger HELD = new AtomicInteger();
    private static final AtomicInteger RELEASED_TWICE = new AtomicInteger();

    /** Holds of any request's payload taken and not released yet. */
    static int held() {
        return HELD.get();
    }

    /** Holds released more than once. */
    static int releasedTwice() {
        return RELEASED_TWICE.get();
    }

    @Override
    public Hold hold() {
        return counted(() -> Arrays.fill(data.array(), (byte) 0x55));
    }

    /** A hold counted as {@link #held()} and {@link #releasedTwice()} count; its first release runs {@code onRelease}. */
    static Hold counted(Runnable onRelease) {
        HELD.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                RELEASED_TWICE.incrementAndGet();
                return;
            }
            onRelease.run();
            HELD.decrementAndGet();
        };
    }

    static Request send(long psn, byte[] bytes) {
        return new Request(psn, WR_SEND, ByteBuffer.wrap(bytes), 0, 0, 0);
    }

    static Request write(long psn, byte[] bytes, long addr, int rkey) {
        return new Request(psn, WR_RDMA_WRITE, ByteBuffer.wrap(bytes), addr, rkey, 0);
    }

    static Request read(long psn, int length, long addr, int rkey) {
        return new Request(psn, WR_RDMA_READ, ByteBuffer.allocate(length), addr, rkey, 0);
    }

    static Request fetchAndAdd(long psn, long addr, int rkey, long add) {
        return new Request(psn, WR_ATOMIC_FETCH_AND_ADD, ByteBuffer.allocate(8), addr, rkey, add);
    }

    @Override
    public Payload payload() {
        return this;
    }

    @Override
    public int immediate() {
        return 0;
    }

    @Override
    public long swap() {
        return 0;
    }

    @Override
    public boolean solicited() {
        return false;
    }

    @Override
    public int xrcSrq() {
        return NO_XRC_SRQ;
    }

    @Override
    public long length() {
        return data.capacity();
    }

    @Override
    public int segments() {
        return 1;
    }

    @Override
    public ByteBuffer segment(int i) {
        return data.duplicate().clear();
    }

    /** A READ's buffer, written by the transport as the answer arrives; its hold counted as {@link #held()}. */
    @Override
    public InPlaceSink sinkInPlace() {
        if (opcode != WR_RDMA_READ) {
            return null;
        }
        return new HeapSink(data, () -> true);
    }
}
